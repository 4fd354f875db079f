"""The conversation walk of ``participation_daily``: thread size and depth per conversation and day.

Why this bench exists: ``participation_daily`` measures a conversation as it stood at the end of each
day it is talked about in (its root and its posts of the 28 days before the day's first post in it).
A conversation talked about on many days has as many windows. ``bench_signals.py`` has short-lived
conversations only, so it cannot show what a walk per window costs on conversations that run for
weeks, as a brand's busy threads do. This bench builds those and runs the ``thread_shape`` statement
of ``signals/participation_daily.sql`` (and of an older copy of the file, for a side-by-side run):

    .venv/bin/python bench/bench_conversation_walk.py [--threads 2000] [--posts 300] [--days 60]
        [--against OLD_participation_daily.sql]

Each conversation gets POSTS posts spread over DAYS days, every post a reply to a random earlier
one, and one window per day it has posts in. Only the thread-shape query runs, on the tables the
bench builds (posts, looked_up_posts, scope_threads); in an older file it is the INSERT's CTEs from
measured_threads to thread_shape. The data are tidy (every reply dated after its parent), where old
and new files must agree: the bench fails if their sizes or depths differ. CPU seconds, best of 3.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import duckdb

SIGNAL = Path(__file__).resolve().parent.parent / "signals" / "participation_daily.sql"

SETUP = """
CREATE TABLE posts AS
SELECT 't' || t || '-' || i AS id,
       CASE WHEN i > 0 THEN 't' || t || '-' || (hash(t, i) % i) END AS parent_id,
       CASE WHEN i > 0 THEN 't' || t || '-0' END AS thread_id,
       TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_microseconds(CAST(i * $days * 86400000000 // $posts AS BIGINT))
           AS created_at
FROM range($threads) a(t), range($posts) b(i);
CREATE TEMP TABLE looked_up_posts AS SELECT id, created_at FROM posts WHERE parent_id IS NULL;
CREATE TEMP TABLE scope_threads AS
SELECT coalesce(thread_id, id) AS thread_id, CAST(created_at AS DATE) AS day,
       min(created_at) - INTERVAL 28 DAY AS since, CAST(CAST(created_at AS DATE) + 1 AS TIMESTAMPTZ) AS until
FROM posts GROUP BY ALL;
SET VARIABLE threads_since = (SELECT min(since) FROM scope_threads);
SET VARIABLE threads_until = (SELECT max(until) FROM scope_threads);
"""


def shape_query(sql_file: Path) -> str:
    """The query giving (thread_id, since, until, posts, depth) in a participation_daily.sql."""
    sql = sql_file.read_text(encoding="utf-8")
    statements = [s.query for s in duckdb.connect().extract_statements(sql)]
    create = "CREATE OR REPLACE TEMP TABLE thread_shape AS"
    for statement in statements:
        if create in statement:
            return statement[statement.index(create) + len(create):]
    # an older file: thread_shape is a CTE of the INSERT, after measured_threads
    insert = next(s for s in statements if "INSERT INTO signal_participation_daily" in s)
    ctes = insert[insert.index("measured_threads AS"):insert.index("per_day AS (")].rstrip().rstrip(",")
    return f"WITH RECURSIVE {ctes} SELECT * FROM thread_shape"


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def best_of(con: duckdb.DuckDBPyConnection, query: str, repeat: int = 3) -> tuple[float, list]:
    best, rows = float("inf"), []
    for _ in range(repeat):
        before = cpu_seconds()
        rows = con.execute(f"SELECT thread_id, since, until, posts, depth FROM ({query}) ORDER BY ALL").fetchall()
        best = min(best, cpu_seconds() - before)
    return best, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2_000)
    parser.add_argument("--posts", type=int, default=300, help="posts per conversation")
    parser.add_argument("--days", type=int, default=60, help="days each conversation runs for")
    parser.add_argument("--against", type=Path, help="an older participation_daily.sql to run side by side")
    args = parser.parse_args()
    con = duckdb.connect()
    for statement in con.extract_statements(SETUP):
        con.execute(statement.query, {k: v for k, v in vars(args).items() if f"${k}" in statement.query})
    posts, windows = (con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("posts", "scope_threads"))
    print(f"{posts:,} posts in {args.threads:,} conversations, {windows:,} windows (conversation-days)")
    started = time.perf_counter()
    seconds, rows = best_of(con, shape_query(SIGNAL))
    print(f"this code:    {seconds:6.2f} CPU s (best of 3; {time.perf_counter() - started:.1f} s wall for all 3)")
    if args.against:
        old_seconds, old_rows = best_of(con, shape_query(args.against))
        print(f"{args.against}: {old_seconds:6.2f} CPU s; this code takes {seconds / old_seconds:.2f}x")
        if rows != old_rows:
            raise SystemExit("the two files give different thread sizes or depths")
        print("same sizes and depths from both")


if __name__ == "__main__":
    main()
