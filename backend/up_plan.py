"""What `runbooks up` starts: the services, the embedded defaults, and what it says about them."""

from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass, field

from pydantic import Field, SecretStr

from backend.settings import CommonSettings
from backend.supervisor import ServiceSpec


class UpSettings(CommonSettings):
    """What `runbooks up` needs to decide which services and embedded defaults to run."""

    api_host: str = "127.0.0.1"
    api_port: int = Field(default=3001, ge=1, le=65535)
    api_token: SecretStr | None = None
    jenkins_url: str | None = None
    jenkins_simulator_port: int = Field(default=8081, ge=1, le=65535)
    es_url: str | None = None
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    llm_provider: str = "ollama"
    ollama_url: str = "http://127.0.0.1:11434"
    llm_base_url: str | None = None
    model_server_port: int = Field(default=8082, ge=1, le=65535)
    model_server_model: str = "qwen2.5-coder-0.5b"


@dataclass(frozen=True)
class UpPlan:
    """The services to supervise, the environment they share, and one line per embedded default."""

    services: list[ServiceSpec]
    env: dict[str, str] = field(default_factory=dict)
    announcements: list[str] = field(default_factory=list)


def runbooks_argv(*args: str) -> list[str]:
    """The command line of a `runbooks` subcommand, run by this interpreter."""
    return [sys.executable, "-m", "backend", *args]


def plan_services(settings: UpSettings, *, ollama_reachable: bool) -> UpPlan:
    """Decide what runs, given the settings and whether an Ollama server answers."""
    env: dict[str, str] = {}
    notes: list[str] = []
    services: list[ServiceSpec] = []

    if settings.api_token is None:
        env["API_TOKEN"] = secrets.token_urlsafe(24)
        notes.append(f"api: API_TOKEN not set; generated one for this run: {env['API_TOKEN']}")

    api_url = f"http://{settings.api_host}:{settings.api_port}"
    env["API_URL"] = api_url
    services.append(ServiceSpec("api", runbooks_argv("api")))
    services.append(ServiceSpec("relay", runbooks_argv("relay")))

    if settings.jenkins_url is None:
        port = settings.jenkins_simulator_port
        env["JENKINS_URL"] = f"http://127.0.0.1:{port}"
        notes.append(
            f"jenkins: JENKINS_URL not set; starting the Jenkins SIMULATOR at {env['JENKINS_URL']}"
            " (not a real Jenkins)"
        )
        services.append(
            ServiceSpec(
                "jenkins-simulator", runbooks_argv("simulate", "jenkins", "--port", str(port))
            )
        )
    services.append(ServiceSpec("runner", runbooks_argv("runner")))

    if settings.es_url:
        services.append(ServiceSpec("ingest-publisher", runbooks_argv("ingest", "publish")))
        services.append(ServiceSpec("ingest-consumer", runbooks_argv("ingest", "consume")))
    else:
        notes.append(
            "ingest: ES_URL not set; logs arrive directly: OTLP/HTTP at "
            f"{api_url}/v1/logs and JSON at {api_url}/api/logs/jenkins|api"
        )

    if settings.llm_provider == "ollama" and not ollama_reachable:
        port = settings.model_server_port
        env["LLM_PROVIDER"] = "openai"
        env["LLM_BASE_URL"] = f"http://127.0.0.1:{port}/v1"
        env["LLM_MODEL"] = settings.model_server_model
        notes.append(
            f"llm: Ollama not reachable at {settings.ollama_url}; starting the embedded local model"
            f" (llama.cpp server) at {env['LLM_BASE_URL']}"
        )
        services.append(
            ServiceSpec(
                "model",
                [sys.executable, "-m", "evals.modelserver", "foreground", "--port", str(port)],
            )
        )

    if settings.slack_bot_token is not None:
        services.append(ServiceSpec("notifier", runbooks_argv("notifier")))
        if settings.slack_app_token is not None or settings.slack_signing_secret is not None:
            services.append(ServiceSpec("slack", runbooks_argv("slack")))
    else:
        notes.append("slack: SLACK_BOT_TOKEN not set; the Slack bot and notifier are not started")

    return UpPlan(services=services, env=env, announcements=notes)
