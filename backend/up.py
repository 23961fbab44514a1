"""`runbooks up`: migrate, then run the whole system as one supervised process group."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime

import httpx
from rich.console import Console

from backend.db.migrate import upgrade
from backend.supervisor import Supervisor
from backend.up_plan import UpSettings, plan_services

console = Console(stderr=True, highlight=False, soft_wrap=True)


def _say(service: str, what: str) -> None:
    stamp = datetime.now(UTC).strftime("%H:%M:%S")
    console.print(f"[dim]{stamp}[/dim] [bold]{service:>18}[/bold]  {what}")


async def ollama_answers(url: str, *, timeout_s: float = 1.5) -> bool:
    """True when an Ollama server answers at `url`."""
    try:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            response = await client.get(f"{url.rstrip('/')}/api/tags")
    except httpx.HTTPError:
        return False
    return response.status_code == 200


async def run_up(settings: UpSettings) -> None:
    """Apply migrations, start every planned service, and supervise until SIGINT or SIGTERM."""
    applied = await upgrade(settings.database_url)
    _say("db", f"schema up to date ({len(applied)} migration(s) applied)")
    plan = plan_services(settings, ollama_reachable=await ollama_answers(settings.ollama_url))
    for line in plan.announcements:
        _say("default", line)
    # Children get this environment plus what the plan decided (generated token, simulator URL).
    supervisor = Supervisor(plan.services, report=_say, env=plan.env)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, supervisor.stop)
    _say("up", f"starting {', '.join(s.name for s in plan.services)}; Ctrl-C stops everything")
    await supervisor.run()
    _say("up", "all services stopped")
