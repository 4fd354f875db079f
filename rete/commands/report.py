"""``rete report``: render a client's weekly report and optionally e-mail it."""

from __future__ import annotations

from pathlib import Path

import typer

from rete.commands.output import stdout
from rete.commands.errors import fail, user_errors
from rete.commands.workspace import WorkspaceOption
from rete.config import resolve_workspace

console = stdout


def report(
    client: str = typer.Option(..., "--client", help="client slug or name from workspace.yaml"),
    week: str = typer.Option(..., "--week", help="ISO week in the client's time zone, e.g. 2026-W07"),
    out: Path = typer.Option(Path("out"), "--out", help="folder; the report goes to OUT/<client>-<week>/"),
    send: bool = typer.Option(False, "--send", help="e-mail it through the Airflow connection smtp_default"),
    resend: bool = typer.Option(False, "--resend", help="send again although a previous send was interrupted"),
    workspace_dir: WorkspaceOption = None,
) -> None:
    """Write report.html, report.txt, report.pdf, charts and CSV tables; with --send, e-mail them once."""
    from reports.data import IsoWeek
    from reports.mail import DeliveryFailed, DeliveryInDoubt
    from reports.render import render_report
    from reports.weekly import send_report

    with user_errors():
        workspace = resolve_workspace(workspace_dir)
        chosen = workspace.client(client)
        try:
            iso_week = IsoWeek.parse(week)
        except ValueError as exc:
            raise fail(f"--week: {exc}", code=2) from None
        rendered = render_report(workspace, chosen, iso_week, out)
        console.print(f"report: {rendered.directory}" + (" (no data this week)" if rendered.empty else ""))
        if send:
            try:
                delivery = send_report(workspace, rendered, resend=resend)
            except (DeliveryFailed, DeliveryInDoubt) as exc:
                raise fail(str(exc)) from None
            if delivery.status == "sent":
                console.print(f"sent to {', '.join(delivery.recipients)}")
            else:
                console.print(f"already sent earlier ({delivery.message_id}); not sending again")


def register(app: typer.Typer) -> None:
    app.command("report")(report)
