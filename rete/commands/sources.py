"""``rete sources status``: per source, its last success, last error, posts fetched and health."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from rete import pipeline
from rete.commands.output import stdout
from rete.config import resolve_workspace
from rete.commands.errors import user_errors
from rete.commands.workspace import WorkspaceOption

console = stdout

HEALTH_QUERY = """
SELECT source, last_success_at, last_error_at, last_error, consecutive_failures, posts_fetched_total, healthy
FROM source_health ORDER BY source
"""


def status(
    workspace: WorkspaceOption = None,
    width: Annotated[int, typer.Option(help="characters of the last error shown")] = 80,
) -> None:
    """Health of every source: unhealthy after 3 failed runs in a row."""
    with user_errors():
        ws = resolve_workspace(workspace)
        with pipeline.warehouse_of(ws).read() as con:
            rows = {row[0]: row for row in con.execute(HEALTH_QUERY).fetchall()}
    # Sources serve every client; their times are shown in the first client's zone, named in the title.
    zone = ws.clients[0].zone
    table = Table(title=f"sources of {ws.name} (times in {zone.key})", title_justify="left")
    for column in ("source", "type", "last success", "last error", "error", "failures in a row",
                   "posts fetched", "health"):
        table.add_column(column, overflow="fold")

    def when(value) -> str:
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else "-"

    names = [s.name for s in ws.sources] + sorted(set(rows) - {s.name for s in ws.sources})
    types = {s.name: s.type for s in ws.sources}
    for name in names:
        row = rows.get(name)
        if row is None:
            table.add_row(name, types.get(name, "?"), "-", "-", "", "0", "0", "[dim]never run[/]")
            continue
        _, success, failed, error, streak, fetched, healthy = row
        error_text = escape((error or "")[:width])
        table.add_row(escape(name), types.get(name, "(removed)"), when(success), when(failed), error_text, str(streak),
                      str(fetched or 0), "[green]healthy[/]" if healthy else "[bold red]unhealthy[/]")
    console.print(table)


def register(app: typer.Typer) -> None:
    sources = typer.Typer(help="Social and feed sources: health of their runs.", no_args_is_help=True)
    sources.command("status")(status)
    app.add_typer(sources, name="sources")
