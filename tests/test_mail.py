"""Reports and alerts e-mailed to a real SMTP server (aiosmtpd on 127.0.0.1) through Airflow's SmtpHook."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import pytest
from aiosmtpd.controller import Controller

import report_fixture as fx
from reports import mail
from reports.alerts import send_spike_alerts
from reports.data import IsoWeek
from reports.mail import DeliveryFailed, DeliveryInDoubt, Ledger
from reports.render import render_report
from reports.weekly import send_report
from signals.warehouse import Warehouse
from test_report import pdf_pages_with_ink

NOW = datetime(2026, 11, 10, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def workspace(tmp_path):
    return fx.build(tmp_path / "ws")


def render(workspace, tmp_path, slug="rossi"):
    return render_report(workspace, workspace.client(slug), IsoWeek.parse(fx.WEEK), tmp_path / "out", NOW)


def test_report_arrives_complete_and_only_once(workspace, tmp_path, smtp):
    report = render(workspace, tmp_path)
    assert send_report(workspace, report).status == "sent"
    assert send_report(workspace, report).status == "skipped"  # a re-run never sends twice
    assert len(smtp.envelopes) == 1

    envelope, message = smtp.envelopes[0], smtp.messages()[0]
    assert envelope.rcpt_tos == ["marketing@rossi.example", "ceo@rossi.example"]
    assert envelope.mail_from == "reports@rete.example"
    assert message["Subject"] == "Report settimanale · Pasta Rossi · 2026-W45"
    assert message["Message-ID"].endswith("@rete.example>")

    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "RELAZIONE CON IL PUBBLICO" in text and "Relazione con il pubblico" in html

    related = next(p for p in message.walk() if p.get_content_type() == "multipart/related")
    images = {p["Content-ID"].strip("<>"): p for p in related.iter_parts() if p.get_content_maintype() == "image"}
    assert set(images) == {"volume_sentiment", "share_of_voice"}
    for cid, part in images.items():
        assert f'src="cid:{cid}"' in html
        assert part.get_content()[:8] == b"\x89PNG\r\n\x1a\n"

    attachments = {p.get_filename(): p for p in message.iter_attachments()}
    assert "report.pdf" in attachments and "share_of_voice.csv" in attachments
    pdf = tmp_path / "received.pdf"
    pdf.write_bytes(attachments["report.pdf"].get_content())
    assert all(share > 0.01 for share in pdf_pages_with_ink(pdf))

    # Hostile post text and author names: escaped in the HTML, nowhere in the headers.
    assert "<script>" not in html and "&lt;script&gt;" in html
    headers = "\n".join(f"{k}: {v}" for k, v in message.items())
    assert "evil" not in headers.lower() and "script" not in headers.lower()
    assert "Bcc" not in headers and "evil@x.example" not in envelope.rcpt_tos


def test_failed_send_is_retried_reported_and_sent_once_later(workspace, tmp_path, monkeypatch, caplog):
    port = fx.free_port()  # nothing listens here yet
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", fx.smtp_connection_json(port))
    monkeypatch.setattr(mail, "SEND_WAIT_SECONDS", 0.01)
    report = render(workspace, tmp_path, "acme")
    with caplog.at_level(logging.WARNING, logger="reports.mail"), pytest.raises(DeliveryFailed, match="acme"):
        send_report(workspace, report)
    assert sum("retrying" in r.getMessage() for r in caplog.records) == mail.SEND_ATTEMPTS - 1
    ledger = Ledger(Warehouse(workspace.warehouse_path))
    status, attempts, error = ledger.status("weekly_report", "acme", fx.WEEK)
    assert status == "failed" and "Connection refused" in error

    inbox = fx.Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert send_report(workspace, report).status == "sent"
        assert send_report(workspace, report).status == "skipped"
    finally:
        controller.stop()
    assert len(inbox.envelopes) == 1
    assert ledger.status("weekly_report", "acme", fx.WEEK)[:2] == ("sent", 2)


def test_interrupted_send_is_not_repeated_without_resend(workspace, tmp_path, smtp):
    report = render(workspace, tmp_path, "acme")
    ledger = Ledger(Warehouse(workspace.warehouse_path))
    # A previous run claimed the send and died before recording the outcome.
    assert ledger.claim("weekly_report", "acme", fx.WEEK, "<x@rete.example>", ["team@acme.example"], False)
    with pytest.raises(DeliveryInDoubt, match="--resend"):
        send_report(workspace, report)
    assert smtp.envelopes == []
    assert send_report(workspace, report, resend=True).status == "sent"
    assert len(smtp.envelopes) == 1


def test_spike_alerts_are_sent_once_per_spike(workspace, smtp):
    warehouse = Warehouse(workspace.warehouse_path)
    thursday = datetime(2026, 11, 5, 7, 0, tzinfo=timezone.utc)
    first = send_spike_alerts(workspace, warehouse, now=thursday)
    assert (first["sent"], first["failed"]) == (2, [])  # volume and negative share, Wednesday 4 Nov
    again = send_spike_alerts(workspace, warehouse, now=thursday)
    assert (again["sent"], again["already_sent"]) == (0, 2)
    assert len(smtp.envelopes) == 2
    message = smtp.messages()[0]
    assert message["Subject"] == "Allerta picco · Pasta Rossi · Rossi · 2026-11-04"
    assert smtp.envelopes[0].rcpt_tos == ["alerts@rossi.example"]
    assert "packaging" in message.get_body(("plain",)).get_content()


def test_weekly_dags_one_per_client_on_local_schedule(workspace, monkeypatch):
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("RETE_WORKSPACE", str(workspace.root))
    bag = DagBag(dag_folder=str(fx.REPO_ROOT / "dags" / "rete_weekly.py"))
    assert bag.import_errors == {}
    rossi, acme = bag.dags["rete_weekly_rossi"], bag.dags["rete_weekly_acme"]
    assert (rossi.timetable._expression, str(rossi.timetable._timezone)) == ("30 8 * * 1", "Europe/Rome")
    assert (acme.timetable._expression, str(acme.timetable._timezone)) == ("0 17 * * 5", "Europe/London")
