"""Test-wide setup. Airflow reads its settings when first imported, so they are fixed here, before
any test module imports it: the repo's dags/ folder, and a throw-away SQLite metadata database."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
_AIRFLOW_TMP = Path(tempfile.mkdtemp(prefix="rete-test-airflow-"))
os.environ["AIRFLOW_HOME"] = str(REPO_ROOT)
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_AIRFLOW_TMP}/airflow.db"
os.environ["AIRFLOW__LOGGING__BASE_LOG_FOLDER"] = str(_AIRFLOW_TMP / "logs")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ.pop("RETE_WORKSPACE", None)


@pytest.fixture(scope="session")
def airflow_db():
    """A fresh Airflow metadata database, created once per test session when a test needs it."""
    from airflow.utils import db

    db.resetdb()
    return _AIRFLOW_TMP / "airflow.db"


@pytest.fixture
def smtp(monkeypatch):
    """A real SMTP server on 127.0.0.1 behind the `smtp_default` connection; yields its inbox."""
    import report_fixture as fx
    from aiosmtpd.controller import Controller

    from reports import mail

    port = fx.free_port()
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", fx.smtp_connection_json(port))
    monkeypatch.setattr(mail, "SEND_WAIT_SECONDS", 0.01)
    inbox = fx.Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox
    controller.stop()
