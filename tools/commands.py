"""CLI command of this package: `runbooks mcp --stdio`."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add `runbooks mcp` to the CLI."""
    app.command("mcp")(mcp_command)


def mcp_command(
    stdio: Annotated[
        bool, typer.Option("--stdio", help="Speak MCP on stdin/stdout (Claude Desktop).")
    ] = False,
) -> None:
    """Serve the tool catalogue over MCP. Streamable HTTP is served by the API at /mcp."""
    import anyio

    from backend.observability import configure_logging
    from backend.settings import load_settings
    from tools.runtime import stdio_server
    from tools.settings import McpSettings

    if not stdio:
        typer.echo(
            "runbooks mcp: pass --stdio; over HTTP the API serves MCP at /mcp (runbooks api)",
            err=True,
        )
        raise typer.Exit(2)
    settings = load_settings(McpSettings)
    # stdout carries the protocol: logs go to stderr (configure_logging writes there).
    configure_logging(settings.log_level, settings.log_format)
    anyio.run(stdio_server(settings).server.run_stdio_async)
