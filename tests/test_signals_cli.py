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
    # Stored in UTC (17:00 and 17:30), shown in the client's zone: Rome is UTC+1 in March.
    q1 = next(r for r in shown if r["post_id"] == "x:q1")
    assert (q1["created_at"], q1["first_response_at"]) == ("2026-03-11T18:00:00+01:00", "2026-03-11T18:30:00+01:00")
    assert rete("signals", "show", "brand_daily", "--client", "nobody", "--workspace", workspace, ok=False)


def test_show_says_when_the_screen_limit_cuts_and_files_get_every_row(rete, workspace, tmp_path):
    cut = rete("signals", "show", "brand_daily", "--client", "acme", "--limit", "5", "--format", "json",
               "--workspace", workspace)
    total = len(json.loads(rete("signals", "show", "brand_daily", "--client", "acme", "--limit", "100000",
                                "--format", "json", "--workspace", workspace).stdout))
    assert total > 5 and len(json.loads(cut.stdout)) == 5
    assert f"showing the first 5 of {total:,} rows" in cut.stderr
    written = tmp_path / "daily.json"
    rete("signals", "show", "brand_daily", "--client", "acme", "--limit", "5", "--format", "json", "--out", written,
         "--workspace", workspace)
    assert len(json.loads(written.read_text(encoding="utf-8"))) == total


def test_query_is_read_only(rete, workspace, tmp_path):
    result = rete("query", "DELETE FROM posts", "--workspace", workspace, ok=False)
    assert "read-only" in result.output and "DELETE" in result.output
    # A read-only connection would still let these write files.
    exported = tmp_path / "posts.csv"
    for sql in (f"COPY (SELECT * FROM posts) TO '{exported}'", f"EXPORT DATABASE '{tmp_path / 'dump'}'",
                f"ATTACH '{tmp_path / 'other.duckdb'}' AS other", "INSTALL fts",
                f"EXPLAIN ANALYZE COPY (SELECT 42) TO '{exported}'"):  # EXPLAIN ANALYZE runs what it explains
        assert "read-only" in rete("query", sql, "--workspace", workspace, ok=False).output
    assert list(tmp_path.iterdir()) == []
    assert "exactly one" in rete("query", "SELECT 1; SELECT 2", "--workspace", workspace, ok=False).output
    assert "read-only" not in rete("query", "DESCRIBE posts", "--workspace", workspace).output
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


def test_rebuild_takes_the_clients_settings_from_the_workspace(rete, workspace, tmp_path):
    """A consultant edits a client's time zone and rebuilds: every day is recomputed in the new zone."""
    moved = tmp_path / "moved"
    moved.mkdir()
    (moved / "rete.duckdb").write_bytes((workspace / "rete.duckdb").read_bytes())
    text = (workspace / "workspace.yaml").read_text(encoding="utf-8")
    (moved / "workspace.yaml").write_text(
        text.replace(str(workspace / "rete.duckdb"), str(moved / "rete.duckdb")).replace("Europe/Rome", "America/New_York"),
        encoding="utf-8")
    out = rete("signals", "rebuild", "--workspace", moved).output
    assert "every day" in out
    with duckdb.connect(str(moved / "rete.duckdb"), read_only=True) as con:
        assert con.execute("SELECT timezone FROM clients").fetchall() == [("America/New_York",)]
        # 23:30 UTC on 14 March: the 15th in Rome, the 14th in New York
        late = con.execute("SELECT count(*) FROM signal_mention_facts WHERE post_id = 'x:late_night' "
                           "AND day = DATE '2026-03-14'").fetchone()[0]
    assert late > 0


def test_rebuild_backfill(rete, workspace):
    out = rete("signals", "rebuild", "--from", "2026-03-04", "--to", "2026-03-05", "--workspace", workspace).output
    assert "from 2 UTC days" in out
    assert "is before" in rete("signals", "rebuild", "--from", "2026-03-05", "--to", "2026-03-04",
                               "--workspace", workspace, ok=False).output
