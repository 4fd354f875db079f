"""Writing Python-computed rows into DuckDB in one statement.

DuckDB's ``executemany`` runs one INSERT per row, and converting Python objects costs it an
optional-import probe per value; a few thousand rows took seconds. The rows travel instead as one
JSON string that DuckDB parses into the table's own column types.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import duckdb


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Insert ``rows`` (tuples in the table's column order) into ``table``, a trusted name whose
    columns are all scalars (JSON structures spell list types differently)."""
    if not rows:
        return
    columns = con.execute(f"DESCRIBE {table}").fetchall()
    nested = [name for name, type_, *_ in columns if type_.endswith("]") or "(" in type_ and "DECIMAL" not in type_]
    if nested:
        raise TypeError(f"insert_rows: {table} has non-scalar columns {nested}")
    names = [name for name, *_ in columns]
    structure = json.dumps({name: type_ for name, type_, *_ in columns})
    payload = json.dumps([dict(zip(names, row)) for row in rows], default=_plain)
    con.execute(
        f"INSERT INTO {table} BY NAME SELECT unnest(from_json(?::JSON, ?), recursive := true)",
        [payload, f"[{structure}]"],
    )
