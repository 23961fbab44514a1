"""Console output of simulated builds: plausible Jenkins text, growing while a build runs."""

from __future__ import annotations

from runner.simulator.state import SimBuild, SimJob

STAGES = ("Checkout", "Build", "Test", "Deploy")
FAILURES = {
    "FAILURE": "ERROR: script returned exit code 1",
    "UNSTABLE": "Tests failed: 3 of 412 tests failed; marking build as UNSTABLE",
    "ABORTED": "Aborted by user",
    "NOT_BUILT": "Stage skipped",
}


def console_lines(job: SimJob, build: SimBuild, now: float) -> list[str]:
    """The lines a build has printed by `now`; the `Finished:` line only once it is over."""
    cause = "Started by timer" if build.user == "timer" else f"Started by user {build.user}"
    lines = [
        cause,
        "Running as SYSTEM",
        f"Building in workspace /var/jenkins_home/workspace/{job.name}",
    ]
    lines += [
        f"{name}={str(value).lower() if isinstance(value, bool) else value}"
        for name, value in build.parameters.items()
    ]
    if job.kind == "pipeline":
        body = [
            line
            for stage in STAGES
            for line in (
                f"[Pipeline] stage ({stage})",
                "[Pipeline] sh",
                f"+ ./ci/{stage.lower()}.sh",
            )
        ]
    else:
        body = [
            f"[{job.name}] $ /bin/sh -xe /tmp/jenkins{build.number}.sh",
            *(f"+ make {s.lower()}" for s in STAGES),
        ]
    if build.building:
        share = (
            1.0 if build.planned_s <= 0 else min(1.0, (now - build.started_at) / build.planned_s)
        )
        return lines + body[: int(len(body) * share)]
    result = build.result or "NOT_BUILT"
    if result != "SUCCESS":
        stop = len(body) * 3 // 4 if result == "ABORTED" else len(body) // 2
        body = [*body[:stop], FAILURES[result]]
    return [*lines, *body, f"Finished: {result}"]
