"""``rete sources status`` over a real DuckDB warehouse with recorded runs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import yaml
import typer
from typer.testing import CliRunner

from rete.commands import sources
from signals.warehouse import Warehouse


def test_status_marks_three_failures_in_a_row_unhealthy(tmp_path):
    (tmp_path / "workspace.yaml").write_text(yaml.safe_dump({
        "name": "acme", "warehouse": "wh.duckdb",
        "clients": [{"name": "Acme", "slug": "acme", "brands": [{"name": "Acme"}]}],
        "sources": [{"name": "x-acme", "type": "x", "queries": ["acme"]},
                    {"name": "fedi", "type": "mastodon", "instances": ["https://mastodon.uno"],
                     "hashtags": ["#acme"]},
                    {"name": "never", "type": "reddit", "subreddits": ["italy"]}],
    }))
    start = datetime(2026, 11, 1, 6, tzinfo=timezone.utc)
    runs = [("x-acme", 0, "ok", None, 40), ("x-acme", 1, "failed", "source 'x-acme': HTTP 401 [bold]", 0),
            ("x-acme", 2, "failed", "boom", 0), ("x-acme", 3, "failed", "source 'x-acme': refused", 0),
            ("fedi", 0, "failed", "timeout", 0), ("fedi", 1, "partial", None, 12)]
    with Warehouse(tmp_path / "wh.duckdb").write() as con:
        for source, day, status, error, fetched in runs:
            at = start + timedelta(days=day)
            con.execute("INSERT INTO source_runs (source, run_id, started_at, finished_at, status, posts_fetched,"
                        " posts_new, error, problems) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
                        [source, f"run{day}", at, at + timedelta(minutes=1), status, fetched, fetched, error])

    app = typer.Typer()  # only this command: the rest of the CLI is other areas' business
    sources.register(app)
    result = CliRunner().invoke(app, ["sources", "status", "--workspace", str(tmp_path)], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    lines = {line.split()[1]: line for line in result.output.splitlines() if line.startswith("│")}
    assert "unhealthy" in lines["x-acme"] and "refused" in lines["x-acme"] and " 3 " in lines["x-acme"]
    assert "healthy" in lines["fedi"] and "unhealthy" not in lines["fedi"] and "12" in lines["fedi"]
    assert "never run" in lines["never"]
    assert "2026-11-01 07:01" in lines["x-acme"], "times shown in the client's zone (Europe/Rome)"
