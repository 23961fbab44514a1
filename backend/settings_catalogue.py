"""Every setting of every service, read from the settings classes themselves, as a Markdown table.

The README's configuration table is this module's output (`python -m backend.settings_catalogue`);
a test keeps the two equal, so the documentation cannot drift from the code.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from pydantic_settings import BaseSettings

from backend.settings import CommonSettings

# (module, class, the service it configures), in the order the README lists them.
SERVICE_SETTINGS: tuple[tuple[str, str, str], ...] = (
    ("backend.settings", "ApiSettings", "api"),
    ("backend.settings", "RelaySettings", "relay"),
    ("runner.settings", "RunnerSettings", "runner"),
    ("ingest.settings", "PublisherSettings", "ingest publish"),
    ("ingest.settings", "ConsumerSettings", "ingest consume"),
    ("ingest.settings", "OtlpSettings", "api (OTLP)"),
    ("tools.settings", "McpSettings", "mcp"),
    ("agent.settings", "AgentSettings", "chat, slack"),
    ("agent.slack.settings", "SlackBotSettings", "slack"),
    ("agent.notifier.settings", "NotifierSettings", "notifier"),
    ("evals.settings", "ModelServerSettings", "eval, model server"),
    ("backend.up_plan", "UpSettings", "up"),
    ("agent.demo", "DemoSettings", "demo"),
    ("backend.tracing", "TracingSettings", "every service"),
)

# Meanings of settings whose field carries no description of its own.
MEANINGS: dict[str, str] = {
    "DATABASE_URL": "PostgreSQL URL; `runbooks db upgrade` creates the database if missing.",
    "RABBITMQ_URL": "RabbitMQ URL (a vhost may be given as its path).",
    "LOG_LEVEL": "DEBUG, INFO, WARNING or ERROR.",
    "LOG_FORMAT": "`json` (one event per line) or `console`.",
    "API_HOST": "Address the API binds.",
    "API_PORT": "Port of the API (and of MCP over HTTP at `/mcp`).",
    "API_WORKERS": "uvicorn worker processes of the API.",
    "MAX_BATCH_RECORDS": "Largest batch `POST /api/logs/*` accepts.",
    "RELAY_BATCH_SIZE": "Outbox rows claimed per round.",
    "RELAY_POLL_INTERVAL_S": "Polling fallback when no NOTIFY arrives.",
    "RELAY_MAX_ATTEMPTS": "Attempts before an event becomes `dead`.",
    "RELAY_BACKOFF_BASE_S": "First retry delay of a failed event (doubles each time).",
    "RELAY_BACKOFF_MAX_S": "Longest retry delay.",
    "FLATLINE_CHECK_INTERVAL_S": "How often flatline rules are checked.",
    "RELAY_RECONNECT_MAX_S": "Longest wait between broker reconnection attempts.",
    "OUTBOX_PURGE_INTERVAL_S": "How often published events past retention are deleted.",
    "GUARD_TIMEZONE": "Time zone of the business hours.",
    "GUARD_HOURS_START": "Business hours start (hour, inclusive).",
    "GUARD_HOURS_END": "Business hours end (hour, exclusive).",
    "GUARD_MAX_CONCURRENT": "Most actions running at once, across all runners.",
    "GUARD_COOLDOWN_S": "Least time between two actions on one job.",
    "GUARD_PRODUCTION_PATTERNS": "Job globs treated as production: every action needs approval.",
    "GUARD_TWO_PERSON_RULE": "The requester cannot approve their own high-risk action.",
    "DRY_RUN": "Run the whole path but never call Jenkins; results say what would be called.",
    "JENKINS_URL": "Jenkins base URL (unset under `runbooks up`: the simulator is started).",
    "JENKINS_USER": "Jenkins user for API-token auth.",
    "JENKINS_API_TOKEN": "Jenkins API token of that user.",
    "JENKINS_BACKOFF_MAX_S": "Longest delay between retries of a Jenkins call.",
    "RUNNER_PREFETCH": "Action messages a runner holds at once.",
    "RUNNER_QUEUE_TIMEOUT_S": "How long a queued Jenkins build may wait to start.",
    "RUNNER_BUILD_TIMEOUT_S": "How long the runner follows a build to its end.",
    "RUNNER_POLL_INTERVAL_S": "How often a followed build is polled.",
    "ES_URL": "Elasticsearch URL; unset: no publisher (logs come over OTLP or REST).",
    "ES_JENKINS_INDEX": "Index pattern of Jenkins logs.",
    "ES_API_INDEX": "Index pattern of API logs.",
    "ES_API_KEY": "Elasticsearch API key (or use ES_USERNAME/ES_PASSWORD).",
    "ES_USERNAME": "Elasticsearch basic-auth user.",
    "ES_PASSWORD": "Elasticsearch basic-auth password.",
    "ES_VERIFY_CERTS": "Verify Elasticsearch's TLS certificate.",
    "ES_CA_CERTS": "CA bundle for Elasticsearch's TLS certificate.",
    "ES_REQUEST_TIMEOUT_S": "Timeout of one Elasticsearch request.",
    "ES_PAGE_SIZE": "Documents per search page.",
    "ES_POLL_INTERVAL_S": "Wait between searches once caught up.",
    "PUBLISH_BACKOFF_MAX_S": "Longest wait between retries of the publisher.",
    "BACKEND_URL": "The API the consumer posts to (falls back to API_URL).",
    "CONSUME_BATCH_SIZE": "Records per POST to the backend.",
    "CONSUME_REQUEST_TIMEOUT_S": "Timeout of one POST to the backend.",
    "CONSUME_BACKOFF_MAX_S": "Longest wait between retries while the backend is down.",
    "MCP_POOL_MAX_SIZE": "Database connections of `runbooks mcp --stdio`.",
    "OLLAMA_URL": "Ollama server (LLM_PROVIDER=ollama).",
    "OLLAMA_MODEL": "Ollama model that plans the tool calls.",
    "LLM_MODEL": "Model name on the OpenAI-compatible server (LLM_PROVIDER=openai).",
    "LLM_TIMEOUT_S": "Timeout of one model request.",
    "AGENT_MAX_STEPS": "Most plan/act steps in one turn.",
    "SLACK_TIMEOUT_S": "Timeout of one Slack Web API call.",
    "SLACK_HTTP_HOST": "Address of the HTTP-mode endpoint.",
    "SLACK_HTTP_PORT": "Port of the HTTP-mode endpoint.",
    "SLACK_HTTP_PATH": "Path of the HTTP-mode endpoint (events, commands, interactivity).",
    "SLACK_ROLES_CACHE_S": "How long user-group memberships are cached.",
    "SLACK_CHANNEL_CRITICAL": "Channel for critical incident cards.",
    "SLACK_CHANNEL_HIGH": "Channel for high incident cards.",
    "SLACK_CHANNEL_MEDIUM": "Channel for medium incident cards.",
    "SLACK_CHANNEL_LOW": "Channel for low incident cards.",
    "NOTIFIER_PREFETCH": "Events the notifier holds at once.",
    "MODEL_SERVER_THREADS": "CPU threads of the local model server.",
    "MODEL_SERVER_CTX_SIZE": "Context size of the local model server.",
    "MODEL_SERVER_STARTUP_TIMEOUT_S": "How long the local model server may take to start.",
    "JENKINS_SIMULATOR_PORT": "Port of the embedded Jenkins simulator (when JENKINS_URL is unset).",
    "MODEL_SERVER_PORT": "Port of the embedded model server (when Ollama is not reachable).",
    "API_URL": "The running API, for `runbooks demo` (set for children by `runbooks up`).",
    "DEMO_JOB": "The Jenkins job the demo's deploy fails on.",
    "DEMO_OPERATOR": "Who asks for the restart in the demo.",
    "DEMO_APPROVER": "Who approves it (a second person: the two-person rule).",
    "DEMO_STEP_TIMEOUT_S": "How long each demo step may take.",
    "OTEL_SERVICE_NAME": "Service name on spans (default runbooks-<service>).",
    "OTEL_EXPORTER_OTLP_ENDPOINT": "Where OTLP spans go (OTEL_TRACES_EXPORTER=otlp).",
}

START = "<!-- settings:start -->"
END = "<!-- settings:end -->"


@dataclass
class Setting:
    name: str
    default: str
    meaning: str
    services: list[str] = field(default_factory=list)


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "**required**"
    if info.default_factory is not None:
        return "(computed)"
    value = info.default
    if value is None or value is PydanticUndefined:
        return "unset"
    if isinstance(value, SecretStr):
        return "(secret)"
    if isinstance(value, list | tuple | frozenset | set):
        return ",".join(str(v) for v in value) or "empty"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value).replace("|", "\\|")


def collect() -> list[Setting]:
    """Each environment variable once, with the services that read it."""
    found: dict[str, Setting] = {}
    for module_name, class_name, service in SERVICE_SETTINGS:
        cls: type[BaseSettings] = getattr(importlib.import_module(module_name), class_name)
        prefix = str(cls.model_config.get("env_prefix") or "")
        for field_name, info in cls.model_fields.items():
            name = (info.validation_alias if isinstance(info.validation_alias, str) else None) or (
                prefix + field_name
            ).upper()
            setting = found.get(name)
            if setting is None:
                meaning = info.description or MEANINGS.get(name, "")
                meaning = meaning.replace("|", "\\|").replace("\n", " ")
                setting = found[name] = Setting(name, _default(info), meaning)
            for label in service.split(", "):
                if label not in setting.services:
                    setting.services.append(label)
    return list(found.values())


def markdown_table() -> str:
    """The configuration table of the README."""
    lines = ["| setting | default | read by | meaning |", "| --- | --- | --- | --- |"]
    common = {name.upper() for name in CommonSettings.model_fields}
    for s in collect():
        services = "all" if s.name in common else ", ".join(s.services)
        lines.append(f"| `{s.name}` | `{s.default}` | {services} | {s.meaning} |")
    return "\n".join(lines)


def readme_table(readme: Path) -> str:
    """The table currently between the README's markers."""
    text = readme.read_text()
    return text.split(START, 1)[1].split(END, 1)[0].strip()


def write_readme(readme: Path) -> None:
    """Replace the README's table with the current one."""
    text = readme.read_text()
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    readme.write_text(f"{head}{START}\n{markdown_table()}\n{END}{tail}")


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    if target is None:
        sys.stdout.write(markdown_table() + "\n")
    else:
        write_readme(target)
