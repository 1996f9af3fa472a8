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
the wire behaviour of an ASP.NET ASMX service (:mod:`removethebackground.asmx`).

Behind that: the operations (:mod:`.service`), state in SQLite under the data
directory (:mod:`.store`), images fetched from their URLs or uploaded to
``PUT /uploads/<name>`` (:mod:`.fetch`), real background removal and webhook
notifications on worker threads (:mod:`.worker`), and statuses that move
New -> In Production -> Production Finished -> Delivered every ``step_seconds``
on a clock that tests can freeze and drive (:mod:`.clock`).

What comes from the recorded traffic and what is reconstructed is listed in each
module's docstring.
"""

from __future__ import annotations

from .app import SandboxApp, create_app
from .clock import SandboxClock
from .config import (
    DEMO_API_KEY,
    DEMO_EMAIL,
    LEGACY_PATH,
    PIXELZ_PATH,
    SandboxConfig,
)
from .server import Sandbox, main

__all__ = [
    "DEMO_API_KEY",
    "DEMO_EMAIL",
    "LEGACY_PATH",
    "PIXELZ_PATH",
    "Sandbox",
    "SandboxApp",
    "SandboxClock",
    "SandboxConfig",
    "create_app",
    "main",
]
