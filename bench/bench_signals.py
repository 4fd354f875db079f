"""Signal warehouse benchmark: weekly-report query latency on 10 million mentions, and the daily
incremental rebuild against the new data's size.

    .venv/bin/python bench/bench_signals.py [--mentions 10000000] [--days 90] [--dir DIR]

The search index refresh is left out of the timings (``refresh_search=False``): it re-indexes all
posts and belongs to the nightly run, not to the signal computation.

1. Generates (in DuckDB SQL) 5 clients x 4 brands and MENTIONS posts with one brand mention each,
   spread evenly over DAYS days, with enrichments (sentiment, intents, themes), replies (4% of
   posts, a quarter of them by the brand's own account), quotes, hashtags and a copy-paste
   campaign. The last 7 days are held back. A reply or a quote mostly targets one of the few
   hundred posts just before it, but 1 in 200 targets a post 2 to 12 weeks old (OLD_TARGETS), as
   people answer or quote an old post in use: the daily update then looks up targets and
   conversation roots older than any recent window every day, as it must in use.
2. Baseline: a full rebuild of every day loaded so far.
3. Incremental: loads the next 1 day (a Sunday) and rebuilds only it (the pending day), then the
   next 2 days, then the next 4: the daily update should cost about twice as much for twice the
   data. Each rebuild reports wall and CPU seconds (the machine is shared: CPU seconds are
   steadier) and the seconds of each step.
4. Proportionality checks against the first 1-day update (also a Sunday, so that the network's
   week is as full): one more Sunday with twice the day's posts (should cost about twice), and the
   same Sunday update on a second warehouse with the same daily volume but only 27 days of
   history instead of 83 (should cost about the same: the update must not grow with the
   warehouse). That check runs once here; bench_history.py repeats it, since one run swings by
   +-30 %.
5. Runs the queries the weekly report makes (signals/README.md) 50 times each on a read-only
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
UPDATE_DAYS = (1, 2, 4)  # held back, then loaded and rebuilt in turn; the first is a Sunday
SHORT_HISTORY_DAYS = 27  # the short warehouse's history: its next day is a Sunday too

console = Console(width=180)  # the tables stay readable in a log file

SETUP = f"""
INSERT INTO clients SELECT 'c' || c, 'Client ' || c, 'it', 'Europe/Rome' FROM range({CLIENTS}) t(c);
INSERT INTO client_brands
SELECT 'c' || c, 'B' || (c * {BRANDS_PER_CLIENT} + b), CASE WHEN b = 0 THEN 'own' ELSE 'competitor' END,
       ['@b' || (c * {BRANDS_PER_CLIENT} + b)]
FROM range({CLIENTS}) t(c), range({BRANDS_PER_CLIENT}) u(b);
"""

# Post i (lo <= i < hi) is created at START + t0 + (i - lo) * step; it mentions brand hash(3i) % 20. Every 25th post replies to
# one of the 500 posts before it; a quarter of those replies come from the parent's brand account. Every 101st post quotes
# the post 3 before it.
# OLD_TARGETS: 1 in 200 of those replies and quotes (not by a brand account) targets a post 14 to 83 days older instead,
# when there is one.
CREATED_AT = "TIMESTAMPTZ '{start} 00:00:00+00' + to_microseconds(CAST({t0_us} + (i - {lo}) * {step_us} AS BIGINT))"


def post_id(number: str) -> str:
    """Post ``number``'s id: from four platforms in turn, as in a real warehouse, so that a day's ids
    span the whole id range (no min/max of ids can skip a row group) and lookups by id cost what
    they cost in use."""
    return f"['bluesky', 'mastodon', 'reddit', 'x'][{number} % 4 + 1] || ':' || {number}"


POSTS = f"""
INSERT INTO posts
WITH numbered AS (
    SELECT i, i - CAST({{per_day}} * (14 + hash(i * 7) % 70) AS BIGINT) AS old_no FROM range({{lo}}, {{hi}}) t(i)
),
base AS (
    SELECT i,
           {CREATED_AT} AS created_at,
           CAST(hash(i * 3) % {{brands}} AS INTEGER) AS brand_no,
           CASE WHEN i % 5000 = 26 AND old_no >= 0 THEN old_no
                WHEN i % 25 = 1 AND i > 1000 THEN i - 1 - CAST(hash(i) % 500 AS BIGINT) END AS parent_no,
           CASE WHEN i % 20200 = 7 AND old_no >= 0 THEN old_no
                WHEN i % 101 = 7 THEN i - 3 END AS quoted_no
    FROM numbered
)
SELECT {post_id('i')}, 'x', 'bench', CAST(i AS VARCHAR), 'https://x.example/' || i, NULL,
       CASE WHEN parent_no IS NOT NULL AND i % 100 = 1
            THEN '@b' || CAST(hash(parent_no * 3) % {{brands}} AS INTEGER)
            ELSE '@u' || CAST(hash(i * 11) % 300000 AS INTEGER) END,
       NULL, NULL, NULL,
       CASE WHEN i % 5000 = 0 THEN 'Partecipa anche tu al grande concorso di primavera, condividi e vinci subito!'
            ELSE 'B' || brand_no || ' post numero ' || i || ', che ne pensate della nuova linea? #tag'
                 || CAST(hash(i * 13) % 40 AS INTEGER) END,
       NULL, created_at,
       CASE WHEN parent_no IS NOT NULL THEN {post_id('parent_no')} END,
       CASE WHEN parent_no IS NOT NULL THEN {post_id('parent_no')} END,
       CASE WHEN quoted_no IS NOT NULL THEN {post_id('quoted_no')} END,
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
SELECT {post_id('i')}, 'h' || i, 'bench', 'it', {SENTIMENT_LABEL}, {SENTIMENT_SCORE},
       CASE CAST(hash(i * 29) % 100 AS INTEGER) WHEN 0 THEN ['question'] WHEN 1 THEN ['complaint']
            ELSE []::VARCHAR[] END,
       ['theme' || CAST(hash(i * 31) % 12 AS INTEGER)],
       now(){{post_time}}
FROM range({{lo}}, {{hi}}) t(i)
"""

MENTIONS = f"""
INSERT INTO mentions
SELECT {post_id('i')}, 'B' || CAST(hash(i * 3) % {{brands}} AS INTEGER), 0, 2, 'B', {SENTIMENT_LABEL}, {SENTIMENT_SCORE}{{post_time}}
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


def load(warehouse: Warehouse, lo: int, hi: int, first_day: int, days: int, per_day: float,
         pending: bool = False) -> float:
    """Posts lo..hi-1 spread evenly over ``days`` days from START + first_day (pending: mark those
    days for the next rebuild); ``per_day``, the usual posts a day, dates the old targets."""
    started = time.perf_counter()
    day_us = 86_400_000_000
    values = dict(lo=lo, hi=hi, t0_us=first_day * day_us, step_us=days * day_us / (hi - lo), start=START,
                  brands=CLIENTS * BRANDS_PER_CLIENT, per_day=per_day)
    with warehouse.write() as con:
        # enrichments and mentions carry their post's time from migration 0005 on; without it the
        # bench still runs, for side-by-side runs of older code
        has_post_time = "created_at" in {row[0] for row in con.execute("DESCRIBE mentions").fetchall()}
        values["post_time"] = ", " + CREATED_AT.format(**values) if has_post_time else ""
        con.execute("SET enable_progress_bar = false")
        con.execute("BEGIN")
        for sql in (POSTS, ENRICHMENTS, MENTIONS):
            con.execute(sql.format(**values))
        for n in range(days if pending else 0):
            con.execute("INSERT OR IGNORE INTO pending_signal_days VALUES (?)", [START + timedelta(days=first_day + n)])
        con.execute("COMMIT")
        con.execute("CHECKPOINT")  # the rebuild's commit should not pay for the posts' checkpoint
    return time.perf_counter() - started


def post_index(day: date, per_day: float) -> int:
    return int((day - START).days * per_day)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed_rebuild(warehouse: Warehouse, days: set[date] | None = None) -> tuple[float, float, int]:
    """Wall and CPU seconds of a rebuild and of writing its changes to the file: on a shared machine
    the CPU seconds are the steadier figure."""
    cpu_before = cpu_seconds()
    summary = rebuild_signals(warehouse, days, refresh_search=False)
    # DuckDB checkpoints on its own once the write-ahead log passes 16 MB, so a run would pay for
    # the writes of earlier runs, or leave its own to the next: each run writes its own instead.
    started = time.monotonic()
    with warehouse.write() as con:
        con.execute("CHECKPOINT")
    summary.step_seconds["checkpoint"] = time.monotonic() - started
    wall = summary.seconds + summary.step_seconds["checkpoint"]
    cpu = cpu_seconds() - cpu_before
    steps = ", ".join(f"{name} {seconds:.2f}" for name, seconds in summary.step_seconds.items())
    console.print(f"  {len(summary.utc_days)} UTC day(s), {wall:.1f}s wall, {cpu:.1f}s CPU: {steps}", highlight=False)
    return wall, cpu, summary.local_days


def build_history(path: Path, days: int, per_day: float) -> tuple[Warehouse, int]:
    """A warehouse holding the first ``days`` days, not yet rebuilt; returns it and its post count."""
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    warehouse = Warehouse(path)
    with warehouse.write() as con:
        con.execute(SETUP)
    posts = post_index(START + timedelta(days=days), per_day)
    seconds = load(warehouse, 0, posts, 0, days, per_day)
    console.print(f"loaded {posts:,} mentions in {seconds:.1f}s into {path}")
    return warehouse, posts


def update(warehouse: Warehouse, label: str, lo: int, hi: int, first_day: int, days: int, per_day: float) -> tuple:
    """Load posts lo..hi-1 over ``days`` new days and time the rebuild of the pending days."""
    load(warehouse, lo, hi, first_day, days, per_day, pending=True)
    console.print(f"{label}:")
    seconds, cpu, local = timed_rebuild(warehouse)
    return label, days, hi - lo, local, seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mentions", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--dir", type=Path, default=None, help="where to put the warehouse (default: a temp dir)")
    args = parser.parse_args()
    if args.mentions < args.days:
        parser.error(f"--mentions must be at least --days ({args.days}): every day needs posts")

    folder = args.dir or Path(tempfile.mkdtemp(prefix="rete-bench-"))
    path = folder / "bench.duckdb"
    per_day = args.mentions / args.days
    loaded_days = args.days - sum(UPDATE_DAYS)
    if (START + timedelta(days=loaded_days)).weekday() != 6:
        parser.error(f"--days: the first of the {sum(UPDATE_DAYS)} held-back days must be a Sunday, like the day "
                     "after the short history (the comparisons need the same weekday): use 7k + 6 + 7 days")

    warehouse, history_end = build_history(path, loaded_days, per_day)
    full_days = {START + timedelta(days=n) for n in range(loaded_days)}
    console.print(f"full rebuild of {loaded_days} days:")
    full_seconds, full_cpu, full_local = timed_rebuild(warehouse, full_days)

    updates = []  # (label, UTC days, new mentions, client-days, wall seconds, CPU seconds)
    first_day = loaded_days
    for count in UPDATE_DAYS:
        lo = post_index(START + timedelta(days=first_day), per_day)
        hi = post_index(START + timedelta(days=first_day + count), per_day)
        weekday = (START + timedelta(days=first_day)).strftime("%a")
        updates.append(update(warehouse, f"daily update, {count} day(s) from {weekday}", lo, hi, first_day, count,
                              per_day))
        first_day += count
    # One more Sunday (the held-back days are a whole week), twice as busy.
    lo = post_index(START + timedelta(days=first_day), per_day)
    updates.append(update(warehouse, "1 Sunday at twice the volume", lo, lo + round(2 * per_day), first_day, 1,
                          per_day))
    # The first Sunday again, on a warehouse with the same daily volume and a shorter history.
    short, _ = build_history(folder / "bench-short.duckdb", SHORT_HISTORY_DAYS, per_day)
    console.print(f"full rebuild of {SHORT_HISTORY_DAYS} days (short history, untimed)")
    rebuild_signals(short, {START + timedelta(days=n) for n in range(SHORT_HISTORY_DAYS)}, refresh_search=False)
    lo = post_index(START + timedelta(days=SHORT_HISTORY_DAYS), per_day)
    hi = post_index(START + timedelta(days=SHORT_HISTORY_DAYS + 1), per_day)
    updates.append(update(short, f"1 Sunday after {SHORT_HISTORY_DAYS} days of history", lo, hi,
                          SHORT_HISTORY_DAYS, 1, per_day))

    one_day_seconds, one_day_cpu = updates[0][4], updates[0][5]
    rebuilds = Table("rebuild", "UTC days", "mentions rebuilt", "client-days", "wall s", "CPU s",
                     "CPU ms / 1k mentions", "CPU % of full", "wall x 1-day", "CPU x 1-day",
                     title=f"Signal rebuild, {args.mentions:,} mentions, {args.days} days")
    rebuilds.add_row(f"full rebuild of {loaded_days} days (baseline)", str(loaded_days), f"{history_end:,}",
                     str(full_local), f"{full_seconds:.2f}", f"{full_cpu:.1f}", f"{1e6 * full_cpu / history_end:.1f}",
                     "100", f"{full_seconds / one_day_seconds:.1f}", f"{full_cpu / one_day_cpu:.1f}")
    for label, count, new, local, seconds, cpu in updates:
        rebuilds.add_row(label, str(count), f"{new:,}", str(local), f"{seconds:.2f}", f"{cpu:.1f}",
                         f"{1e6 * cpu / new:.1f}", f"{100 * cpu / full_cpu:.1f}", f"{seconds / one_day_seconds:.2f}",
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
