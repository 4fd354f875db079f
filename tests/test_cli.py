"""The workspace commands as a consultant types them: init, check, ingest."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from rete.cli import app
from signals.warehouse import Warehouse

runner = CliRunner()


def test_init_writes_a_workspace_that_validates_and_is_never_overwritten(tmp_path):
    target = tmp_path / "agency"
    first = runner.invoke(app, ["init", str(target)])
    assert first.exit_code == 0, first.output
    check = runner.invoke(app, ["ingest", "--workspace", str(target), "--check"])
    assert check.exit_code == 0 and "ok" in check.output
    again = runner.invoke(app, ["init", str(target)])
    assert again.exit_code == 1 and "already exists" in again.output


def test_a_broken_workspace_is_one_line_naming_file_and_line(tmp_path):
    runner.invoke(app, ["init", str(tmp_path)])
    path = tmp_path / "workspace.yaml"
    path.write_text(path.read_text().replace('handles: ["@esempio_pasta"]', 'handles: ["esempio_pasta"]'))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if '"esempio_pasta"' in text)
    result = runner.invoke(app, ["ingest", "--workspace", str(tmp_path), "--check"])
    assert result.exit_code == 1
    assert f"workspace.yaml, line {line}" in result.output and "handle" in result.output
    assert "Traceback" not in result.output


def test_ingest_runs_every_stage_and_a_second_run_adds_nothing(tmp_path):
    workspace = {
        "name": "cli-test",
        "clients": [{"name": "Acme", "slug": "acme", "language": "en",
                     "brands": [{"name": "Acme", "handles": ["@acme"]}],
                     "competitors": [{"name": "Globex"}]}],
        "sources": [{"name": "export", "type": "file", "path": "export.jsonl", "platform": "x"}],
    }
    (tmp_path / "workspace.yaml").write_text(yaml.safe_dump(workspace))
    posts = [{"native_id": str(n), "text": text, "created_at": f"2026-11-{10 + n % 5}T10:00:00Z",
              "author": {"handle": f"user{n}"}}
             for n, text in enumerate(["I love Acme pasta", "Acme still no reply after 3 days, terrible",
                                       "Globex or Acme? which is better", "@acme where is my order?",
                                       "Globex is fine I guess"] * 4)]
    (tmp_path / "export.jsonl").write_text("".join(json.dumps(p) + "\n" for p in posts))

    first = runner.invoke(app, ["ingest", "--workspace", str(tmp_path)])
    assert first.exit_code == 0, first.output
    with Warehouse(tmp_path / "warehouse" / "rete.duckdb").read() as con:
        assert con.execute("SELECT count(*) FROM posts").fetchone()[0] == len(posts)
        brands = dict(con.execute("SELECT brand, sum(mentions) FROM v_brand_daily GROUP BY brand").fetchall())
        requests = con.execute("SELECT count(*) FROM v_relationship_requests WHERE brand = 'Acme'").fetchone()[0]
    assert brands == {"Acme": 16, "Globex": 8}
    assert requests >= 8  # the complaint and the question, four times each

    second = runner.invoke(app, ["ingest", "--workspace", str(tmp_path)])
    assert second.exit_code == 0, second.output
    with Warehouse(tmp_path / "warehouse" / "rete.duckdb").read() as con:
        new = con.execute("SELECT posts_new FROM source_runs ORDER BY finished_at DESC LIMIT 1").fetchone()[0]
    assert new == 0
