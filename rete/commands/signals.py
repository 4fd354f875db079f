"""``rete signals ...``, ``rete query`` and ``rete search``: the consultants' interface to the warehouse."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from rete import pipeline
from rete.commands.output import stdout
from rete.config import resolve_workspace
from rete.commands.errors import fail, user_errors
from rete.commands.workspace import WorkspaceOption

console = stdout
signals_app = typer.Typer(help="Signal tables: list, describe, show and rebuild them.", no_args_is_help=True)


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="output format")]
OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="write to this file instead of the screen")]


def day_option(flag: str, help: str):
    return Annotated[datetime | None, typer.Option(flag, formats=["%Y-%m-%d"], help=f"{help} (YYYY-MM-DD)")]


def _warehouse(workspace: Path | None):
    return pipeline.warehouse_of(resolve_workspace(workspace))


def _default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def emit(relation: duckdb.DuckDBPyRelation, fmt: OutputFormat, out: Path | None, limit: int | None = None) -> None:
    """Print or write a query result. Parquet and CSV files are written by DuckDB itself."""
    if fmt is OutputFormat.parquet:
        if out is None:
            raise fail("--format parquet needs --out FILE")
        relation.write_parquet(str(out))
        console.print(f"wrote {out}", highlight=False)
        return
    if fmt is OutputFormat.csv and out is not None:
        relation.write_csv(str(out), header=True)
        console.print(f"wrote {out}", highlight=False)
        return
    columns = relation.columns
    rows = relation.fetchmany(limit) if limit else relation.fetchall()
    if fmt is OutputFormat.json:
        text = json.dumps([dict(zip(columns, row)) for row in rows], default=_default, ensure_ascii=False, indent=1)
    elif fmt is OutputFormat.csv:
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows(rows)
        text = buffer.getvalue()
    else:
        table = Table(*columns, show_lines=False)
        for row in rows:
            # Post text is hostile: Text() shows it as it is, never as rich markup.
            table.add_row(*(Text("" if v is None else str(v)) for v in row))
        if out is None:
            console.print(table)
            return
        with out.open("w", encoding="utf-8") as handle:
            Console(file=handle, width=200).print(table)
        return
    if out is None:
        console.print(text, markup=False, highlight=False, soft_wrap=True)
    else:
        out.write_text(text, encoding="utf-8")


@signals_app.command("list")
def list_signals() -> None:
    """List every signal with its tables and meaning."""
    from signals.catalog import signals

    table = Table("signal", "tables", "grain")
    for signal in signals().values():
        table.add_row(signal.name, ", ".join(signal.tables), " ".join(signal.grain.split()))
    console.print(table)


@signals_app.command("describe")
def describe(name: Annotated[str, typer.Argument(help="signal name, see `rete signals list`")]) -> None:
    """Print a signal's documentation: meaning, grain, columns, caveats, late data."""
    from signals.catalog import signal

    try:
        found = signal(name)
    except KeyError as exc:
        raise fail(exc.args[0]) from None
    console.print(f"[bold]{found.name}[/]  ({', '.join(found.tables)})")
    for section, text in found.sections.items():
        if section in ("Name", "Table"):
            continue
        console.print(f"\n[bold]{section}[/]")
        if section == "Columns":
            for column, meaning in found.columns():
                console.print(f"  [bold]{column}[/]: ", end="")
                console.print(meaning, markup=False, highlight=False)
        else:
            console.print(" ".join(line.strip() for line in text.splitlines()), markup=False, highlight=False)


@signals_app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="signal name, see `rete signals list`")],
    client: Annotated[str | None, typer.Option("--client", "-c", help="client slug")] = None,
    from_day: day_option("--from", "first client-local day") = None,
    to_day: day_option("--to", "last client-local day") = None,
    limit: Annotated[int, typer.Option(help="rows to show at most")] = 200,
    fmt: FormatOption = OutputFormat.table,
    out: OutOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Show a signal's main table for a client and a date range (client-local days, inclusive)."""
    from signals.catalog import signal

    with user_errors():
        try:
            found = signal(name)
        except KeyError as exc:
            raise fail(exc.args[0]) from None
        with _warehouse(workspace).read() as con:
            columns = [row[0] for row in con.execute(f"DESCRIBE {found.table}").fetchall()]
            date_column = next((c for c in ("day", "week", "first_seen") if c in columns), None)
            conditions, params = [], {}
            if client is not None:
                if "client" not in columns:
                    raise fail(f"signal {name} is not per client: leave out --client")
                conditions.append("client = $client")
                params["client"] = resolve_workspace(workspace).client(client).slug
            if date_column and from_day:
                conditions.append(f"{date_column} >= $from_day")
                params["from_day"] = from_day.date() - (timedelta(days=6) if date_column == "week" else timedelta())
            if date_column and to_day:
                conditions.append(f"{date_column} <= $to_day")
                params["to_day"] = to_day.date()
            where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
            order = ", ".join(c for c in ("client", date_column, "brand", "rank") if c and c in columns)
            relation = con.sql(f"SELECT * FROM {found.table} {where} ORDER BY {order or 1}", params=params)
            emit(relation, fmt, out, limit)


@signals_app.command("rebuild")
def rebuild(
    from_day: day_option("--from", "first UTC day to recompute") = None,
    to_day: day_option("--to", "last UTC day to recompute (default: --from)") = None,
    everything: Annotated[bool, typer.Option("--all", help="recompute every day that has posts")] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Recompute the signals of the pending days, plus a backfill range or everything."""
    from signals.rebuild import all_post_days, rebuild_signals

    with user_errors():
        warehouse = _warehouse(workspace)
        days: set[date] = set()
        if everything:
            days = all_post_days(warehouse)
        elif from_day or to_day:
            first = (from_day or to_day).date()
            last = (to_day or from_day).date()
            if last < first:
                raise fail(f"--to {last} is before --from {first}")
            days = {first + timedelta(days=n) for n in range((last - first).days + 1)}
        with console.status("rebuilding signals"):
            summary = rebuild_signals(warehouse, days)
        console.print(str(summary), highlight=False, soft_wrap=True)


def query(
    sql: Annotated[str, typer.Argument(help="one SQL statement; the warehouse is opened read-only")],
    fmt: FormatOption = OutputFormat.table,
    out: OutOption = None,
    limit: Annotated[int | None, typer.Option(help="rows to print at most (table/csv/json on screen)")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Run read-only SQL on the warehouse (statements that write fail)."""
    with user_errors():
        with _warehouse(workspace).read() as con:
            try:
                relation = con.sql(sql)
            except duckdb.Error as exc:
                raise fail(f"query failed: {exc}") from None
            if relation is None:
                raise fail("the statement returned no rows (only queries that return rows are allowed)")
            try:
                emit(relation, fmt, out, limit)
            except duckdb.Error as exc:
                raise fail(f"query failed: {exc}") from None


def search(
    text: Annotated[str, typer.Argument(help="words to look for (BM25 ranking, accents and case ignored)")],
    client: Annotated[str | None, typer.Option("--client", "-c", help="only posts about this client's brands")] = None,
    limit: Annotated[int, typer.Option(help="results to show")] = 20,
    fmt: FormatOption = OutputFormat.table,
    out: OutOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Full-text search over posts."""
    from signals.search import search_posts

    with user_errors():
        ws = resolve_workspace(workspace)
        slug = ws.client(client).slug if client else None
        with pipeline.warehouse_of(ws).read() as con:
            emit(search_posts(con, text, slug, limit), fmt, out)


def register(app: typer.Typer) -> None:
    app.add_typer(signals_app, name="signals")
    app.command("query")(query)
    app.command("search")(search)
