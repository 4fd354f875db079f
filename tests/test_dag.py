"""The DAGs under real Airflow: they import cleanly, and rete_daily runs end to end with dag.test()."""

from __future__ import annotations

import json
import json
import shutil
from pathlib import Path

import pytest
import yaml

from connectors.fakes.demo import DEMO_PORTS, credential_environment, serve_demo_platforms
from signals.warehouse import Warehouse

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO = REPO_ROOT / "examples" / "demo"
pytestmark = pytest.mark.slow


def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO_ROOT / "dags"))


def test_dagbag_has_no_import_errors(monkeypatch):
    monkeypatch.setenv("RETE_WORKSPACE", str(DEMO))
    bag = dagbag()
    assert bag.import_errors == {}
    assert "rete_daily" in bag.dags


@pytest.fixture
def social_platforms(monkeypatch):
    """The demo's social platforms (fakes serving its export) on free ports, and their dummy credentials.
    The workspace copies below hold the same export, so these serve the copies' posts too."""
    for name, value in credential_environment().items():
        monkeypatch.setenv(name, value)
    with serve_demo_platforms(DEMO, ports=dict.fromkeys(DEMO_PORTS, 0)) as urls:
        yield urls


def demo_copy(tmp_path: Path, httpserver, social_platforms: dict[str, str], rss_status: int = 200) -> Path:
    """The demo workspace copied to tmp_path, its feeds served by a real HTTP server on 127.0.0.1 and
    its social sources pointed at ``social_platforms``."""
    workspace = tmp_path / "ws"
    shutil.copytree(DEMO, workspace, ignore=shutil.ignore_patterns(".rete", "warehouse", "*.duckdb*"))
    config = yaml.safe_load((workspace / "workspace.yaml").read_text(encoding="utf-8"))
    for source in config["sources"]:
        if source["type"] in social_platforms:
            source["api_base"] = social_platforms[source["type"]]
        if source["type"] != "rss":
            continue
        urls = []
        for url in source["urls"]:
            path = "/" + url.split("/", 3)[3]
            body = (workspace / path.lstrip("/")).read_bytes()
            if rss_status == 200:
                httpserver.expect_request(path).respond_with_data(body, content_type="application/rss+xml")
            else:
                httpserver.expect_request(path).respond_with_data("down", status=rss_status)
            urls.append(httpserver.url_for(path))
        source["urls"] = urls
    (workspace / "workspace.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                                              encoding="utf-8")
    return workspace


def run_daily(workspace: Path, monkeypatch):
    monkeypatch.setenv("RETE_WORKSPACE", str(workspace))
    dag = dagbag().dags["rete_daily"]
    # dag.test() honours retry delays (minutes in production); a failure here must show at once.
    for task in dag.tasks:
        task.retries = 0
    return dag.test()


def rows(workspace: Path, sql: str) -> list[tuple]:
    with Warehouse(workspace / "warehouse" / "rete.duckdb").read() as con:
        return con.execute(sql).fetchall()


def expected_posts(workspace: Path) -> int:
    """Distinct posts in the export: the social sources fetch the same posts under the same ids."""
    export = workspace / "data" / "social_export.jsonl"
    rows = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines() if line.strip()]
    return len({(row["network"], row["post_id"]) for row in rows})


