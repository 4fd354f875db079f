"""rete_weekly_<client>: render and e-mail each client's weekly report at the client's local day and hour.

One DAG per client, generated from the workspace named by RETE_WORKSPACE (default examples/demo):
each client chooses its own weekday, time and time zone, and a DAG has one schedule. A per-client DAG
gets a timezone-aware cron (DST handled by Airflow), its own run history, retries and pause switch;
one DAG with per-client branching would need an hourly schedule that mostly does nothing.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from rete.config import DEMO_WORKSPACE, resolve_workspace



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

            return run_weekly(WORKSPACE.root, client_slug, logical_date)

        report()

    return rete_weekly()


# A missing or invalid workspace is an import error naming the file, shown by Airflow: loud, not silent.
WORKSPACE = resolve_workspace(default=DEMO_WORKSPACE)
for _client in WORKSPACE.clients:
    globals()[f"rete_weekly_{_client.slug}"] = weekly_dag(_client.slug, _client.report.cron, _client.timezone)
