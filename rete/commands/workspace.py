"""``rete init``, ``rete ingest`` and ``rete demo``: creating a workspace and running the daily pipeline."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rete import pipeline
from rete.commands.output import stderr, stdout
from rete.commands.errors import fail, user_errors
from rete.config import DEMO_WORKSPACE, WORKSPACE_FILE, resolve_workspace
from rete.post import now_utc

console = stderr
WorkspaceOption = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", help="workspace folder (default: $RETE_WORKSPACE or the current folder)"),
]


def init(directory: Annotated[Path, typer.Argument(help="folder to create the workspace in")]) -> None:
    """Write a commented starter workspace.yaml into DIRECTORY."""
    target = directory / WORKSPACE_FILE
    if target.exists():
        raise fail(f"{target} already exists; not overwriting it")
    directory.mkdir(parents=True, exist_ok=True)
    with resources.as_file(resources.files("rete.templates") / WORKSPACE_FILE) as template:
        shutil.copyfile(template, target)
    (directory / "exports").mkdir(exist_ok=True)
    console.print(f"wrote {target}: edit clients, brands and sources, then run `rete ingest -w {directory}`")


def ingest(
    workspace: WorkspaceOption = None,
    check: Annotated[bool, typer.Option("--check", help="only validate workspace.yaml")] = False,
) -> None:
    """Run the daily pipeline once, in this process: fetch, load, enrich, rebuild signals."""
    with user_errors():
        ws = resolve_workspace(workspace)
        if check:
            console.print(f"{ws.root / WORKSPACE_FILE}: ok ({len(ws.clients)} clients, {len(ws.sources)} sources)")
            return
        run_id = f"cli__{now_utc():%Y%m%dT%H%M%S}"
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console) as bar:
            task = bar.add_task("fetching", total=len(ws.sources) + 3)

            def on_fetch(source: str) -> None:
                bar.update(task, description=f"fetching {source}", advance=1)

            report = pipeline.ingest(ws, run_id, on_fetch=on_fetch)
            bar.update(task, description="done", completed=len(ws.sources) + 3)
    table = Table("source", "status", "fetched", "new", "updated", "error", title=f"run {run_id}")
    for load in report.loads:
        table.add_row(load.source, load.status, str(load.posts_fetched), str(load.posts_new),
                      str(load.posts_updated), load.error or "")
    stdout.print(table)
    console.print(f"enriched {report.enriched.posts} posts ({report.enriched.mentions} brand mentions)")
    if any(load.status == "failed" for load in report.loads):
        raise typer.Exit(1)


def demo(workspace: WorkspaceOption = None) -> None:
    """Run the daily DAG on the bundled demo workspace with `airflow dags test` and summarise it."""
    from rete import demo as demo_run

    with user_errors():
        demo_run.run(workspace or DEMO_WORKSPACE, console)


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(ingest)
    app.command()(demo)