def test_daily_dag_end_to_end_and_idempotent(tmp_path, httpserver, social_platforms, monkeypatch, airflow_db):
    httpserver.no_handler_status_code = 418
    workspace = demo_copy(tmp_path, httpserver, social_platforms)
    run = run_daily(workspace, monkeypatch)
    assert run.state == "success"

    social = rows(workspace, "SELECT count(*) FROM posts WHERE platform <> 'rss'")[0][0]
    feed_items = rows(workspace, "SELECT count(*) FROM posts WHERE platform = 'rss'")[0][0]
    assert social == expected_posts(workspace)
    assert feed_items > 0
    # the real social connectors fetched from the fakes, and their posts merged with the export's
    fetched = dict(rows(workspace, "SELECT source, sum(posts_fetched) FROM source_runs WHERE status = 'ok' "
                                   "GROUP BY source"))
    social_sources = [s["name"] for s in yaml.safe_load((workspace / "workspace.yaml").read_text())["sources"]
                      if s["type"] in social_platforms]
    assert len(social_sources) == 4 and all(fetched.get(name, 0) > 0 for name in social_sources), fetched
    # every post enriched, brand mentions found for every client's own brands
    assert rows(workspace, "SELECT count(*) FROM posts p LEFT JOIN enrichments e ON e.post_id = p.id "
                           "WHERE e.post_id IS NULL")[0][0] == 0
    # each enrichment and mention carries its post's time (the signal rebuild reads them by it)
    assert rows(workspace, "SELECT count(*) FROM enrichments e JOIN posts p ON p.id = e.post_id "
                           "WHERE e.created_at IS DISTINCT FROM p.created_at")[0][0] == 0
    assert rows(workspace, "SELECT count(*) FROM mentions m JOIN posts p ON p.id = m.post_id "
                           "WHERE m.created_at IS DISTINCT FROM p.created_at")[0][0] == 0
    per_client = dict(rows(workspace, "SELECT cb.client, count(*) FROM mentions m JOIN client_brands cb "
                                      "ON cb.brand = m.brand AND cb.role = 'own' GROUP BY cb.client"))
    assert set(per_client) == {c["slug"] for c in yaml.safe_load((workspace / "workspace.yaml").read_text())["clients"]}
    assert all(count > 50 for count in per_client.values())
    assert rows(workspace, "SELECT count(*) FROM pending_signal_days")[0][0] == 0
    assert rows(workspace, "SELECT count(DISTINCT status) FROM source_runs WHERE status = 'failed'")[0][0] == 0
    # signal_brand_daily counts posts naming a brand, leaving out the client's own brand accounts
    daily = rows(workspace, "SELECT count(*), sum(mentions) FROM signal_brand_daily")[0]
    independent = rows(workspace, """
        SELECT count(*) FROM (
            SELECT DISTINCT cb.client, m.brand, m.post_id
            FROM mentions m JOIN client_brands cb ON cb.brand = m.brand JOIN posts p ON p.id = m.post_id
            WHERE coalesce(lower(p.author_handle), '') NOT IN (
                SELECT unnest(handles) FROM client_brands own WHERE own.client = cb.client))""")[0][0]
    assert daily[0] > 0 and daily[1] == independent

    assert_planted_truth(workspace)

    snapshot = rows(workspace, "SELECT * EXCLUDE (raw) FROM posts ORDER BY id")
    signals = rows(workspace, "SELECT * FROM signal_brand_daily ORDER BY ALL")
    second = run_daily(workspace, monkeypatch)
    assert second.state == "success"
    assert rows(workspace, "SELECT * EXCLUDE (raw) FROM posts ORDER BY id") == snapshot
    assert rows(workspace, "SELECT * FROM signal_brand_daily ORDER BY ALL") == signals
    new_in_second = rows(workspace, "SELECT sum(posts_new) FROM source_runs GROUP BY run_id ORDER BY min(started_at)")
    assert new_in_second[-1][0] == 0


def assert_planted_truth(workspace: Path) -> None:
    """What the demo generator planted must come out of the whole pipeline (NLP included)."""
    truth = json.loads((workspace / "data" / "planted_truth.json").read_text(encoding="utf-8"))
    spike = truth["negative_spike"]
    spikes = rows(workspace, "SELECT DISTINCT brand, CAST(day AS VARCHAR) FROM v_spikes")
    assert (spike["brand"], spike["day"]) in spikes, spikes

    def wid(item: dict) -> str:
        return f"{item['network']}:{item['post_id']}"

    requests = {pid: (answered, minutes) for pid, answered, minutes in
                rows(workspace, "SELECT post_id, answered, response_minutes FROM v_relationship_requests")}
    answered = [(requests.get(wid(a)), a["first_response_minutes"]) for a in truth["answered"]]
    found = [(got, expected) for got, expected in answered if got is not None]
    # The NLP must recognise most planted questions as requests; those it does carry the exact timing.
    assert len(found) >= 0.8 * len(answered), f"{len(found)} of {len(answered)} planted questions detected"
    assert all(got[0] and abs(got[1] - expected) < 1 for got, expected in found)
    unanswered = [requests[wid(u)] for u in truth["unanswered"] if wid(u) in requests]
    assert len(unanswered) >= 0.8 * len(truth["unanswered"]) and not any(flag for flag, _ in unanswered)

    carriers = {author for (author,) in rows(workspace, "SELECT author FROM v_network_carriers WHERE rank <= 10")}
    assert all(f"@{c['screen_name']}" in carriers for c in truth["carriers"]), carriers
    campaign = {f"@{a}" for a in truth["campaign"]["accounts"]}
    flagged = {author for (author,) in rows(workspace, "SELECT DISTINCT p.author_handle FROM posts p "
                                                       "JOIN signal_coordinated_posts c ON c.post_id = p.id")}
    assert campaign <= flagged
    emerging = {term for (term,) in rows(workspace, "SELECT DISTINCT term FROM v_emerging WHERE emerging")}
    assert any(term.startswith(truth["growing_theme"]["theme"]) for term in emerging), emerging


def test_one_failing_source_does_not_stop_the_others(tmp_path, httpserver, social_platforms, monkeypatch,
                                                     airflow_db):
    httpserver.no_handler_status_code = 418
    workspace = demo_copy(tmp_path, httpserver, social_platforms, rss_status=500)
    run = run_daily(workspace, monkeypatch)
    states = {(ti.task_id, ti.map_index): ti.state for ti in run.get_task_instances()}
    assert any(task == "fetch" and state == "failed" for (task, _), state in states.items())
    assert states[("load", -1)] == "success"
    assert states[("signals", -1)] == "success"
    assert rows(workspace, "SELECT count(*) FROM posts")[0][0] == expected_posts(workspace)
    failed = rows(workspace, "SELECT source, error FROM source_runs WHERE status = 'failed'")
    assert failed and all("500" in error for _, error in failed)
