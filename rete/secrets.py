"""Credentials for the social sources, from Airflow Connections or environment variables.

Inside Airflow (a task process, where ``airflow`` is already imported) a credential is read from the
Airflow Connection named by the source (``credentials:`` in its block, default ``rete_<platform>``).
Anywhere else, and when that connection does not exist, it is read from environment variables named
``<CONN_ID>_<FIELD>`` in upper case, e.g. ``RETE_X_BEARER_TOKEN``. Airflow is imported lazily, never at
module import, so the CLI does not pay its start-up cost.

Connection ids and fields (Airflow Connection field -> environment variable for the default id):

================  =====================================  ===========================================
conn id           Airflow Connection fields              environment variables
================  =====================================  ===========================================
``rete_x``        password = bearer token                ``RETE_X_BEARER_TOKEN``
``rete_reddit``   login = client id,                     ``RETE_REDDIT_CLIENT_ID``,
                  password = client secret               ``RETE_REDDIT_CLIENT_SECRET``
``rete_mastodon`` password = access token (optional)     ``RETE_MASTODON_ACCESS_TOKEN``
``rete_bluesky``  login = handle, password = app password ``RETE_BLUESKY_HANDLE``,
                                                          ``RETE_BLUESKY_APP_PASSWORD``
================  =====================================  ===========================================

Every secret value is wrapped in ``SecretStr`` (its repr is ``'**********'``) and registered, so that
``redact()`` and the logging filter installed by ``guard_logger()`` can scrub it from any text a
client library produces (tweepy, for one, logs request headers at DEBUG level).
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass

from pydantic import SecretStr

REDACTED = "***"
_known_secrets: set[str] = set()


@dataclass(frozen=True)
class Credential:
    """What a connection holds: ``login`` is not secret (a client id, a handle); ``password`` is."""

    conn_id: str
    origin: str  # "Airflow connection 'rete_x'" or "environment variable RETE_X_BEARER_TOKEN"
    login: str | None
    password: SecretStr | None

    def require_password(self, source: str, what: str) -> str:
        from connectors.base import SourceError

        if self.password is None or not self.password.get_secret_value():
            raise SourceError(source, f"no {what}: set {self.where_password()}")
        return self.password.get_secret_value()

    def require_login(self, source: str, what: str) -> str:
        from connectors.base import SourceError

        if not self.login:
            raise SourceError(source, f"no {what}: set {self.where_login()}")
        return self.login

    def where_password(self) -> str:
        return f"the password of Airflow connection {self.conn_id!r} or {env_name(self.conn_id, 'password')}"

    def where_login(self) -> str:
        return f"the login of Airflow connection {self.conn_id!r} or {env_name(self.conn_id, 'login')}"


# The environment variable suffixes standing for a connection's login and password, per platform.
# Unknown (custom) conn ids use LOGIN / PASSWORD, e.g. RETE_X_ACME_PASSWORD... unless they start with a
# known default id, in which case they inherit its field names (rete_x_acme -> RETE_X_ACME_BEARER_TOKEN).
_ENV_FIELDS: dict[str, dict[str, str]] = {
    "rete_x": {"password": "BEARER_TOKEN"},
    "rete_reddit": {"login": "CLIENT_ID", "password": "CLIENT_SECRET"},
    "rete_mastodon": {"password": "ACCESS_TOKEN"},
    "rete_bluesky": {"login": "HANDLE", "password": "APP_PASSWORD"},
}


def env_name(conn_id: str, field: str) -> str:
    """The environment variable holding ``field`` ("login" or "password") of ``conn_id``."""
    known = max((k for k in _ENV_FIELDS if conn_id == k or conn_id.startswith(k + "_")), key=len, default=None)
    suffix = _ENV_FIELDS.get(known or "", {}).get(field, field.upper())
    return f"{conn_id.upper()}_{suffix}"


def _register(value: str | None) -> SecretStr | None:
    if not value:
        return None
    _known_secrets.add(value)
    return SecretStr(value)


def _from_airflow(conn_id: str) -> Credential | None:
    """The Airflow Connection ``conn_id``, or None when not inside Airflow or when it does not exist."""
    if "airflow" not in sys.modules:
        return None
    try:
        from airflow.sdk import BaseHook

        connection = BaseHook.get_connection(conn_id)
    except Exception as exc:  # noqa: BLE001 - "not found" has different classes across Airflow versions
        if "not defined" in str(exc) or "NotFound" in type(exc).__name__:
            return None
        raise
    return Credential(
        conn_id=conn_id,
        origin=f"Airflow connection {conn_id!r}",
        login=connection.login or None,
        password=_register(connection.password),
    )


def get_credential(conn_id: str) -> Credential:
    """Read ``conn_id`` from Airflow (inside Airflow) or the environment. Missing fields are None:
    the connector says which one it needs (``require_password``) and where to set it."""
    found = _from_airflow(conn_id)
    if found is not None:
        return found
    login_var, password_var = env_name(conn_id, "login"), env_name(conn_id, "password")
    return Credential(
        conn_id=conn_id,
        origin=f"environment variables {login_var} / {password_var}",
        login=os.environ.get(login_var) or None,
        password=_register(os.environ.get(password_var)),
    )


def redact(text: str) -> str:
    """``text`` with every secret loaded so far replaced by ``***``."""
    for secret in sorted(_known_secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


class RedactSecrets(logging.Filter):
    """Scrubs loaded secrets from a record before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = RedactSecrets()


def guard_logger(name: str) -> None:
    """Attach the redacting filter to logger ``name`` (a client library's logger), once."""
    logger = logging.getLogger(name)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
