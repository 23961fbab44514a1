"""What the read tools answer in a world: pure functions from (world, arguments) to a result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from evals.world import World
from graph.tooling import tool_result

Result = dict[str, Any]
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def _incident_view(world: World, number: int) -> dict[str, Any]:
    incident = world.incidents[number]
    return {"id": number, **incident.model_dump(exclude_none=True)}


def _open_incidents(world: World) -> list[int]:
    open_ones = [n for n, i in world.incidents.items() if i.status != "resolved"]
    return sorted(open_ones, key=lambda n: world.incidents[n].age_h)


def _listing(items: list[dict[str, Any]], key: str, noun: str) -> Result:
    if not items:
        return tool_result("no_data", f"No {noun}.", {key: [], "count": 0})
    return tool_result("ok", f"{len(items)} {noun}.", {key: items, "count": len(items)})


def get_active_incidents(world: World, args: dict[str, Any]) -> Result:
    numbers = _open_incidents(world)
    if args.get("severity"):
        numbers = [n for n in numbers if world.incidents[n].severity == args["severity"]]
    items = [_incident_view(world, n) for n in numbers[: args.get("limit", 20)]]
    return _listing(items, "incidents", "open incidents")


def get_critical_incidents(world: World, args: dict[str, Any]) -> Result:
    numbers = [
        n for n in _open_incidents(world) if world.incidents[n].severity in ("critical", "high")
    ]
    numbers.sort(key=lambda n: SEVERITY_ORDER[world.incidents[n].severity])
    items = [_incident_view(world, n) for n in numbers[: args.get("limit", 20)]]
    return _listing(items, "incidents", "critical or high incidents open")


def get_incident(world: World, args: dict[str, Any]) -> Result:
    number = args["incident_id"]
    if number not in world.incidents:
        return tool_result("error", f"There is no incident {number}.", {"error": "not_found"})
    incident = world.incidents[number]
    return tool_result(
        "ok", f"Incident {number}: {incident.summary}.", _incident_view(world, number)
    )


def get_incidents_stats(world: World, args: dict[str, Any]) -> Result:
    hours = args.get("hours", 24)
    recent = [i for i in world.incidents.values() if i.age_h <= hours]
    by_severity: dict[str, int] = {}
    for incident in recent:
        by_severity[incident.severity] = by_severity.get(incident.severity, 0) + 1
    data = {
        "hours": hours,
        "detected": len(recent),
        "resolved": sum(i.status == "resolved" for i in recent),
        "by_severity": by_severity,
    }
    return tool_result("ok", f"{len(recent)} incidents in the last {hours} h.", data)


def read_jenkins_logs(world: World, args: dict[str, Any]) -> Result:
    jobs = [args["job"]] if args.get("job") else list(world.jobs)
    lines = [
        {"job": job, "message": line, "level": line.split(" ", 1)[0]}
        for job in jobs
        if job in world.jobs
        for line in world.jobs[job].log
    ]
    if args.get("level"):
        lines = [line for line in lines if line["level"] == args["level"]]
    if args.get("query"):
        lines = [line for line in lines if str(args["query"]).lower() in line["message"].lower()]
    return _listing(lines[: args.get("limit", 50)], "lines", "Jenkins log lines")


def read_api_logs(world: World, args: dict[str, Any]) -> Result:
    records = [record.model_dump() for record in world.api_logs]
    status = args.get("status")
    if isinstance(status, int):
        records = [r for r in records if r["status"] == status]
    elif isinstance(status, str) and status.lower().endswith("xx"):
        records = [r for r in records if str(r["status"]).startswith(status[0])]
    if args.get("method"):
        records = [r for r in records if r["method"] == args["method"]]
    if args.get("query"):
        needle = str(args["query"]).lower()
        records = [r for r in records if needle in (r["message"] + r["path"]).lower()]
    return _listing(records[: args.get("limit", 50)], "records", "API requests")


def get_server_status(world: World, _args: dict[str, Any]) -> Result:
    waiting = sum(a.status == "awaiting_approval" for a in world.actions.values())
    data = {
        "database": "ok",
        "broker": "ok",
        "jenkins": "ok",
        "open_incidents": len(_open_incidents(world)),
        "actions_waiting": waiting,
    }
    return tool_result("ok", "All components are up.", data)


def get_action_status(world: World, args: dict[str, Any]) -> Result:
    number = args["action_id"]
    action = world.actions.get(number)
    if action is None:
        return tool_result("error", f"There is no action {number}.", {"error": "not_found"})
    summary = f"Action {number}: {action.type} {action.job} #{action.build} is {action.status}."
    return tool_result("ok", summary, {"id": number, **action.model_dump(exclude_none=True)})


def get_actions_stats(world: World, args: dict[str, Any]) -> Result:
    by_status: dict[str, int] = {}
    for action in world.actions.values():
        by_status[action.status] = by_status.get(action.status, 0) + 1
    data = {"hours": args.get("hours", 24), "total": len(world.actions), "by_status": by_status}
    return tool_result("ok", f"{len(world.actions)} actions.", data)


def list_jenkins_jobs(world: World, args: dict[str, Any]) -> Result:
    query = str(args.get("query") or "").lower()
    jobs = [
        {
            "name": name,
            "last_build_number": max(job.builds, default=None),
            "color": _color(world, name),
        }
        for name, job in world.jobs.items()
        if query in name.lower()
    ]
    return _listing(jobs, "jobs", "Jenkins jobs")


def _color(world: World, name: str) -> str:
    builds = world.jobs[name].builds
    if not builds:
        return "notbuilt"
    last = builds[max(builds)]
    if last.building:
        return "blue_anime"
    return {"SUCCESS": "blue", "FAILURE": "red", "UNSTABLE": "yellow"}.get(
        last.result or "", "aborted"
    )


def get_build_status(world: World, args: dict[str, Any]) -> Result:
    job, number = args["job"], args["build"]
    if job not in world.jobs:
        return tool_result("error", f"There is no Jenkins job {job}.", {"error": "not_found"})
    build = world.jobs[job].builds.get(number)
    if build is None:
        return tool_result("error", f"{job} has no build {number}.", {"error": "not_found"})
    state = "running" if build.building else build.result
    data = {"job": job, "build": number, **build.model_dump(exclude_none=True)}
    return tool_result("ok", f"{job} #{number} is {state}.", data)


READS: dict[str, Callable[[World, dict[str, Any]], Result]] = {
    reader.__name__: reader
    for reader in (
        get_active_incidents,
        get_critical_incidents,
        get_incident,
        get_incidents_stats,
        read_jenkins_logs,
        read_api_logs,
        get_server_status,
        get_action_status,
        get_actions_stats,
        list_jenkins_jobs,
        get_build_status,
    )
}
