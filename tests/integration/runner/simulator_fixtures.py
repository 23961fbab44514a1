"""Shared helpers: the Jenkins simulator in-process on a free port, and a client for it."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from runner.jenkins.client import JenkinsClient
from runner.settings import JenkinsSettings
from runner.simulator.auth import Credentials
from runner.simulator.config import SimulatorConfig, load_simulator_config
from runner.simulator.server import SimulatorServer
from runner.simulator.state import JenkinsState

USER, TOKEN = "runbooks", "api-token-abcdef0123456789"


def start_simulator(**overrides: Any) -> SimulatorServer:
    """The default job set, with config overrides (`build_seconds=0`, `csrf=False`, `jobs=[...]`)."""
    config = load_simulator_config()
    config = SimulatorConfig.model_validate(config.model_dump() | overrides)
    return SimulatorServer(JenkinsState(config), Credentials(USER, TOKEN)).start()


def jenkins_settings(url: str, **overrides: Any) -> JenkinsSettings:
    values: dict[str, Any] = {
        "jenkins_url": url,
        "jenkins_user": USER,
        "jenkins_api_token": SecretStr(TOKEN),
        "jenkins_backoff_s": 0.01,
        "jenkins_backoff_max_s": 0.05,
        "jenkins_timeout_s": 5.0,
    }
    return JenkinsSettings(**(values | overrides))


def client_for(server: SimulatorServer, **overrides: Any) -> JenkinsClient:
    return JenkinsClient.from_settings(jenkins_settings(server.url, **overrides))
