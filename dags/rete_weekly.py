"""rete_weekly_<client>: render and e-mail each client's weekly report at the client's local day and hour.

One DAG per client, generated from the workspace named by RETE_WORKSPACE (default examples/demo):
each client chooses its own weekday, time and time zone, and a DAG has one schedule. A per-client DAG
gets a timezone-aware cron (DST handled by Airflow), its own run history, retries and pause switch;
one DAG with per-client branching would need an hourly schedule that mostly does nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pendulum
from airflow.sdk import dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from rete.config import load_workspace

REPO = Path(__file__).resolve().parents[1]
WORKSPACE = Path(os.environ.get("RETE_WORKSPACE", REPO / "examples" / "demo"))
CRON_DAYS = {"monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6, "sunday": 0}


def weekly_dag(client_slug: str, cron: str, timezone: str):
    @dag(
        dag_id=f"rete_weekly_{client_slug}",
        schedule=CronTriggerTimetable(cron, timezone=timezone),
        start_date=pendulum.datetime(2026, 1, 1, tz=timezone),
        catchup=False,
        max_active_runs=1,
        tags=["rete", "report"],
        default_args={"retries": 2, "retry_delay": pendulum.duration(minutes=10)},
    )
    def rete_weekly():
        @task
        def report(logical_date=None) -> dict:
            from reports.weekly import run_weekly

            return run_weekly(WORKSPACE, client_slug, logical_date)

        report()

    return rete_weekly()


# A missing or invalid workspace is an import error naming the file, shown by Airflow: loud, not silent.
for _client in load_workspace(WORKSPACE).clients:
    _at = _client.report.at
    globals()[f"rete_weekly_{_client.slug}"] = weekly_dag(
        _client.slug, f"{_at.minute} {_at.hour} * * {CRON_DAYS[_client.report.weekday]}", _client.timezone
    )
