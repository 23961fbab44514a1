"""get_server_status over backend/services/system_status.py."""

from __future__ import annotations

from typing import Literal

from backend.services import incidents, system_status
from tools.context import ToolServices
from tools.models import server as sm

COUNT_CAP = 100  # counts past this are reported as "100 or more"


async def _jenkins_state(services: ToolServices) -> Literal["up", "down", "unknown"]:
    if services.jenkins is None:
        return "unknown"
    health = await services.jenkins.health()  # never raises: reports why it is down
    return "up" if health.ok else "down"


async def get_server_status(
    services: ToolServices, _args: sm.NoArguments, _actor: str
) -> sm.ServerStatusResult:
    """Database, broker, Jenkins, event backlog and open incident counts."""
    probed = await system_status.server_status(services.pool, broker_up=services.broker_up())
    jenkins = await _jenkins_state(services)
    status = probed.status
    if status == "ok" and jenkins == "down":
        status = "degraded"
    open_count = critical_count = None
    if probed.database == "up":
        open_count = len(await incidents.list_active(services.pool, limit=COUNT_CAP))
        critical_count = len(await incidents.list_critical(services.pool, limit=COUNT_CAP))
    data = sm.ServerStatus.model_validate(
        {
            **probed.model_dump(),
            "status": status,
            "jenkins": jenkins,
            "open_incidents": open_count,
            "critical_incidents": critical_count,
        }
    )
    parts = [f"database {data.database}", f"broker {data.broker}", f"Jenkins {data.jenkins}"]
    if data.outbox is not None and data.outbox.pending:
        parts.append(f"{data.outbox.pending} events waiting to be published")
    if open_count is not None:
        more = "+" if open_count >= COUNT_CAP else ""
        parts.append(f"{open_count}{more} open incidents ({critical_count} critical or high)")
    return sm.ServerStatusResult(
        status="ok",
        summary=f"System {status}: {', '.join(parts)}.",
        data=data,
    )
