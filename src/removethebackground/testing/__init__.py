"""Helpers for testing code that uses this client.

- :mod:`.cassettes`: SOAP-aware vcrpy matchers and a credential scrubber;
- :mod:`.pytest_plugin`: the same for pytest-recording (``@pytest.mark.vcr``);
- :mod:`.stub`: :class:`~.stub.Stubber`, canned answers checked against the wire facts;
- :mod:`.sandbox`: run the local sandbox service in-process (``run_sandbox``, the
  ``sandbox`` fixture).

Each works with the sync clients and with the async ones (``AsyncPixelzClient``,
``AsyncRemoveTheBackgroundClient``): the stubber answers an async client's transport,
cassettes record and replay its requests (through the async transport's wire), and the
sandbox handle makes async clients (``sb.async_pixelz_client()``).

These need the ``testing`` (and, for the sandbox, ``sandbox``; for async clients,
``async``) extras.
"""
