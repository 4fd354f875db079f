"""Build report and alert e-mails and send them through Airflow's SMTP connection, exactly once.

Message: multipart/mixed [ multipart/related [ multipart/alternative [text, html], chart PNGs by
Content-ID ], PDF, CSVs ]. ``SmtpHook.send_email_smtp`` attaches files but cannot give them Content-IDs,
so the message is built here and handed to the SMTP client the hook opened with the ``smtp_default``
connection (host, port, TLS, login and ``from_email`` all come from there, for the DAG and the CLI).

Never twice, never silently dropped (the ``deliveries`` ledger in the warehouse):
1. *claim*: before connecting, a row (kind, client, key) is written with status ``sending``. A row
   already ``sent`` means skip. A row left ``sending`` means an earlier run died between handing the
   message to the server and recording the outcome: whether it arrived is unknown, so Rete refuses and
   says so; ``resend=True`` (``--resend``) re-sends with the *same* deterministic Message-ID, which
   receiving systems use to drop a duplicate.
2. *send*, retried with tenacity on transient failures (connection refused or dropped, 4xx replies);
   a permanent 5xx is not retried.
3. *record* ``sent``, or ``failed`` with the error, and raise :class:`DeliveryFailed`. A ``failed`` row
   is claimed again by the next run: the server never accepted that message.
The warehouse lock is held only for the short ledger writes, never during SMTP.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from pathlib import Path

from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

from rete.config import Client
from signals.warehouse import Warehouse

log = logging.getLogger(__name__)

CONN_ID = "smtp_default"
SEND_ATTEMPTS = 3
SEND_WAIT_SECONDS = 2.0  # first back-off; doubles per attempt


class DeliveryFailed(RuntimeError):
    """The message could not be handed to the SMTP server; the ledger says ``failed``."""


class DeliveryInDoubt(RuntimeError):
    """An earlier send was interrupted: it may or may not have arrived."""


@dataclass(frozen=True)
class Delivery:
    kind: str
    client: str
    key: str
    recipients: list[str]
    message_id: str
    status: str  # sent | skipped


def message_id(kind: str, client: str, key: str, sender: str) -> str:
    """Deterministic, so the same report or alert always carries the same Message-ID."""
    digest = hashlib.sha256(f"{kind}\0{client}\0{key}".encode()).hexdigest()[:24]
    domain = sender.rpartition("@")[2] or "rete.invalid"
    return f"<rete.{kind}.{digest}@{domain}>"


def build_message(*, subject: str, sender: str, recipients: list[str], text: str, html: str,
                  images: dict[str, bytes] | None = None, attachments: list[Path] = (),
                  msg_id: str, sender_name: str = "Rete") -> EmailMessage:
    """Subject and addresses must be trusted strings: EmailMessage rejects CR/LF in them, and nothing
    taken from a post is ever passed here."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = formataddr((sender_name, sender))
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = msg_id
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    html_part = message.get_payload()[1]
    for cid, png in (images or {}).items():
        html_part.add_related(png, maintype="image", subtype="png", cid=f"<{cid}>", filename=f"{cid}.png",
                              disposition="inline")
    for path in attachments:
        maintype, subtype = {".pdf": ("application", "pdf"), ".csv": ("text", "csv")}[path.suffix]
        if maintype == "text":
            message.add_attachment(path.read_text(encoding="utf-8"), subtype=subtype, filename=path.name)
        else:
            message.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return message


def _transient(exc: BaseException) -> bool:
    """Worth another attempt: the server was unreachable, dropped us, or answered 4xx (try later)."""
    from airflow.exceptions import AirflowException  # the hook's "Unable to connect to smtp server"

    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return False
    return isinstance(exc, (OSError, smtplib.SMTPException, AirflowException))


def _sender(conn_id: str) -> str:
    from airflow.providers.smtp.hooks.smtp import SmtpHook  # Airflow is slow to import; only when mailing

    address = SmtpHook.get_connection(conn_id).extra_dejson.get("from_email")
    if not address:
        raise DeliveryFailed(f"connection {conn_id!r} has no extra.from_email: set the sender address there")
    return address


