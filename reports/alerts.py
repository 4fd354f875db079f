"""Daily spike alerts: one e-mail per new spike of a client's brands, never twice for the same spike.

Called by the daily DAG after the signals are rebuilt. It looks at the last ``LOOKBACK_DAYS`` local days
(so a late or re-run DAG still alerts) and relies on the deliveries ledger (kind ``spike_alert``, key
``day:kind:brand``) so that a spike seen again on the next run is not re-sent.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from rete.config import Client, Workspace
from rete.post import now_utc
from reports import data
from reports.i18n import Translator
from reports.mail import DeliveryFailed, DeliveryInDoubt, build_message, deliver
from reports.render import ENV, spike_line
from reports.style import PALETTE, STYLE
from signals.warehouse import Warehouse

log = logging.getLogger(__name__)
KIND = "spike_alert"
LOOKBACK_DAYS = 3


def alert_subject(client: Client, spike: data.Spike) -> str:
    """Only configuration (client and brand names from workspace.yaml) and the date: never post text."""
    t = Translator(client.language)
    return f"{t('alert_title')} · {client.name} · {spike.brand} · {spike.day.isoformat()}"


def compose_alert(client: Client, spike: data.Spike):
    t = Translator(client.language)
    context = {"t": t, "s": STYLE, "palette": PALETTE, "client": client, "spike": spike,
               "line": spike_line(spike, t), "terms": [t.theme(x) for x in spike.terms],
               "subject": alert_subject(client, spike)}

    def compose(sender: str, msg_id: str):
        return build_message(subject=context["subject"], sender=sender, recipients=list(client.alerts.recipients),
                             text=ENV.get_template("alert.txt").render(context),
                             html=ENV.get_template("alert.html").render(context), msg_id=msg_id)

    return compose


def send_spike_alerts(workspace: Workspace, warehouse: Warehouse, *, now: datetime | None = None,
                      conn_id: str = "smtp_default") -> dict:
    """Send an alert for each new spike; return counts and the failures (a failure never stops the rest)."""
    now = now or now_utc()
    summary: dict = {"spikes": 0, "sent": 0, "already_sent": 0, "failed": [], "no_recipients": []}
    for client in workspace.clients:
        today = now.astimezone(client.zone).date()
        with warehouse.read() as con:
            spikes = data.spikes(con, client, today - timedelta(days=LOOKBACK_DAYS - 1), today)
        summary["spikes"] += len(spikes)
        if spikes and not client.alerts.recipients:
            summary["no_recipients"].append(client.slug)
            continue
        for spike in spikes:
            try:
                delivery = deliver(warehouse=warehouse, kind=KIND, client=client, key=spike.key,
                                   recipients=list(client.alerts.recipients), compose=compose_alert(client, spike),
                                   conn_id=conn_id)
            except (DeliveryFailed, DeliveryInDoubt) as exc:
                log.error("%s", exc)
                summary["failed"].append(f"{client.slug} {spike.key}: {exc}")
                continue
            summary["sent" if delivery.status == "sent" else "already_sent"] += 1
    return summary
