"""A local sandbox of the Remove The Background / Pixelz SOAP service.

Run it with ``rtb sandbox`` or ``python -m removethebackground.sandbox`` (options:
``--host``, ``--port`` (0: any free port), ``--data DIR``, ``--account EMAIL:KEY``,
``--step-seconds``), or in-process with :class:`Sandbox` or
:func:`removethebackground.testing.sandbox.run_sandbox`. No account and no internet
are needed: the demo account ``demo@example.com`` / ``demo-key`` is always there.

One process serves both generations of the service, each at its own path:

- generation 2 (Pixelz, 16 operations) at ``/soap.asmx``, as in the recorded traffic;
- generation 1 (legacy ``getImageStatus``) at ``/legacy/soap.asmx``: the real
  service has it at ``/soap.asmx`` on another host, so in one sandbox it moves
  under ``/legacy/``.

Each answers ``GET <path>?WSDL`` with its vendored WSDL (addresses rewritten to the
sandbox's scheme, host and port), SOAP 1.1 and 1.2 at ``POST <path>``, and the HTTP
GET/POST bindings at ``<path>/<Operation>`` — every binding its WSDL offers, with
the wire behaviour of an ASP.NET ASMX service (:mod:`removethebackground.service`).

Where things live (moto's models / responses / urls split):

- routes: :mod:`.app` (:class:`SandboxApp`, a table of routes), answered by
  :mod:`.responses` (the service endpoints: WSDL, SOAP, HTTP GET/POST, through
  :mod:`removethebackground.service`), :mod:`.files` (uploads and outputs),
  :mod:`.billing` (payment page, invoice PDF) and :mod:`.page` (``GET /``, the
  developer's page);
  :mod:`.web` holds the request/response plumbing;
- dispatch: :mod:`.service` (:class:`~.service.SandboxService`) looks up
  ``HANDLERS[generation key][operation]``;
- operations: :mod:`.operations` has one module per generation
  (:mod:`.operations.pixelz`, :mod:`.operations.legacy`), each a table
  ``{operation name: handler}``;
- state (models): :mod:`.store` (SQLite), :mod:`.accounts` (authentication, new
  accounts, template defaults), :mod:`.seed` (the demo account, templates 1001 and
  1002, invoices, seeded images), :mod:`.state` (the wiring of one sandbox and its
  test helpers);
- vocabulary: :mod:`.statuses` (status ids and names of both generations) and
  :mod:`.outputs` (output file names and URLs);
- background work: :mod:`.worker` (status steps on the :mod:`.clock`, background
  removal and the templates' outputs with :mod:`.imaging`, webhooks), :mod:`.fetch`
  (image URLs and uploads);
- serving: :mod:`.server` (:class:`Sandbox`, waitress, the command line),
  :mod:`.config` (settings, demo account, paths).
- the request log: :mod:`.requestlog` (every request received, credentials masked,
  in the store; ``requests_log()`` on the app and the test handle, and the page).

Statuses move New -> In Production -> Production Finished -> Delivered every
``step_seconds`` on a clock that tests can freeze and drive.

What comes from the recorded traffic and what is reconstructed is listed in each
module's docstring.
"""

from __future__ import annotations

from .app import SandboxApp, create_app
from .clock import SandboxClock
from .config import (
    DEMO_API_KEY,
    DEMO_EMAIL,
    SandboxConfig,
)
from .server import Sandbox, main
from .state import SandboxState

__all__ = [
    "DEMO_API_KEY",
    "DEMO_EMAIL",
    "Sandbox",
    "SandboxApp",
    "SandboxClock",
    "SandboxConfig",
    "SandboxState",
    "create_app",
    "main",
]
