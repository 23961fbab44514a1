"""The incident card: posted once per incident, then updated in place as the incident changes."""

from __future__ import annotations

import json
from typing import Any

from agent.slack.blocks.text import (
    SEVERITY_EMOJI,
    button,
    context,
    duration,
    escape,
    excerpt,
    fields,
    section,
    who,
)
from agent.slack.views import ActionSnapshot
from backend.services.incident_models import IncidentPublic

ACK = "incident_acknowledge"
RESOLVE = "incident_resolve"
RESTART = "incident_restart"
ROLLBACK = "incident_rollback"
INCIDENT_ACTIONS = (ACK, RESOLVE, RESTART, ROLLBACK)


def button_value(incident: IncidentPublic) -> str:
    """What a click sends back: the incident and, for Jenkins incidents, its job and build."""
    value: dict[str, Any] = {"incident_id": incident.id}
    if incident.job_name:
        value["job"] = incident.job_name
    if incident.build_number is not None:
        value["build"] = incident.build_number
    return json.dumps(value, separators=(",", ":"))


def _where(incident: IncidentPublic) -> tuple[str, str]:
    if incident.job_name:
        build = f" #{incident.build_number}" if incident.build_number is not None else ""
        return "Job", f"`{escape(incident.job_name)}`{build}"
    if incident.endpoint:
        return "Endpoint", f"`{escape(incident.endpoint)}`"
    return "Source", escape(incident.source)


def _state_line(incident: IncidentPublic) -> str:
    if incident.status == "resolved":
        method = f" ({escape(incident.resolution_method)})" if incident.resolution_method else ""
        line = (
            f":white_check_mark: *Resolved* by {who(incident.resolved_by)}{method}"
            f" · MTTR {duration(incident.mttr_seconds)}"
        )
        if incident.resolution_notes:
            line += f"\n> {excerpt(incident.resolution_notes, 300)}"
        return line
    if incident.acknowledged_at is not None:
        mtta = (incident.acknowledged_at - incident.detected_at).total_seconds()
        return (
            f":eyes: *Acknowledged* by {who(incident.acknowledged_by)}"
            f" · MTTA {duration(mtta)} · status {escape(incident.status)}"
        )
    return f":rotating_light: *Open* · status {escape(incident.status)}"


def _buttons(incident: IncidentPublic, action: ActionSnapshot | None) -> list[dict[str, Any]]:
    if incident.status == "resolved":
        return []
    value = button_value(incident)
    elements = []
    if incident.acknowledged_at is None:
        elements.append(button("Acknowledge", ACK, value, style="primary"))
    elements.append(button("Resolve", RESOLVE, value, confirm=f"Resolve incident #{incident.id}?"))
    busy = action is not None and not action.terminal
    if incident.job_name and not busy:
        if incident.build_number is not None:
            elements.append(button("Restart build", RESTART, value))
        elements.append(button("Rollback…", ROLLBACK, value, style="danger"))
    return elements


def incident_card(
    incident: IncidentPublic, *, action: ActionSnapshot | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Fallback text and blocks for the incident as it stands, with its latest action if any."""
    emoji = SEVERITY_EMOJI.get(incident.severity, ":white_circle:")
    severity = incident.severity.upper()
    title = escape(incident.title)
    label, where = _where(incident)
    text = f"{severity} incident #{incident.id}: {incident.title}"
    if incident.status == "resolved":
        text = f"Resolved (MTTR {duration(incident.mttr_seconds)}): {text}"
    blocks: list[dict[str, Any]] = [
        section(f"{emoji} *{severity}* · Incident #{incident.id}: *{title}*"),
        fields(
            ("Rule", f"`{escape(incident.rule)}`"),
            (label, where),
            ("Occurrences", str(incident.occurrences)),
            (
                "Detected",
                f"<!date^{int(incident.detected_at.timestamp())}^{{date_short_pretty}} {{time}}|{incident.detected_at:%Y-%m-%d %H:%M} UTC>",
            ),
        ),
    ]
    if incident.message:
        blocks.append(section(f"```{excerpt(incident.message)}```"))
    blocks.append(section(_state_line(incident)))
    if action is not None:
        blocks.append(section(action.status_line()))
    if incident.runbook_url:
        blocks.append(context(f":book: <{escape(incident.runbook_url)}|Runbook>"))
    elements = _buttons(incident, action)
    if elements:
        blocks.append(
            {"type": "actions", "block_id": f"incident:{incident.id}", "elements": elements}
        )
    return text, blocks
