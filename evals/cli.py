"""`runbooks eval`: score natural-language -> tool-call planning on a dataset, with progress."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markdown import Markdown
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from backend.observability import configure_logging
from backend.settings import setting_error_line
from evals.dataset import DatasetError, load_dataset
from evals.floors import FloorsError, check_floors, load_floors
from evals.harness import CaseRun, EvalAborted
from evals.report import comparison_table, markdown_report
from evals.runner import ModelTarget, Provider, agent_settings, evaluate
from evals.subject import Levers
from evals.world import DEFAULT_WORLD, WorldError, load_world
from graph.settings import PlannerMode, PlannerOptions, PlannerSettings

console = Console(stderr=True)


def _run_one(
    target: ModelTarget, *, dataset: Path, world_path: Path, levers: Levers, limit: int | None
) -> dict[str, Any]:
    cases = load_dataset(dataset)[:limit] if limit else load_dataset(dataset)
    world = load_world(world_path)
    try:
        settings = agent_settings(target)
    except ValidationError as error:
        raise typer.BadParameter(setting_error_line(error)) from None
    counts = {"passed": 0, "done": 0}

    def tally(run: CaseRun) -> str:
        counts["done"] += 1
        counts["passed"] += run.verdict.decision_ok and run.verdict.args_ok is not False
        return (
            f"pass {counts['passed']}/{counts['done']} "
            f"({run.observation.latency_s:.1f}s {run.case.id})"
        )

    def run_with(on_case: Callable[[CaseRun], None]) -> dict[str, Any]:
        return asyncio.run(
            evaluate(
                cases,
                world,
                settings=settings,
                levers=levers,
                dataset=str(dataset),
                on_case=on_case,
            )
        )

    if not console.is_terminal:
        # CI logs: one plain line per case; a live bar would only show up at the end
        return run_with(
            lambda run: console.print(
                f"[{counts['done'] + 1}/{len(cases)}] {tally(run)}", highlight=False, markup=False
            )
        )
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[score]}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task(f"eval {target.model or 'model'}", total=len(cases), score="")
        return run_with(lambda run: progress.update(task, advance=1, score=tally(run)))


def eval_command(
    dataset: Annotated[Path, typer.Option(help="A .jsonl file or a folder of them.")] = Path(
        "evals/datasets"
    ),
    world: Annotated[
        Path, typer.Option(help="The world file of the tool backend.")
    ] = DEFAULT_WORLD,
    provider: Annotated[
        Provider | None, typer.Option(help="ollama or openai (default LLM_PROVIDER).")
    ] = None,
    model: Annotated[str | None, typer.Option(help="Model name (default from settings).")] = None,
    base_url: Annotated[
        str | None, typer.Option(help="Server URL (default from settings).")
    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the JSON report.")] = None,
    report: Annotated[Path | None, typer.Option(help="Write the Markdown report.")] = None,
    compare: Annotated[
        str | None, typer.Option(help="Models to compare, comma-separated; each `M` or `M@URL`.")
    ] = None,
    mode: Annotated[
        PlannerMode | None, typer.Option(help="Planner mode (default PLANNER_MODE).")
    ] = None,
    few_shot: Annotated[
        bool | None, typer.Option("--few-shot/--no-few-shot", help="Worked examples in the prompt.")
    ] = None,
    similar: Annotated[
        int | None,
        typer.Option(
            min=0, max=20, help="Examples picked by similarity (default PLANNER_SIMILAR_EXAMPLES)."
        ),
    ] = None,
    commands: Annotated[
        bool, typer.Option("--commands/--no-commands", help="Explicit-command parser first.")
    ] = True,
    floors: Annotated[
        Path | None, typer.Option(help="Fail (exit 1) below these floors, e.g. evals/floors.yaml.")
    ] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N cases.")] = None,
    timeout: Annotated[float | None, typer.Option(help="Seconds per model call.")] = None,
) -> None:
    """Score how requests map to tool calls: tool, arguments, questions, safety, latency."""
    configure_logging("WARNING", "console")
    planner = PlannerOptions.from_settings(PlannerSettings())
    options = PlannerOptions(
        mode=mode or planner.mode,
        few_shot=planner.few_shot if few_shot is None else few_shot,
        history_turns=planner.history_turns,
        similar_examples=planner.similar_examples if similar is None else similar,
    )
    levers = Levers(commands=commands, options=options)
    targets = (
        [
            ModelTarget.parse(item.strip(), provider=provider, timeout_s=timeout)
            for item in compare.split(",")
            if item.strip()
        ]
        if compare
        else [ModelTarget(provider=provider, model=model, base_url=base_url, timeout_s=timeout)]
    )
    try:
        wanted_floors = load_floors(floors) if floors else None
        reports = [
            _run_one(target, dataset=dataset, world_path=world, levers=levers, limit=limit)
            for target in targets
        ]
    except (DatasetError, WorldError, FloorsError) as error:
        typer.echo(f"runbooks eval: {error}", err=True)
        raise typer.Exit(2) from None
    except EvalAborted as error:
        typer.echo(f"runbooks eval: stopped: {error}", err=True)
        raise typer.Exit(1) from None
    out = Console()
    if len(reports) > 1:
        out.print(Markdown(comparison_table(reports)))
    else:
        out.print(Markdown(markdown_report(reports[0]).split("### By expected tool")[0]))
    if json_out:
        payload: Any = reports if len(reports) > 1 else reports[0]
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    if report:
        report.parent.mkdir(parents=True, exist_ok=True)
        text = comparison_table(reports) if len(reports) > 1 else markdown_report(reports[0])
        report.write_text(text)
    if wanted_floors is not None:
        misses = [miss for r in reports for miss in check_floors(r, wanted_floors)]
        for miss in misses:
            typer.echo(f"below floor: {miss}", err=True)
        if misses:
            raise typer.Exit(1)
        typer.echo(f"every floor of {floors} met", err=True)
