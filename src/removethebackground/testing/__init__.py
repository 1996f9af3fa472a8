"""Helpers for testing code that uses this client.

- :mod:`.cassettes`: SOAP-aware vcrpy matchers and a credential scrubber;
- :mod:`.pytest_plugin`: the same for pytest-recording (``@pytest.mark.vcr``);
- :mod:`.stub`: :class:`~.stub.Stubber`, canned answers checked against the wire facts;
- :mod:`.sandbox`: run the local sandbox service in-process (``run_sandbox``, the
  ``sandbox`` fixture).

These need the ``testing`` (and, for the sandbox, ``sandbox``) extras.
"""
