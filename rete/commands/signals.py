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
from rete.commands.output import stderr, stdout
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
    """Print or write a query result. ``limit`` caps the rows printed on screen, with a note on stderr when it
    cuts; a file always gets every row. Parquet and CSV files are written by DuckDB itself."""
    if out is not None:
        limit = None
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
    rows = relation.fetchall() if limit is None else relation.limit(limit + 1).fetchall()
    if limit is not None and len(rows) > limit:
        total = relation.aggregate("count(*)").fetchone()[0]
        rows = rows[:limit]
        stderr.print(f"showing the first {limit} of {total:,} rows: --limit N for more, or --out FILE for all")
    if fmt is OutputFormat.json:
        text = json.dumps([dict(zip(columns, row)) for row in rows], default=_default, ensure_ascii=False, indent=1)
    elif fmt is OutputFormat.csv:
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
    limit: Annotated[int, typer.Option(min=1, help="rows to print at most on screen (a file gets them all)")] = 200,
    fmt: FormatOption = OutputFormat.table,
    out: OutOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Show a signal's main table for a client and a date range (client-local days, inclusive). With --client,
    times are shown in the client's time zone; without, in UTC."""
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
                found_client = resolve_workspace(workspace).client(client)
                params["client"] = found_client.slug
                show_times_in(con, found_client)
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
    """Recompute the signals of the pending days, plus a backfill range or everything. The clients' settings
    are taken from workspace.yaml first: a changed time zone or brand recomputes every day."""
    from signals.load import sync_clients
    from signals.rebuild import all_post_days, rebuild_signals

    with user_errors():
        ws = resolve_workspace(workspace)
        warehouse = pipeline.warehouse_of(ws)
        with warehouse.write() as con:
            sync_clients(con, ws)
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


def show_times_in(con: duckdb.DuckDBPyConnection, client) -> None:
    """Times are stored in UTC; a client's rows are read in the client's own time zone."""
    con.execute("SET TimeZone = ?", [client.timezone])


# Statements that only read: SELECT in all its forms (WITH, FROM-first, VALUES, DESCRIBE, SHOW, SUMMARIZE,
# PRAGMA show_tables). A read-only connection still lets COPY ... TO, EXPORT, ATTACH or INSTALL write
# files, and EXPLAIN ANALYZE runs the statement it explains (a COPY too), so anything else is refused
# before it runs.
READING_STATEMENTS = frozenset({duckdb.StatementType.SELECT})


def reading_statement(sql: str) -> str:
    """``sql`` when it is one statement that only reads; a clear error otherwise."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise fail(f"query failed: {exc}") from None
    if len(statements) != 1:
        raise fail(f"give exactly one SQL statement (found {len(statements)})")
    kind = statements[0].type
    if kind not in READING_STATEMENTS:
        raise fail(f"the warehouse is read-only here: a {kind.name} statement is not allowed, only queries "
                   "(SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE)")
    return sql


def query(
    sql: Annotated[str, typer.Argument(help="one SQL query; the warehouse is opened read-only")],
    fmt: FormatOption = OutputFormat.table,
    out: OutOption = None,
    limit: Annotated[int | None, typer.Option(min=1, help="rows to print at most on screen (a file gets them all)")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Run one read-only SQL query on the warehouse (times in UTC; statements that write are refused)."""
    with user_errors():
        sql = reading_statement(sql)
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
    """Full-text search over posts (times in the client's time zone with --client, else UTC)."""
    from signals.search import search_posts

    with user_errors():
        ws = resolve_workspace(workspace)
        found_client = ws.client(client) if client else None
        with pipeline.warehouse_of(ws).read() as con:
            if found_client:
                show_times_in(con, found_client)
            emit(search_posts(con, text, found_client.slug if found_client else None, limit), fmt, out)


def register(app: typer.Typer) -> None:
    app.add_typer(signals_app, name="signals")
    app.command("query")(query)
    app.command("search")(search)
