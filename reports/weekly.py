"""The weekly report end to end: which week, render, send. Called by ``rete report`` and ``rete_weekly``."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from rete.config import Client, Workspace, load_workspace
from rete.post import now_utc
from reports import data
from reports.data import IsoWeek
from reports.mail import Delivery, build_message, deliver
from reports.render import RenderedReport, render_report
from signals.warehouse import Warehouse

log = logging.getLogger(__name__)
KIND = "weekly_report"


def previous_week(client: Client, at: datetime) -> IsoWeek:
    """The last complete client-local ISO week before the instant ``at`` (a Monday run reports last week)."""
    return IsoWeek.containing(at.astimezone(client.zone).date()).shifted(-1)


def send_report(workspace: Workspace, report: RenderedReport, *, resend: bool = False,
                conn_id: str = "smtp_default") -> Delivery:
    def compose(sender: str, msg_id: str):
        return build_message(
            subject=report.subject, sender=sender, recipients=list(report.client.report.recipients),
            text=report.text.read_text(encoding="utf-8"), html=report.html.read_text(encoding="utf-8"),
            images={cid: path.read_bytes() for cid, path in report.images.items()},
            attachments=[report.pdf, *report.csvs], msg_id=msg_id,
        )

    return deliver(warehouse=Warehouse(workspace.warehouse_path), kind=KIND, client=report.client,
                   key=str(report.week), recipients=list(report.client.report.recipients), compose=compose,
                   conn_id=conn_id, resend=resend)


def run_weekly(workspace_dir: str | Path, client_slug: str, at: datetime, out_dir: str | Path | None = None,
               send: bool = True) -> dict:
    """Render (and send) the report of the week before ``at``; what the ``rete_weekly`` DAG runs."""
    workspace = load_workspace(workspace_dir)
    client = workspace.client(client_slug)
    week = previous_week(client, at)
    out = Path(out_dir) if out_dir else workspace.state_dir / "reports"
    report = render_report(workspace, client, week, out)
    summary = {"client": client.slug, "week": str(week), "directory": str(report.directory), "empty": report.empty}
    if send:
        summary["delivery"] = send_report(workspace, report).status
    return summary


def write_demo_reports(workspace: Workspace, out_dir: Path) -> list[Path]:
    """Each client's report for its latest full week with data, into ``out_dir``; the report folders."""
    written = []
    for client in workspace.clients:
        with Warehouse(workspace.warehouse_path).read() as con:
            week = data.latest_full_week(con, client) or previous_week(client, now_utc())
        written.append(render_report(workspace, client, week, Path(out_dir)).directory)
    return written
