"""The guard preview as an MCP resource template: what the guard would say, before a request.

Not a tool (the catalogue is a contract, and reading a verdict changes nothing), so
clients read `runbooks://guard/preview/{action}/{job}?build=&target_build=` instead.
The job is one URI segment: a job inside folders has its '/' percent-encoded
(`team%2Fdeploy-prod`), and the SDK decodes it. The verdict is the service's
`ActionPreview` as JSON, evaluated for the caller (their actor, as for tools).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from mcp.server.mcpserver import Context, MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

from backend.services.action_preview import preview_action
from backend.services.actions import InvalidActionRequest
from tools.actor import actor_for_request
from tools.context import ToolServices

GUARD_PREVIEW_TEMPLATE = "runbooks://guard/preview/{action}/{job}{?build,target_build}"
DESCRIPTION = (
    "What the server's guard would decide now about a Jenkins action (restart, rollback, stop, "
    "trigger) on a job: allowed, needs_approval or refused, its reason, and the Jenkins calls it "
    "would make. Reading it changes nothing; the guard decides again when the action is "
    "requested. Encode '/' in a folder job's name as %2F."
)


def guard_preview_uri(
    action: str, job: str, *, build: int | None = None, target_build: int | None = None
) -> str:
    """The URI of one preview (the template expanded, the job as one encoded segment)."""
    query = "&".join(
        f"{name}={value}"
        for name, value in (("build", build), ("target_build", target_build))
        if value is not None
    )
    uri = f"runbooks://guard/preview/{quote(action, safe='')}/{quote(job, safe='')}"
    return f"{uri}?{query}" if query else uri


def _build_number(name: str, value: str | None) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit() or int(value) < 1:
        raise MCPError(INVALID_PARAMS, f"{name} must be a build number (1 or more), not {value!r}")
    return int(value)


def register_guard_preview(server: MCPServer[Any], *, transport_actor: str | None = None) -> None:
    """Serve the preview template on `server`; `transport_actor` as for the tools."""

    @server.resource(
        GUARD_PREVIEW_TEMPLATE,
        name="guard_preview",
        title="Guard preview of a Jenkins action",
        description=DESCRIPTION,
        mime_type="application/json",
    )
    async def guard_preview(
        action: str,
        job: str,
        ctx: Context[ToolServices],
        build: str | None = None,
        target_build: str | None = None,
    ) -> str:
        request = ctx.request_context
        try:
            preview = await preview_action(
                request.lifespan_context.pool,
                action=action,
                job=job,
                build=_build_number("build", build),
                target_build=_build_number("target_build", target_build),
                requested_by=actor_for_request(request, transport_actor),
            )
        except InvalidActionRequest as error:
            raise MCPError(INVALID_PARAMS, str(error)) from None
        return preview.model_dump_json()
