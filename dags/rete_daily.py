"""rete_daily: fetch every source, load, enrich what is new, rebuild the affected days' signals,
e-mail spike alerts.

Only wiring lives here; every step is a function of rete.pipeline. The workspace is the folder named
by $RETE_WORKSPACE (the bundled demo when unset). Fetches run in parallel as mapped tasks and never
open the warehouse; everything after them is a single chain of single-writer steps.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, get_current_context, task


def _stages():
    # Imported when a task runs, not when the scheduler parses this file: the connectors pull in
    # every platform's client library, which the DAG processor has no use for.
    from rete import pipeline

    return pipeline


def _workspace():
    from rete.config import DEMO_WORKSPACE, resolve_workspace

    return resolve_workspace(default=DEMO_WORKSPACE)


@dag(
    dag_id="rete_daily",
    schedule="30 4 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": pendulum.duration(minutes=5)},
    tags=["rete"],
    doc_md=__doc__,
)
def rete_daily():
    @task
    def plan() -> list[dict]:
        return _stages().plan_fetches(_workspace())

    @task(map_index_template="{{ order['source'] }}")
    def fetch(order: dict) -> dict:
        run_id = get_current_context()["run_id"]
        return _stages().fetch_source(_workspace(), order["source"], order["cursor"], run_id)

    @task(trigger_rule="all_done")
    def load() -> list[dict]:
        results = _stages().load_run(_workspace(), get_current_context()["run_id"])
        return [r.__dict__ for r in results]

    @task
    def enrich() -> dict:
        return _stages().enrich_pending(_workspace()).__dict__

    @task
    def signals() -> dict:
        return _stages().rebuild_signals(_workspace())

    @task
    def alerts() -> dict:
        return _stages().send_alerts(_workspace())

    fetch.expand(order=plan()) >> load() >> enrich() >> signals() >> alerts()


rete_daily()
