"""The job for AI agents: an MCP server (``rtb mcp``, the ``mcp`` extra).

=====================  ==========================================================================
:mod:`.tools`          the tools: their schemas, annotations and what each does, with the
                       session's limits (images queued, spend, where files are read and written);
                       standard library, the client and the workflows only
:mod:`.server`         the same tools served over MCP (the ``mcp`` package, imported there only)
=====================  ==========================================================================

Nothing here is imported by ``import removethebackground``; the command line imports it
when ``rtb mcp`` runs.
"""

from __future__ import annotations

__all__: list[str] = []
