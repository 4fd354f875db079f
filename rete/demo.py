"""``rete demo``: the real daily DAG, run by Airflow, on the bundled demo workspace.

The demo's feeds are files in the workspace; they are served over HTTP on 127.0.0.1 while the DAG
runs, so the real RSS connector (httpx + feedparser, conditional GET) fetches them as it would fetch a
publisher's feed. Its social export is also served as X, Reddit, Mastodon and Bluesky APIs
(connectors/fakes/demo.py), so the real social connectors log in with dummy credentials and fetch it.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from rich.console import Console
from rich.table import Table

from rete import pipeline
from rete.config import REPO_ROOT, Workspace, load_workspace
from signals.warehouse import Warehouse

DEMO_FEED_PORT = 8765
OUT_DIR = REPO_ROOT / "out"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        pass


@contextmanager
def serve_folder(folder: Path, port: int = DEMO_FEED_PORT) -> Iterator[str]:
    """Serve ``folder`` read-only on http://127.0.0.1:PORT while the block runs."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


def count_posts(warehouse: Warehouse) -> int:
    if not warehouse.path.exists():
        return 0
    with warehouse.read() as con:
        return con.execute("SELECT count(*) FROM posts").fetchone()[0]


def run_daily_dag(workspace: Workspace, extra_env: dict[str, str] | None = None) -> None:
    """``airflow dags test rete_daily`` in a child process, on this workspace."""
    env = dict(os.environ, RETE_WORKSPACE=str(workspace.root), AIRFLOW_HOME=str(REPO_ROOT),
               **(extra_env or {}))
    airflow = Path(sys.executable).with_name("airflow")
    result = subprocess.run([str(airflow), "dags", "test", "rete_daily"], env=env, cwd=REPO_ROOT,
                            capture_output=True, text=True)
    log_file = workspace.state_dir / "last-demo-dag.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    log_file.write_text(result.stdout + result.stderr, encoding="utf-8")
    if result.returncode != 0 or "state=failed" in result.stdout + result.stderr:
        raise RuntimeError(f"the rete_daily DAG run failed; its log is in {log_file}")


BRANDS_SQL = """
SELECT brand, role, sum(mentions) AS mentions, sum(positive) AS positive, sum(negative) AS negative,
       round(100.0 * (sum(positive) - sum(negative)) / nullif(sum(mentions), 0)) AS net_sentiment,
       round(100.0 * sum(mentions) / nullif(sum(sum(mentions)) OVER (), 0), 1) AS share_of_voice
FROM v_brand_daily WHERE client = ? GROUP BY brand, role ORDER BY role DESC, mentions DESC
"""
RELATIONSHIP_SQL = """
SELECT brand, count(*) AS requests, count(*) FILTER (WHERE answered) AS answered,
       round(median(response_minutes)) AS median_minutes
FROM v_relationship_requests WHERE client = ? AND role = 'own' GROUP BY brand ORDER BY brand
"""
SPIKES_SQL = "SELECT day, explanation FROM v_spikes WHERE client = ? ORDER BY robust_z DESC LIMIT 3"
EMERGING_SQL = """
SELECT term, max(growth) AS growth FROM v_emerging WHERE client = ? AND emerging
GROUP BY term ORDER BY growth DESC LIMIT 5
"""


def client_summary(warehouse: Warehouse, workspace: Workspace) -> list[Table | str]:
    """Per client, over the whole demo period: brands, answers to the public, spikes, growing themes."""
    out: list[Table | str] = []
    with warehouse.read() as con:
        for client in workspace.clients:
            table = Table("brand", "role", "mentions", "positive", "negative", "net sentiment", "share of voice %",
                          title=f"{client.name} ({client.slug})")
            for row in con.execute(BRANDS_SQL, [client.slug]).fetchall():
                table.add_row(*(str(v) if v is not None else "-" for v in row))
            out.append(table)
            for brand, requests, answered, median in con.execute(RELATIONSHIP_SQL, [client.slug]).fetchall():
                wait = f", median first answer after {median:.0f} min" if median is not None else ""
                out.append(f"  {brand}: {requests} questions and complaints, {answered} answered by the brand{wait}")
            for day, explanation in con.execute(SPIKES_SQL, [client.slug]).fetchall():
                out.append(f"  spike {day}: {explanation}")
            emerging = [term for term, _ in con.execute(EMERGING_SQL, [client.slug]).fetchall()]
            out.append(f"  emerging: {', '.join(emerging) if emerging else 'nothing significant yet'}")
    return out


def run(workspace_dir: Path, console: Console) -> None:
    workspace = load_workspace(workspace_dir)
    warehouse = pipeline.warehouse_of(workspace)
    before = count_posts(warehouse)
    console.print(f"running the rete_daily DAG on {workspace.root} (Airflow home {REPO_ROOT}) ...")
    # Imported here: the fakes need werkzeug, which only the demo and the tests use.
    from connectors.fakes.demo import credential_environment, serve_demo_platforms

    with serve_folder(workspace.root), serve_demo_platforms(workspace.root):
        run_daily_dag(workspace, credential_environment())
    after = count_posts(warehouse)
    out = Console(width=max(Console().width, 110))
    for item in client_summary(warehouse, workspace):
        out.print(item, highlight=False, markup=False)
    if after == before:
        out.print(f"no new posts: the warehouse already held all {after} posts (cursors and upserts at work)")
    else:
        out.print(f"added {after - before} posts; the warehouse now holds {after}")
    from reports.weekly import write_demo_reports

    for folder in write_demo_reports(workspace, OUT_DIR):
        out.print(f"weekly report: {folder / 'report.pdf'} (e-mail HTML: {folder / 'report.html'})")
