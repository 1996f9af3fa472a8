"""The tools of :mod:`.tools` served over MCP (the official ``mcp`` package, the ``mcp``
extra): :func:`build_server` for in-process use and tests, :func:`serve_stdio` for
``rtb mcp``.

Each call runs its handler in a worker thread (the client is blocking); a handler's
progress reaches the client as ``notifications/progress`` when the call carried a
progress token. Every result and error text passes the session's redaction, and an
unexpected error is answered as a tool error naming its class and text, never a
traceback.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from typing import TYPE_CHECKING, Any

import anyio
import anyio.from_thread
import anyio.to_thread
import mcp_types as types
from mcp.server.lowlevel import Server

from .._version import __version__
from .tools import Progress, Session, ToolError, ToolSpec, describe, tools

if TYPE_CHECKING:
    from mcp.server.context import ServerRequestContext

__all__ = ["INSTRUCTIONS", "build_server", "serve_stdio"]

INSTRUCTIONS = (
    "Remove The Background / Pixelz: queue product photos for background removal, wait "
    "for them and download the results. Typical run: list_templates, submit_images "
    "(spends money; limited per session), wait_for_images, download_results. Tools whose "
    "title says 'spends money' are billed; 'destructive' ones cannot be undone. The "
    "account's credentials are the server's own: never ask for them."
)

_log = logging.getLogger(__name__)


def _tool(spec: ToolSpec) -> types.Tool:
    return types.Tool.model_validate(
        {
            "name": spec.name,
            "title": spec.title,
            "description": spec.description,
            "inputSchema": spec.input_schema,
            "annotations": spec.annotations,
            "_meta": spec.meta,
        }
    )


def _error(session: Session, text: str) -> types.CallToolResult:
    shown = session.redact(" ".join(text.split()))
    return types.CallToolResult(content=[types.TextContent(type="text", text=shown)], is_error=True)


def _answer(session: Session, data: Any) -> types.CallToolResult:
    text = session.redact(json.dumps(data, ensure_ascii=False, default=str))
    structured = json.loads(text)
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)], structured_content=structured
    )


def build_server(session: Session) -> Server[Any]:
    """An MCP server of the tools ``session.limits`` allows, calling with ``session``."""
    specs = {spec.name: spec for spec in tools(session.limits)}
    listed = [_tool(spec) for spec in specs.values()]

    async def list_tools(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=listed)

    async def call_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        spec = specs.get(params.name)
        if spec is None:
            return _error(session, f"no tool '{params.name}' (tools/list lists them)")
        args = dict(params.arguments or {})
        cancelled = threading.Event()

        def notify(done: float, total: float | None, message: str) -> None:
            try:
                anyio.from_thread.run(
                    ctx.session.report_progress, done, total, session.redact(message)
                )
            except Exception as exc:  # a client gone away does not stop the work
                _log.debug("progress not sent: %s", type(exc).__name__)

        try:
            data = await anyio.to_thread.run_sync(
                functools.partial(spec.run, session, args, Progress(notify, cancelled)),
                abandon_on_cancel=True,
            )
        except anyio.get_cancelled_exc_class():
            cancelled.set()  # the worker thread stops at its next step
            raise
        except ToolError as exc:
            return _error(session, str(exc))
        except Exception as exc:
            return _error(session, describe(exc))
        return _answer(session, data)

    return Server(
        "removethebackground",
        version=__version__,
        title="Remove The Background / Pixelz",
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


def serve_stdio(session: Session) -> None:
    """Serve ``session``'s tools on standard input and output until the client closes."""
    from mcp.server.stdio import stdio_server

    server = build_server(session)

    async def run() -> None:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    try:
        anyio.run(run)
    finally:
        session.close()
