"""`rete signals`, `rete query` and `rete search` on a planted warehouse, through the real CLI code."""

from __future__ import annotations

import json

import duckdb
import pytest
import typer
from typer.testing import CliRunner

import signals_fixture as planted_data
from rete.commands import signals as signal_commands
from signals.rebuild import rebuild_signals

WORKSPACE = """\
name: planted
warehouse: {warehouse}
clients:
  - name: Acme S.p.A.
    slug: acme
    timezone: Europe/Rome
    brands:
      - name: Acme
        handles: ["@acme"]
    competitors:
      - name: Rival
        handles: ["@rival"]
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("workspace")
    planted = planted_data.build(folder / "rete.duckdb")
    rebuild_signals(planted.warehouse, planted_data.all_days())
    (folder / "workspace.yaml").write_text(WORKSPACE.format(warehouse=folder / "rete.duckdb"), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def rete():
    app = typer.Typer()
    signal_commands.register(app)
    runner = CliRunner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        assert (result.exit_code == 0) == ok, result.output
        return result

    return run


def test_list_and_describe(rete):
    listed = rete("signals", "list").output
    for name in ("brand_daily", "relationship_requests", "interest_trends", "spikes", "network"):
        assert name in listed
    described = rete("signals", "describe", "relationship_daily").output
    assert "share_answered" in described and "Late data" in described
    assert "no signal 'nope'" in rete("signals", "describe", "nope", ok=False).output


def test_show_filters_client_and_days(rete, workspace):
    out = rete("signals", "show", "relationship_requests", "--client", "acme", "--from", "2026-03-11",
               "--to", "2026-03-11", "--format", "json", "--workspace", workspace).output
    shown = json.loads(out)
    assert sorted(r["post_id"] for r in shown) == ["x:q1", "x:q2", "x:q3", "x:q4"]
    assert rete("signals", "show", "brand_daily", "--client", "nobody", "--workspace", workspace, ok=False)


def test_query_is_read_only(rete, workspace):
    result = rete("query", "DELETE FROM posts", "--workspace", workspace, ok=False)
    assert "read-only" in result.output
    count = rete("query", "SELECT count(*) AS n FROM posts", "--format", "json", "--workspace", workspace).output
    assert json.loads(count)[0]["n"] > 2000


def test_query_writes_parquet_and_csv(rete, workspace, tmp_path):
    target = tmp_path / "spikes.parquet"
    rete("query", "SELECT * FROM v_spikes", "--format", "parquet", "--out", target, "--workspace", workspace)
    assert duckdb.sql(f"SELECT count(*) FROM '{target}'").fetchone()[0] == 2
    csv_file = tmp_path / "weekly.csv"
    rete("query", "SELECT brand, week, mentions FROM v_brand_weekly ORDER BY ALL", "--format", "csv",
         "--out", csv_file, "--workspace", workspace)
    assert csv_file.read_text().splitlines()[0] == "brand,week,mentions"
    assert "needs --out" in rete("query", "SELECT 1", "--format", "parquet", "--workspace", workspace, ok=False).output


def test_full_text_search(rete, workspace):
    hits = json.loads(rete("search", "pacco rotto", "--client", "acme", "--format", "json",
                           "--workspace", workspace).output)
    assert hits[0]["post_id"] == "x:q3"


def test_rebuild_backfill(rete, workspace):
    out = rete("signals", "rebuild", "--from", "2026-03-04", "--to", "2026-03-05", "--workspace", workspace).output
    assert "from 2 UTC days" in out
    assert "is before" in rete("signals", "rebuild", "--from", "2026-03-05", "--to", "2026-03-04",
                               "--workspace", workspace, ok=False).output
