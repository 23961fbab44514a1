"""The embedded model as `runbooks up` runs it: supervised in the foreground, gone when stopped."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx
import pytest

from backend.supervisor import Supervisor
from backend.up_plan import UpSettings, plan_services

pytestmark = [pytest.mark.e2e, pytest.mark.model]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_pids() -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if b"llama-server" in stat.read_bytes().split(b"\0")[0]:
                found.append(int(stat.parent.name))
        except OSError:
            continue
    return found


async def test_model_service_answers_and_stops_with_the_supervisor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = _free_port()
    monkeypatch.setenv("MODEL_SERVER_PORT", str(port))
    monkeypatch.setenv("LLM_PROVIDER", "ollama")
    plan = plan_services(UpSettings(), ollama_reachable=False)
    model = next(s for s in plan.services if s.name == "model")
    assert plan.env["LLM_BASE_URL"] == f"http://127.0.0.1:{port}/v1"
    before = set(_server_pids())

    supervisor = Supervisor([model], report=lambda *_: None, stop_timeout_s=20)
    running = asyncio.create_task(supervisor.run())
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            for _ in range(600):
                try:
                    if (await http.get(f"http://127.0.0.1:{port}/health")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.5)
            else:
                raise AssertionError("the embedded model never became healthy")
            models = (await http.get(f"{plan.env['LLM_BASE_URL']}/models")).json()
        assert any(m["id"] == plan.env["LLM_MODEL"] for m in models["data"])
        ours = set(_server_pids()) - before
        assert ours, "no llama-server process of ours"
    finally:
        supervisor.stop()
        await asyncio.wait_for(running, timeout=60)
    for _ in range(100):
        if not (ours & set(_server_pids())):
            break
        await asyncio.sleep(0.1)
    assert not (ours & set(_server_pids())), "llama-server outlived the supervisor"
