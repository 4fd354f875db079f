"""The DuckDB warehouse: one file per workspace, versioned migrations, one writer at a time.

DuckDB lets a single process open a file for writing. Rete respects that by design:
- connectors never open the warehouse; parallel fetch tasks write staged files instead;
- every warehouse access goes through ``Warehouse.write()`` / ``Warehouse.read()``, which take an
  exclusive / shared ``flock`` on a lock file beside the database first. Two writers (the daily DAG's
  loader and a consultant's ``rete signals``, or two DAG runs) therefore queue instead of failing,
  and readers wait while a write is in progress.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

MEMORY_LIMIT_ENV = "RETE_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "4GB"
MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class WarehouseBusy(RuntimeError):
    """Another process kept the warehouse lock for longer than we were willing to wait."""


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every migration shipped in signals/migrations, in order."""
    found = []
    for entry in resources.files("signals.migrations").iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migrations share a version number: {versions}")
    return found


class Warehouse:
    def __init__(self, path: str | Path, lock_timeout: float = 900.0):
        self.path = Path(path)
        self.lock_timeout = lock_timeout

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".writer-lock")

    @contextmanager
    def _locked(self, mode: int) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a+") as handle:
            deadline = time.monotonic() + self.lock_timeout
            announced = False
            while True:
                try:
                    fcntl.flock(handle, mode | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise WarehouseBusy(
                            f"{self.path}: still in use by another process after {self.lock_timeout:.0f}s"
                        ) from None
                    if not announced:
                        log.info("waiting for the warehouse %s, in use by another process", self.path)
                        announced = True
                    time.sleep(0.2)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @staticmethod
    def _prepare(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        con.execute("SET TimeZone = 'UTC'")
        # DuckDB would take up to 80% of RAM; Airflow workers and the report renderer share the machine.
        con.execute("SET memory_limit = ?", [os.environ.get(MEMORY_LIMIT_ENV, DEFAULT_MEMORY_LIMIT)])
        return con

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """An exclusive read-write connection with every migration applied."""
        with self._locked(fcntl.LOCK_EX):
            con = self._prepare(duckdb.connect(str(self.path)))
            try:
                self._migrate(con)
                yield con
            finally:
                con.close()

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection; the database must exist (run a write first)."""
        if not self.path.exists():
            raise FileNotFoundError(f"{self.path}: no warehouse yet (run `rete ingest` or `make demo` first)")
        with self._locked(fcntl.LOCK_SH):
            con = self._prepare(duckdb.connect(str(self.path), read_only=True))
            try:
                yield con
            finally:
                con.close()

    def _migrate(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
        )
        applied = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
        for version, name, sql in migrations():
            if version in applied:
                continue
            log.info("applying warehouse migration %s", name)
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(sql)
                con.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name]
                )
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
