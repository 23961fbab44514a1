"""docker-compose.yml: the services users get, each project service a real `runbooks` command."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from backend.cli import app

ROOT = Path(__file__).resolve().parents[3]
INFRASTRUCTURE = {
    "postgres",
    "rabbitmq",
    "elasticsearch",
    "kibana",
    "otel-collector",
    "ollama",
    "ollama-pull",
    "jenkins",
}
PROJECT = {
    "migrate",
    "api",
    "relay",
    "runner",
    "ingest-publisher",
    "ingest-consumer",
    "notifier",
    "slack",
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def resolve(argv: list[str]) -> str:
    """The name of the `runbooks` command `argv` runs; fails as the CLI would on a wrong one."""
    command = typer.main.get_command(app)
    args = list(argv)
    while (subcommands := getattr(command, "commands", None)) is not None:
        assert args, f"{argv} stops at a group"
        name = args.pop(0)
        assert name in subcommands, f"`runbooks {' '.join(argv)}`: no command {name!r}"
        command = subcommands[name]
    command.make_context(command.name or "", args)  # parses the options, like a real start
    return command.name or ""


def test_every_service_is_there(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == INFRASTRUCTURE | PROJECT


def test_project_services_share_the_one_image_built_from_the_dockerfile(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert {services[name]["build"] for name in PROJECT} == {"."}
    assert len({services[name]["image"] for name in PROJECT}) == 1
    assert (ROOT / "Dockerfile").is_file()
    assert all("build" not in services[name] for name in INFRASTRUCTURE)


def test_each_project_service_runs_a_real_runbooks_subcommand(compose: dict[str, Any]) -> None:
    for name in PROJECT:
        command = compose["services"][name]["command"]
        assert isinstance(command, list), f"{name}: the command is the entrypoint's arguments"
        resolve(command)
    with pytest.raises(AssertionError):
        resolve(["ingest", "publishes"])  # the check itself can fail


def test_ports_are_local_only_and_references_resolve(compose: dict[str, Any]) -> None:
    services = compose["services"]
    volumes = set(compose["volumes"])
    for name, service in services.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name}: {port}"
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"
        for volume in service.get("volumes", []):
            source = str(volume).split(":", 1)[0]
            if source.startswith("${"):  # ${VAR:-default}: the default must resolve
                source = str(volume)[: str(volume).index("}")].split(":-", 1)[1]
            if not source.startswith((".", "/")):
                assert source in volumes, f"{name}: volume {source} is not declared"


def test_tracing_is_off_unless_asked_and_the_collector_takes_traces(
    compose: dict[str, Any],
) -> None:
    for name in PROJECT:
        environment = compose["services"][name]["environment"]
        assert environment["OTEL_TRACES_EXPORTER"] == "${OTEL_TRACES_EXPORTER:-none}"
        assert environment["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318"
    collector = yaml.safe_load((ROOT / "deploy" / "otel-collector.yaml").read_text())
    traces = collector["service"]["pipelines"]["traces"]
    assert traces["receivers"] == ["otlp"]
    assert all(exporter in collector["exporters"] for exporter in traces["exporters"])


def compose_cli() -> list[str] | None:
    """`docker compose` (the plugin) or the standalone `docker-compose`, whichever is here."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    standalone = shutil.which("docker-compose")
    return [standalone] if standalone else None


def test_docker_compose_accepts_the_file_with_every_profile() -> None:
    cli = compose_cli()
    if cli is None:
        pytest.skip("no Docker Compose CLI on this machine; the checks above still ran")
    checked = subprocess.run(
        [*cli, "-f", "docker-compose.yml", "--profile", "runbooks", "--profile", "slack"]
        + ["config", "-q"],
        cwd=ROOT,
        env={**os.environ, "API_TOKEN": "compose-config-check-token"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr
