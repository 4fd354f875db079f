"""Signal warehouse benchmark: weekly-report query latency on 10 million mentions, and the daily
incremental rebuild against the new data's size.

    .venv/bin/python bench/bench_signals.py [--mentions 10000000] [--days 90] [--dir DIR]

The search index refresh is left out of the timings (``refresh_search=False``): it re-indexes all
posts and belongs to the nightly run, not to the signal computation.

1. Generates (in DuckDB SQL) 5 clients x 4 brands and MENTIONS posts with one brand mention each,
   spread evenly over DAYS days, with enrichments (sentiment, intents, themes), replies (4% of
   posts, a quarter of them by the brand's own account), quotes, hashtags and a copy-paste
   campaign. The last 7 days are held back.
2. Baseline: a full rebuild of every day loaded so far.
3. Incremental: loads the next 1 day and rebuilds only it (the pending day), then the next 2 days,
   then the last 4: the daily update should cost about twice as much for twice the data. Each
   rebuild reports wall and CPU seconds (the machine is shared: CPU seconds are steadier) and the
   seconds of each step.
4. Runs the queries the weekly report makes (signals/README.md) 50 times each on a read-only
   connection and reports p50/p95.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from signals.rebuild import rebuild_signals
from signals.warehouse import Warehouse

START = date(2026, 1, 5)  # a Monday
CLIENTS = 5
BRANDS_PER_CLIENT = 4
QUERY_RUNS = 50
UPDATE_DAYS = (1, 2, 4)  # held back, then loaded and rebuilt in turn

console = Console()

SETUP = f"""
INSERT INTO clients SELECT 'c' || c, 'Client ' || c, 'it', 'Europe/Rome' FROM range({CLIENTS}) t(c);
INSERT INTO client_brands
SELECT 'c' || c, 'B' || (c * {BRANDS_PER_CLIENT} + b), CASE WHEN b = 0 THEN 'own' ELSE 'competitor' END,
       ['@b' || (c * {BRANDS_PER_CLIENT} + b)]
FROM range({CLIENTS}) t(c), range({BRANDS_PER_CLIENT}) u(b);
"""

# Post i is created at START + i * step; it mentions brand hash(3i) % 20. Every 25th post replies to
# one of the 500 posts before it; a quarter of those replies come from the parent's brand account.
POSTS = """
INSERT INTO posts
WITH base AS (
    SELECT i,
           TIMESTAMPTZ '{start} 00:00:00+00' + to_microseconds(CAST(i * {step_us} AS BIGINT)) AS created_at,
           CAST(hash(i * 3) % {brands} AS INTEGER) AS brand_no,
           CASE WHEN i % 25 = 1 AND i > 1000 THEN i - 1 - CAST(hash(i) % 500 AS BIGINT) END AS parent_no
    FROM range({lo}, {hi}) t(i)
)
SELECT 'x:' || i, 'x', 'bench', CAST(i AS VARCHAR), 'https://x.example/' || i, NULL,
       CASE WHEN parent_no IS NOT NULL AND i % 100 = 1
            THEN '@b' || CAST(hash(parent_no * 3) % {brands} AS INTEGER)
            ELSE '@u' || CAST(hash(i * 11) % 300000 AS INTEGER) END,
       NULL, NULL, NULL,
       CASE WHEN i % 5000 = 0 THEN 'Partecipa anche tu al grande concorso di primavera, condividi e vinci subito!'
            ELSE 'B' || brand_no || ' post numero ' || i || ' #tag' || CAST(hash(i * 13) % 40 AS INTEGER) END,
       NULL, created_at,
       CASE WHEN parent_no IS NOT NULL THEN 'x:' || parent_no END,
       CASE WHEN parent_no IS NOT NULL THEN 'x:' || parent_no END,
       CASE WHEN i % 101 = 7 THEN 'x:' || (i - 3) END,
       NULL,
       CAST(hash(i * 5) % 50 AS BIGINT), CAST(hash(i * 17) % 5 AS BIGINT), CAST(hash(i * 19) % 5 AS BIGINT), NULL,
       created_at, created_at, created_at, 'h' || i, NULL
FROM base
"""

# Sentiment from hash(i * 23) % 10, intent from hash(i * 29) % 100: mentions repeat the enrichment's
# sentiment without joining it (a join of two 10 M-row tables would dominate the set-up time).
MOOD = "CAST(hash(i * 23) % 10 AS INTEGER)"
SENTIMENT_LABEL = f"CASE WHEN {MOOD} < 3 THEN 'negative' WHEN {MOOD} < 7 THEN 'positive' ELSE 'neutral' END"
SENTIMENT_SCORE = f"CASE WHEN {MOOD} < 3 THEN -0.6 WHEN {MOOD} < 7 THEN 0.6 ELSE 0.0 END"

ENRICHMENTS = f"""
INSERT INTO enrichments
SELECT 'x:' || i, 'h' || i, 'bench', 'it', {SENTIMENT_LABEL}, {SENTIMENT_SCORE},
       CASE CAST(hash(i * 29) % 100 AS INTEGER) WHEN 0 THEN ['question'] WHEN 1 THEN ['complaint']
            ELSE []::VARCHAR[] END,
       ['theme' || CAST(hash(i * 31) % 12 AS INTEGER)],
       now()
FROM range({{lo}}, {{hi}}) t(i)
"""

MENTIONS = f"""
INSERT INTO mentions
SELECT 'x:' || i, 'B' || CAST(hash(i * 3) % {{brands}} AS INTEGER), 0, 2, 'B', {SENTIMENT_LABEL}, {SENTIMENT_SCORE}
FROM range({{lo}}, {{hi}}) t(i)
"""

WEEKLY_REPORT_QUERIES = {
    "brand weekly (this + last week)":
        "SELECT * FROM v_brand_weekly WHERE client = $client AND week IN ($week, $week - 7) ORDER BY week, role, brand",
    "brand daily series":
        "SELECT day, brand, mentions, net_sentiment, share_of_voice, new_authors FROM v_brand_daily "
        "WHERE client = $client AND day BETWEEN $week AND $week + 6 ORDER BY day, brand",
    "relationship totals":
        "SELECT brand, sum(requests), sum(answered), sum(answered) / sum(requests) FROM v_relationship_daily "
        "WHERE client = $client AND day BETWEEN $week AND $week + 6 GROUP BY brand",
    "response-time quantiles":
        "SELECT brand, quantile_cont(response_minutes, 0.5), quantile_cont(response_minutes, 0.9) "
        "FROM v_relationship_requests WHERE client = $client AND day BETWEEN $week AND $week + 6 AND answered "
        "GROUP BY brand",
    "unanswered queue (top 20)":
        "SELECT * FROM v_relationship_queue WHERE client = $client LIMIT 20",
    "emerging terms":
        "SELECT kind, term, posts_7d, growth, p_value FROM v_emerging WHERE client = $client AND day = $week + 6",
    "top themes by brand":
        "SELECT brand, theme, sum(posts) AS posts FROM v_theme_brand_daily "
        "WHERE client = $client AND day BETWEEN $week AND $week + 6 GROUP BY ALL ORDER BY posts DESC LIMIT 20",
    "spikes":
        "SELECT * FROM v_spikes WHERE client = $client AND day BETWEEN $week AND $week + 6",
    "top carriers":
        "SELECT author, cascade_reach FROM v_network_carriers WHERE client = $client AND week = $week AND rank <= 10",
    "top bridges":
        "SELECT author, betweenness FROM v_network_bridges WHERE client = $client AND week = $week AND rank <= 10",
}


def load(warehouse: Warehouse, lo: int, hi: int, step_us: float, pending: set[date] = frozenset()) -> float:
    started = time.perf_counter()
    values = dict(lo=lo, hi=hi, step_us=step_us, start=START, brands=CLIENTS * BRANDS_PER_CLIENT)
    with warehouse.write() as con:
        con.execute("SET enable_progress_bar = false")
        con.execute("BEGIN")
        for sql in (POSTS, ENRICHMENTS, MENTIONS):
            con.execute(sql.format(**values))
        for day in pending:
            con.execute("INSERT OR IGNORE INTO pending_signal_days VALUES (?)", [day])
        con.execute("COMMIT")
    return time.perf_counter() - started


def post_index(day: date, per_day: float) -> int:
    return int((day - START).days * per_day)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed_rebuild(warehouse: Warehouse, days: set[date] | None = None) -> tuple[float, float, int]:
    """Wall and CPU seconds of a rebuild: on a shared machine the CPU seconds are the steadier figure."""
    cpu_before = cpu_seconds()
    summary = rebuild_signals(warehouse, days, refresh_search=False)
    cpu = cpu_seconds() - cpu_before
    steps = ", ".join(f"{name} {seconds:.2f}" for name, seconds in summary.step_seconds.items())
    console.print(f"  {len(summary.utc_days)} UTC day(s), {summary.seconds:.1f}s wall, {cpu:.1f}s CPU: {steps}",
                  highlight=False)
    return summary.seconds, cpu, summary.local_days


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mentions", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--dir", type=Path, default=None, help="where to put the warehouse (default: a temp dir)")
    args = parser.parse_args()

    folder = args.dir or Path(tempfile.mkdtemp(prefix="rete-bench-"))
    path = folder / "bench.duckdb"
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    warehouse = Warehouse(path)
    per_day = args.mentions / args.days
    step_us = 86_400_000_000 / per_day
    loaded_days = args.days - sum(UPDATE_DAYS)

    with warehouse.write() as con:
        con.execute(SETUP)
    history_end = post_index(START + timedelta(days=loaded_days), per_day)
    seconds_load = load(warehouse, 0, history_end, step_us)
    console.print(f"loaded {history_end:,} mentions in {seconds_load:.1f}s into {path}")

    full_days = {START + timedelta(days=n) for n in range(loaded_days)}
    console.print(f"full rebuild of {loaded_days} days:")
    full_seconds, full_cpu, full_local = timed_rebuild(warehouse, full_days)

    updates = []  # (UTC days, new mentions, client-days, wall seconds, CPU seconds)
    first_day = loaded_days
    for count in UPDATE_DAYS:
        new_days = {START + timedelta(days=first_day + n) for n in range(count)}
        lo = post_index(START + timedelta(days=first_day), per_day)
        hi = post_index(START + timedelta(days=first_day + count), per_day)
        load(warehouse, lo, hi, step_us, new_days)
        console.print(f"daily update of {count} new day(s):")
        seconds, cpu, local = timed_rebuild(warehouse)
        updates.append((count, hi - lo, local, seconds, cpu))
        first_day += count

    one_day_seconds, one_day_cpu = updates[0][3], updates[0][4]
    rebuilds = Table("rebuild", "UTC days", "mentions rebuilt", "client-days", "wall s", "CPU s",
                     "wall ms / 1k mentions", "wall x 1-day", "CPU x 1-day",
                     title=f"Signal rebuild, {args.mentions:,} mentions, {args.days} days")
    rebuilds.add_row("full (baseline)", str(loaded_days), f"{history_end:,}", str(full_local),
                     f"{full_seconds:.2f}", f"{full_cpu:.1f}", f"{1e6 * full_seconds / history_end:.1f}",
                     f"{full_seconds / one_day_seconds:.1f}", f"{full_cpu / one_day_cpu:.1f}")
    for count, new, local, seconds, cpu in updates:
        rebuilds.add_row(f"daily update, {count} day(s)", str(count), f"{new:,}", str(local), f"{seconds:.2f}",
                         f"{cpu:.1f}", f"{1e6 * seconds / new:.1f}", f"{seconds / one_day_seconds:.2f}",
                         f"{cpu / one_day_cpu:.2f}")

    week = START + timedelta(days=((args.days - 7) // 7) * 7 - 7)  # last full ISO week
    queries = Table("weekly-report query", "p50 ms", "p95 ms", "rows",
                    title=f"Weekly report queries, client c0, week {week}, {QUERY_RUNS} runs each")
    with warehouse.read() as con:
        mentions = con.execute("SELECT count(*) FROM mentions").fetchone()[0]
        for name, sql in WEEKLY_REPORT_QUERIES.items():
            params = {"client": "c0", "week": week}
            params = {k: v for k, v in params.items() if f"${k}" in sql}
            found = len(con.execute(sql, params).fetchall())  # warm-up
            timings = []
            for _ in range(QUERY_RUNS):
                started = time.perf_counter()
                con.execute(sql, params).fetchall()
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p95 = timings[int(0.95 * (len(timings) - 1))]
            queries.add_row(name, f"{statistics.median(timings):.1f}", f"{p95:.1f}", str(found))
    console.print(rebuilds)
    console.print(queries)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    console.print(f"mentions in warehouse: {mentions:,}; file {path.stat().st_size / 2**30:.2f} GiB; "
                  f"peak RSS {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
