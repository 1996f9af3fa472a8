"""The client core: wire facts, codec, errors, secrets, transport, retries, deadline, client.

Everything a call needs and nothing more: the core imports no plugin, workflow, CLI,
service-side, sandbox or testing module (``make test`` checks this with import contracts).
"""
