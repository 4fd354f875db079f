"""Where a connector's secret comes from: an Airflow Connection inside Airflow, RETE_* variables elsewhere.

The connection is defined the way a deployment would define it without the metadata database: an
``AIRFLOW_CONN_<CONN_ID>`` environment variable in Airflow's JSON form. The real X connector (tweepy)
fetches from a fake X API that accepts exactly one bearer token, so only the right source of the
secret makes the fetch succeed. A refused secret must not leak into the error, the logs or the posts.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from connectors.base import Batch, SourceError
from connectors.fakes import drain, sample_posts
from connectors.fakes.x_api import FakeX
from connectors.registry import CONNECTORS
from connectors.rss import RssConnector
from connectors.staging import fetch_to_staging
from connectors.x import XConnector, XSource
from rete.config import Workspace
from rete.secrets import get_credential

REPO_ROOT = Path(__file__).resolve().parents[1]
AIRFLOW_SECRET = "airflow-conn-SECRET-7f3a"
ENV_SECRET = "env-var-SECRET-91c2"


def airflow_connection(password: str) -> str:
    return json.dumps({"conn_type": "generic", "password": password})


def x_connector(api_base: str) -> XConnector:
    return XConnector(XSource(name="x-test", type="x", queries=["barilla"], api_base=api_base,
                              first_run_lookback_hours=24 * 30, retries=0))


@pytest.fixture
def both_secrets(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_RETE_X", airflow_connection(AIRFLOW_SECRET))
    monkeypatch.setenv("RETE_X_BEARER_TOKEN", ENV_SECRET)


def test_inside_airflow_the_connection_wins(both_secrets, httpserver):
    import airflow  # noqa: F401 - a task process has airflow imported: that is what "inside Airflow" means

    httpserver.no_handler_status_code = 418
    fake = FakeX(sample_posts(12), bearer_token=AIRFLOW_SECRET)
    fake.mount(httpserver)
    posts, _, problems = drain(x_connector(httpserver.url_for("/")))
    assert problems == [] and len(posts) == 12
    assert all(AIRFLOW_SECRET not in json.dumps(p.raw) for p in posts)


def test_outside_airflow_the_environment_is_used(both_secrets):
    """A plain process (the CLI) never imports Airflow: the RETE_* variable is the secret, even with an
    Airflow connection of the same id defined. Run in a child process, since this one imports Airflow."""
    script = textwrap.dedent(f"""
        import sys
        from werkzeug.serving import make_server
        import threading
        from connectors.fakes import drain, sample_posts
        from connectors.fakes.x_api import FakeX
        from tests.test_secrets import x_connector

        server = make_server("127.0.0.1", 0, FakeX(sample_posts(12), bearer_token={ENV_SECRET!r}).wsgi())
        threading.Thread(target=server.serve_forever, daemon=True).start()
        posts, _, problems = drain(x_connector(f"http://127.0.0.1:{{server.port}}"))
        server.shutdown()
        assert problems == [] and len(posts) == 12, (len(posts), problems)
        assert "airflow" not in sys.modules, "the connector imported Airflow"
        print("fetched", len(posts))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, env=dict(os.environ),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "fetched 12"


def test_a_refused_secret_stays_out_of_errors_and_logs(both_secrets, httpserver, caplog):
    import airflow  # noqa: F401

    httpserver.no_handler_status_code = 418
    FakeX(sample_posts(3), bearer_token="the-only-accepted-token").mount(httpserver)
    caplog.set_level(logging.DEBUG)  # tweepy logs request headers at DEBUG
    with pytest.raises(SourceError) as failure:
        drain(x_connector(httpserver.url_for("/")))
    message = str(failure.value)
    assert "x-test" in message and "refused the credentials" in message
    assert "Airflow connection 'rete_x'" in message and "RETE_X_BEARER_TOKEN" in message, "says where to fix it"
    assert AIRFLOW_SECRET not in message and ENV_SECRET not in message
    assert any("Authorization" in record.getMessage() for record in caplog.records), "the headers were logged"
    assert AIRFLOW_SECRET not in caplog.text and ENV_SECRET not in caplog.text


class LeakyConnector(RssConnector):
    """A connector with a bug whose exception quotes the token it was given, as a client library's error
    can. No shipped connector fails this way on purpose: the staging step must keep the secret out anyway."""

    def fetch(self, cursor):
        token = get_credential("rete_x").require_password(self.config.name, "X bearer token")
        yield Batch(posts=[], cursor={"page": 1})
        raise RuntimeError(f"GET https://api.example/search?token={token} failed")


def test_an_unexpected_connector_error_is_staged_and_logged_without_the_secret(
        both_secrets, tmp_path, monkeypatch, caplog):
    monkeypatch.setitem(CONNECTORS, "rss", LeakyConnector)
    workspace = Workspace.model_validate({
        "name": "t", "clients": [{"name": "Acme", "slug": "acme", "brands": [{"name": "Acme"}]}],
        "sources": [{"name": "news", "type": "rss", "urls": ["https://feeds.example/news.xml"]}],
    })
    workspace.root = tmp_path
    caplog.set_level(logging.INFO)
    with pytest.raises(SourceError) as failure:
        fetch_to_staging(workspace, "news", None, tmp_path / "staging", "run-1")
    staged = (tmp_path / "staging" / "news.meta.json").read_text(encoding="utf-8")
    assert "RuntimeError" in str(failure.value) and "RuntimeError" in staged and "Traceback" in caplog.text
    assert '"page": 1' in staged  # the progress before the failure is kept
    for secret in (AIRFLOW_SECRET, ENV_SECRET):
        assert secret not in str(failure.value) and secret not in staged and secret not in caplog.text
