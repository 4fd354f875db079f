"""``rete enrich`` and ``rete eval``: the NLP pipeline on JSONL files."""

from __future__ import annotations

import io
import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rete.commands.output import stderr, stdout
from rete.commands.errors import fail, user_errors
from rete.config import load_brand_set, load_workspace


BrandsOption = Annotated[
    Path | None, typer.Option("--brands", "-b", help="BRANDS.yaml: `brands: [<brand entry>, ...]`")
]
WorkspaceOption = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", help="workspace folder: all its brands, client themes and languages"),
]


def _nlp_settings(brands: Path | None, workspace: Path | None):
    """Brands, languages, extra themes and the workspace's own trained models from --brands or --workspace,
    as ``models.evaluation.EvalSettings``."""
    from models.evaluation import EvalSettings

    if brands is not None and workspace is not None:
        raise fail("give --brands or --workspace, not both")
    if workspace is not None:
        from rete.pipeline import theme_taxonomy

        ws = load_workspace(workspace)
        return EvalSettings(list(ws.all_brands), tuple(ws.languages), theme_taxonomy(ws), ws.model_paths)
    if brands is not None:
        return EvalSettings(list(load_brand_set(brands).brands))
    return EvalSettings()


def _build_enricher(settings):
    from models.enrich import Enricher
    from models.pipeline import PipelineError

    try:
        return Enricher(settings.brands, settings.languages, settings.themes, model_paths=settings.model_paths)
    except (PipelineError, ValueError, OSError) as exc:
        raise fail(f"cannot build the NLP pipeline: {exc}") from None


def enrich(
    input_path: Annotated[str, typer.Argument(metavar="INPUT", help="JSONL posts, or - for stdin")],
    output: Annotated[str, typer.Option("--output", "-o", help="JSONL output, or - for stdout")],
    brands: BrandsOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Add lang, sentiment, brand mentions, intents and themes to each post of a JSONL file.

    Each input line needs "id" and "text" (optional: lang, created_at, author, source, platform, parent_id). Bad lines
    are reported with their line number and skipped; output order is input order.
    """
    from models.enrich import enrich_jsonl

    with user_errors(), ExitStack() as stack:
        settings = _nlp_settings(brands, workspace)
        if input_path == "-":
            source, size = sys.stdin.buffer, None
        else:
            source = stack.enter_context(open(input_path, "rb"))
            size = Path(input_path).stat().st_size
        enricher = _build_enricher(settings)
        if output == "-":
            sink = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n", write_through=False)
            stack.callback(sink.detach)
            stack.callback(sink.flush)
        else:
            sink = stack.enter_context(open(output, "w", encoding="utf-8", newline="\n"))

        def on_problem(line: int, problem: str) -> None:
            stderr.print(f"skipped {input_path}, line {line}: {problem}", markup=False)

        show_progress = size is not None and stderr.is_terminal
        with Progress(
            TextColumn("enriching"), BarColumn(), DownloadColumn(), TimeElapsedColumn(),
            console=stderr, disable=not show_progress,
        ) as bar:
            task = bar.add_task("enrich", total=size)
            stats = enrich_jsonl(source, sink, enricher, on_problem, lambda n: bar.advance(task, n))
    skipped = f", skipped {stats.skipped} bad line(s)" if stats.skipped else ""
    stderr.print(f"enriched {stats.written} post(s){skipped}")


def evaluate(
    labelled: Annotated[Path, typer.Argument(metavar="LABELLED.jsonl", help="labelled posts, one JSON per line")],
    task: Annotated[str, typer.Option("--task", "-t", help="what to evaluate (intent, brands, sentiment, ...)")],
    brands: BrandsOption = None,
    workspace: WorkspaceOption = None,
    output_format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Per-class precision, recall, F1 and macro-F1 of a task on a labelled JSONL file."""
    from models.evaluation import TASKS, LabelledDataError, evaluate_file

    if task not in TASKS:
        raise fail(f"unknown task {task!r} (available: {', '.join(sorted(TASKS))})")
    if output_format not in ("table", "json"):
        raise fail(f"unknown format {output_format!r} (use table or json)")
    chosen = TASKS[task]
    with user_errors():
        settings = _nlp_settings(brands, workspace)
        if chosen.needs_brands and not settings.brands:
            raise fail(f"task {task!r} needs brand definitions: give --brands BRANDS.yaml or --workspace DIR")
        try:
            report = evaluate_file(chosen, labelled, settings)
        except LabelledDataError as exc:
            raise fail(str(exc)) from None
    if output_format == "json":
        typer.echo(json.dumps(report.as_dict(), indent=2))
        return
    table = Table("class", "precision", "recall", "F1", "support", "predicted",
                  title=f"{task}: {report.examples} examples from {labelled}")
    for score in report.scores:
        table.add_row(score.label, f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}",
                      str(score.support), str(score.predicted))
    console = stdout
    console.print(table)
    console.print(f"macro-F1: {report.macro_f1:.3f}")
    for name, value in report.extra.items():
        console.print(f"{name}: {value:.3f}")


def register(app: typer.Typer) -> None:
    app.command("enrich")(enrich)
    app.command("eval")(evaluate)
