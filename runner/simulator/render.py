"""Jenkins's JSON for the simulator's state: the field names and shapes of the real API."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from runner.simulator.config import ParameterSpec
from runner.simulator.state import JenkinsState, SimBuild, SimJob, SimQueueItem

FOLDER_CLASS = "com.cloudbees.hudson.plugins.folder.Folder"
JOB_CLASSES = {
    "pipeline": (
        "org.jenkinsci.plugins.workflow.job.WorkflowJob",
        "org.jenkinsci.plugins.workflow.job.WorkflowRun",
    ),
    "freestyle": ("hudson.model.FreeStyleProject", "hudson.model.FreeStyleBuild"),
}
COLORS = {
    "SUCCESS": "blue",
    "FAILURE": "red",
    "UNSTABLE": "yellow",
    "ABORTED": "aborted",
    "NOT_BUILT": "notbuilt",
}
PARAM_CLASSES = {"string": "String", "choice": "Choice", "boolean": "Boolean"}


def job_url(base: str, name: str) -> str:
    """`team/deploy-prod` -> `<base>/job/team/job/deploy-prod/`."""
    return base.rstrip("/") + "".join(f"/job/{quote(part)}" for part in name.split("/")) + "/"


def text(value: object) -> str:
    """A parameter value as Jenkins prints it (booleans lower case)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def ms(seconds: float) -> int:
    return int(seconds * 1000)


def job_color(job: SimJob) -> str:
    if job.disabled:
        return "disabled"
    if not job.builds:
        return "notbuilt"
    last = job.builds[max(job.builds)]
    completed = [b for b in job.builds.values() if not b.building]
    color = COLORS[completed[-1].result or "NOT_BUILT"] if completed else "notbuilt"
    return f"{color}_anime" if last.building else color


def build_ref(base: str, build: SimBuild | None, kind: str) -> dict[str, Any] | None:
    if build is None:
        return None
    return {
        "_class": JOB_CLASSES[kind][1],
        "number": build.number,
        "url": f"{job_url(base, build.job)}{build.number}/",
    }


def parameter_definition(spec: ParameterSpec) -> dict[str, Any]:
    kind = PARAM_CLASSES[spec.type]
    definition: dict[str, Any] = {
        "_class": f"hudson.model.{kind}ParameterDefinition",
        "defaultParameterValue": {
            "_class": f"hudson.model.{'Boolean' if spec.type == 'boolean' else 'String'}ParameterValue",
            "name": spec.name,
            "value": spec.default,
        },
        "description": spec.description,
        "name": spec.name,
        "type": f"{kind}ParameterDefinition",
    }
    if spec.type == "choice":
        definition["choices"] = list(spec.choices)
    return definition


def listing_entry(state: JenkinsState, base: str, name: str) -> dict[str, Any]:
    """A job or folder as it appears in a parent's `jobs` list (depth 0)."""
    short = name.rsplit("/", 1)[-1]
    if name in state.folders:
        return {
            "_class": FOLDER_CLASS,
            "name": short,
            "url": job_url(base, name),
            "jobs": [listing_entry(state, base, c) for c in children(state, name)],
        }
    job = state.jobs[name]
    return {
        "_class": JOB_CLASSES[job.kind][0],
        "name": short,
        "url": job_url(base, name),
        "color": job_color(job),
    }


def children(state: JenkinsState, folder: str) -> list[str]:
    """Full names of the jobs and folders directly inside `folder` ("" = the root)."""
    prefix = f"{folder}/" if folder else ""
    names = set(state.jobs) | state.folders
    return sorted(n for n in names if n.startswith(prefix) and "/" not in n[len(prefix) :])


def root_json(state: JenkinsState, base: str) -> dict[str, Any]:
    return {
        "_class": "hudson.model.Hudson",
        "assignedLabels": [{"name": "built-in"}],
        "mode": "NORMAL",
        "nodeDescription": "the Jenkins controller's built-in node",
        "nodeName": "",
        "numExecutors": 4,
        "description": "MCP Runbooks Jenkins SIMULATOR - not a real Jenkins",
        "jobs": [listing_entry(state, base, name) for name in children(state, "")],
        "quietingDown": False,
        "slaveAgentPort": -1,
        "url": base.rstrip("/") + "/",
        "useCrumbs": state.config.csrf,
        "useSecurity": True,
        "views": [{"_class": "hudson.model.AllView", "name": "all", "url": base.rstrip("/") + "/"}],
    }


def folder_json(state: JenkinsState, base: str, name: str) -> dict[str, Any]:
    short = name.rsplit("/", 1)[-1]
    return {
        "_class": FOLDER_CLASS,
        "actions": [],
        "description": None,
        "displayName": short,
        "displayNameOrNull": None,
        "fullDisplayName": name.replace("/", " » "),
        "fullName": name,
        "name": short,
        "url": job_url(base, name),
        "healthReport": [],
        "jobs": [listing_entry(state, base, child) for child in children(state, name)],
        "primaryView": {
            "_class": "hudson.model.AllView",
            "name": "All",
            "url": job_url(base, name),
        },
        "views": [{"_class": "hudson.model.AllView", "name": "All", "url": job_url(base, name)}],
    }