def _send_once(message: EmailMessage, recipients: list[str], conn_id: str) -> None:
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    with SmtpHook(smtp_conn_id=conn_id) as hook:
        # The hook opened and authenticated the client from the connection; send_email_smtp cannot
        # carry Content-ID images, so the ready message goes through the same client. The hook offers
        # no public accessor for it (its own test_connection reads _smtp_client too); tests/test_mail.py
        # sends through a real SMTP server, so a provider release that renames it fails there.
        hook._smtp_client.send_message(message, to_addrs=recipients)


class Ledger:
    def __init__(self, warehouse: Warehouse):
        self.warehouse = warehouse

    def claim(self, kind: str, client: str, key: str, msg_id: str, recipients: list[str], resend: bool) -> bool:
        """True when this run may send; False when it was sent already."""
        with self.warehouse.write() as con:
            row = con.execute("SELECT status FROM deliveries WHERE kind = ? AND client = ? AND key = ?",
                              [kind, client, key]).fetchone()
            if row and row[0] == "sent":
                return False
            if row and row[0] == "sending" and not resend:
                raise DeliveryInDoubt(
                    f"{kind} {key} for {client}: an earlier send was interrupted and may have arrived; "
                    "check the recipients' mailbox, then re-run with --resend to send it again "
                    f"(same Message-ID {msg_id})"
                )
            if row:
                con.execute("UPDATE deliveries SET status = 'sending', attempts = attempts + 1, error = NULL, "
                            "recipients = ?, claimed_at = now() WHERE kind = ? AND client = ? AND key = ?",
                            [recipients, kind, client, key])
            else:
                con.execute("INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, 'sending', 1, NULL, now(), NULL)",
                            [kind, client, key, msg_id, recipients])
            return True

    def record(self, kind: str, client: str, key: str, error: str | None) -> None:
        with self.warehouse.write() as con:
            con.execute(
                "UPDATE deliveries SET status = ?, error = ?, sent_at = CASE WHEN ? THEN now() END "
                "WHERE kind = ? AND client = ? AND key = ?",
                ["failed" if error else "sent", error, error is None, kind, client, key],
            )

    def status(self, kind: str, client: str, key: str) -> tuple | None:
        with self.warehouse.read() as con:
            return con.execute("SELECT status, attempts, error FROM deliveries WHERE kind = ? AND client = ? "
                               "AND key = ?", [kind, client, key]).fetchone()


def deliver(*, warehouse: Warehouse, kind: str, client: Client, key: str, recipients: list[str],
            compose, conn_id: str = CONN_ID, resend: bool = False) -> Delivery:
    """Send the message ``compose(sender, msg_id)`` builds, at most once per (kind, client, key)."""
    if not recipients:
        raise DeliveryFailed(f"{kind} {key} for {client.slug}: no recipients configured in workspace.yaml")
    sender = _sender(conn_id)
    msg_id = message_id(kind, client.slug, key, sender)
    ledger = Ledger(warehouse)
    if not ledger.claim(kind, client.slug, key, msg_id, recipients, resend):
        log.info("%s %s for %s was already sent; not sending again", kind, key, client.slug)
        return Delivery(kind, client.slug, key, recipients, msg_id, "skipped")
    message = compose(sender, msg_id)
    send = retry(
        retry=retry_if_exception(_transient),
        stop=stop_after_attempt(SEND_ATTEMPTS),
        wait=wait_exponential(multiplier=SEND_WAIT_SECONDS, max=60),
        before_sleep=lambda state: log.warning(
            "sending %s %s for %s failed (attempt %d): %s; retrying", kind, key, client.slug,
            state.attempt_number, state.outcome.exception()),
        reraise=True,
    )(_send_once)
    try:
        send(message, recipients, conn_id)
    except Exception as exc:  # whatever stopped it, the server did not accept the message: record and report
        error = f"{type(exc).__name__}: {exc}"
        ledger.record(kind, client.slug, key, error)
        raise DeliveryFailed(f"{kind} {key} for {client.slug} not sent after retries: {error}") from exc
    ledger.record(kind, client.slug, key, None)
    log.info("sent %s %s for %s to %d recipients", kind, key, client.slug, len(recipients))
    return Delivery(kind, client.slug, key, recipients, msg_id, "sent")
