"""rete_weekly under real Airflow (dag.test()): one client's report rendered and e-mailed through the
smtp_default connection to a real SMTP server (aiosmtpd on 127.0.0.1), and never sent twice."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

import report_fixture as fx
from reports import mail
from signals.warehouse import Warehouse

pytestmark = pytest.mark.slow

# Monday 9 November 2026, 08:30 in Rome: Pasta Rossi's slot; the report is the week before, 2026-W45.
RUN_AT = datetime(2026, 11, 9, 7, 30, tzinfo=timezone.utc)


def weekly_dag(workspace, monkeypatch, client: str):
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("RETE_WORKSPACE", str(workspace.root))
    bag = DagBag(dag_folder=str(fx.REPO_ROOT / "dags" / "rete_weekly.py"))
    assert bag.import_errors == {}
    return bag.dags[f"rete_weekly_{client}"]


def test_weekly_dag_sends_the_report_once(tmp_path, monkeypatch, smtp, airflow_db):
    workspace = fx.build(tmp_path / "ws")
    dag = weekly_dag(workspace, monkeypatch, "rossi")

    run = dag.test(logical_date=RUN_AT)
    assert run.state == "success"
    assert len(smtp.envelopes) == 1
    envelope, message = smtp.envelopes[0], smtp.messages()[0]
    assert envelope.rcpt_tos == ["marketing@rossi.example", "ceo@rossi.example"]
    assert message["Subject"] == f"Report settimanale · Pasta Rossi · {fx.WEEK}"
    assert "Settimana 2026-W45" in message.get_body(("plain",)).get_content()
    assert {p.get_filename() for p in message.iter_attachments()} >= {"report.pdf", "headline.csv"}
    pdf = workspace.state_dir / "reports" / f"rossi-{fx.WEEK}" / "report.pdf"
    first_render = pdf.stat().st_mtime_ns

    # A second run for the same slot (a retry, a manual re-trigger) renders again but does not re-send.
    again = dag.test(run_after=RUN_AT.replace(minute=45), logical_date=RUN_AT.replace(minute=45))
    assert again.state == "success" and pdf.stat().st_mtime_ns > first_render  # the task did run
    assert len(smtp.envelopes) == 1
    with Warehouse(workspace.warehouse_path).read() as con:
        assert con.execute("SELECT status, attempts FROM deliveries WHERE kind = 'weekly_report' "
                           "AND client = 'rossi' AND key = ?", [fx.WEEK]).fetchall() == [("sent", 1)]