def job_json(state: JenkinsState, base: str, job: SimJob) -> dict[str, Any]:
    builds = sorted(job.builds.values(), key=lambda b: b.number, reverse=True)
    done = [b for b in builds if not b.building]

    def last(predicate: Any) -> dict[str, Any] | None:
        return build_ref(base, next((b for b in done if predicate(b)), None), job.kind)

    short = job.name.rsplit("/", 1)[-1]
    properties: list[dict[str, Any]] = []
    if job.parameters:
        properties.append(
            {
                "_class": "hudson.model.ParametersDefinitionProperty",
                "parameterDefinitions": [parameter_definition(p) for p in job.parameters],
            }
        )
    waiting = [
        q
        for q in state.queue.values()
        if q.job == job.name and q.build_number is None and not q.cancelled
    ]
    return {
        "_class": JOB_CLASSES[job.kind][0],
        "actions": [*properties, {}],
        "description": job.description,
        "displayName": short,
        "displayNameOrNull": None,
        "fullDisplayName": job.name.replace("/", " » "),
        "fullName": job.name,
        "name": short,
        "url": job_url(base, job.name),
        "buildable": not job.disabled,
        "builds": [build_ref(base, b, job.kind) for b in builds[:100]],
        "color": job_color(job),
        "firstBuild": build_ref(base, builds[-1] if builds else None, job.kind),
        "healthReport": [],
        "inQueue": bool(waiting),
        "keepDependencies": False,
        "lastBuild": build_ref(base, builds[0] if builds else None, job.kind),
        "lastCompletedBuild": last(lambda _build: True),
        "lastFailedBuild": last(lambda b: b.result == "FAILURE"),
        "lastStableBuild": last(lambda b: b.result == "SUCCESS"),
        "lastSuccessfulBuild": last(lambda b: b.result in ("SUCCESS", "UNSTABLE")),
        "lastUnstableBuild": last(lambda b: b.result == "UNSTABLE"),
        "lastUnsuccessfulBuild": last(lambda b: b.result != "SUCCESS"),
        "nextBuildNumber": job.next_build_number,
        "property": properties,
        "queueItem": {"_class": "hudson.model.Queue$WaitingItem", "id": waiting[0].id}
        if waiting
        else None,
        "concurrentBuild": True,
        "disabled": job.disabled,
        "resumeBlocked": False,
    }


def parameters_action(job: SimJob, values: dict[str, Any]) -> dict[str, Any]:
    kinds = {p.name: p.type for p in job.parameters}
    return {
        "_class": "hudson.model.ParametersAction",
        "parameters": [
            {
                "_class": f"hudson.model.{'Boolean' if kinds.get(k) == 'boolean' else 'String'}ParameterValue",
                "name": k,
                "value": v,
            }
            for k, v in values.items()
        ],
    }


def cause_action(user: str) -> dict[str, Any]:
    if user == "timer":
        cause = {
            "_class": "hudson.triggers.TimerTrigger$TimerTriggerCause",
            "shortDescription": "Started by timer",
        }
    else:
        cause = {
            "_class": "hudson.model.Cause$UserIdCause",
            "shortDescription": f"Started by user {user}",
            "userId": user,
            "userName": user,
        }
    return {"_class": "hudson.model.CauseAction", "causes": [cause]}


def build_json(state: JenkinsState, base: str, build: SimBuild) -> dict[str, Any]:
    job = state.jobs[build.job]
    actions = [cause_action(build.user)]
    if job.parameters:
        actions.insert(0, parameters_action(job, build.parameters))
    numbers = sorted(job.builds)
    index = numbers.index(build.number)
    previous = job.builds[numbers[index - 1]] if index > 0 else None
    following = job.builds[numbers[index + 1]] if index + 1 < len(numbers) else None
    return {
        "_class": JOB_CLASSES[job.kind][1],
        "actions": actions,
        "artifacts": [],
        "building": build.building,
        "description": None,
        "displayName": f"#{build.number}",
        "duration": 0
        if build.building
        else ms(
            build.planned_s if build.finished_at is None else build.finished_at - build.started_at
        ),
        "estimatedDuration": ms(build.planned_s),
        "executor": {} if build.building else None,
        "fullDisplayName": f"{job.name.replace('/', ' » ')} #{build.number}",
        "id": str(build.number),
        "keepLog": False,
        "number": build.number,
        "queueId": build.queue_id,
        "result": build.result,
        "timestamp": ms(build.started_at),
        "url": f"{job_url(base, job.name)}{build.number}/",
        "builtOn": "",
        "changeSets": [],
        "culprits": [],
        "inProgress": build.building,
        "nextBuild": build_ref(base, following, job.kind),
        "previousBuild": build_ref(base, previous, job.kind),
    }


def queue_item_json(state: JenkinsState, base: str, item: SimQueueItem) -> dict[str, Any]:
    job = state.jobs[item.job]
    data: dict[str, Any] = {
        "actions": [parameters_action(job, item.parameters), cause_action(item.user)]
        if job.parameters
        else [cause_action(item.user)],
        "blocked": False,
        "buildable": False,
        "id": item.id,
        "inQueueSince": ms(item.queued_at),
        "params": "".join(f"\n{k}={text(v)}" for k, v in item.parameters.items()),
        "stuck": False,
        "task": {
            "_class": JOB_CLASSES[job.kind][0],
            "name": job.name.rsplit("/", 1)[-1],
            "url": job_url(base, job.name),
            "color": job_color(job),
        },
        "url": f"queue/item/{item.id}/",
        "why": None,
        "cancelled": item.cancelled,
    }
    if item.build_number is not None:
        data["_class"] = "hudson.model.Queue$LeftItem"
        data["executable"] = build_ref(base, job.builds[item.build_number], job.kind)
    else:
        wait = max(0.0, item.ready_at - state.clock())
        data["_class"] = "hudson.model.Queue$WaitingItem"
        data["timestamp"] = ms(item.ready_at)
        data["why"] = f"In the quiet period. Expires in {wait:.1f} sec"
    return {"_class": data.pop("_class"), **data}
