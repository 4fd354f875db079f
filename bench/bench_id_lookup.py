"""Looking posts up by id in a large ``posts`` table: a hash join against an ART-index scan.

Why this bench exists: a daily signal update looks up its replies' targets and its conversations' roots
by id, and those can be of any age, so no time range prunes the read. DuckDB's hash joins scan the whole
``id`` column; its ART index (``posts.id`` is the primary key) is used only for a literal ``IN (...)``
list, and only when the list is shorter than ``index_scan_max_count``. This bench times both ways on a
real warehouse schema (``signals/migrations``), so that the choice to keep the hash join is measured:

    .venv/bin/python bench/bench_id_lookup.py [--posts 9000000] [--lookups 100 2000 20000]

Ids come from four platforms in turn, as in ``bench_signals.py``. Times are wall seconds, best of 3.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from signals.warehouse import Warehouse


PLATFORMS = ["bluesky", "mastodon", "reddit", "x"]


def best_of(con, sql: str, params: list | None = None, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        con.execute(sql, params).fetchall()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=9_000_000)
    parser.add_argument("--lookups", type=int, nargs="+", default=[100, 2_000, 20_000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        warehouse = Warehouse(Path(folder) / "lookup.duckdb")
        with warehouse.write() as con:
            con.execute(
                """INSERT INTO posts (id, platform, source, native_id, text, created_at, fetched_at, first_seen_at,
                                      updated_at, content_hash)
                   SELECT platform || ':' || i, platform, 'bench', CAST(i AS VARCHAR), 'post ' || i, created, created, created, created, ''
                   FROM (SELECT i, ?[i % 4 + 1] AS platform,
                                TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_seconds(i // 100) AS created
                         FROM range(?) t(i))""",
                [PLATFORMS, args.posts],
            )
        rng = random.Random(7)
        with warehouse.read() as con:
            con.execute(f"SET index_scan_max_count = {max(args.lookups) * 2}")
            print(f"{args.posts:,} posts; wall seconds, best of 3")
            print("| ids looked up | hash join (temp table) | literal IN list (ART index) | per id, index "
                  "| parameter list IN (?, ...) |")
            print("|---|---|---|---|---|")
            for count in args.lookups:
                ids = [f"{PLATFORMS[n % 4]}:{n}"
                       for n in rng.sample(range(args.posts), count)]
                con.execute("CREATE OR REPLACE TEMP TABLE wanted AS SELECT unnest(?) AS id", [ids])
                joined = best_of(con, "SELECT count(*) FROM wanted w JOIN posts p ON p.id = w.id")
                # Built as text only here, from the bench's own generated ids: never with stored data.
                literal = ", ".join(f"'{post_id}'" for post_id in ids)
                indexed = best_of(con, f"SELECT count(*) FROM posts WHERE id IN ({literal})")
                placeholders = ", ".join("?" * count)
                bound = best_of(con, f"SELECT count(*) FROM posts WHERE id IN ({placeholders})", ids)
                print(f"| {count:,} | {joined:.3f} | {indexed:.3f} | {indexed / count * 1e6:.0f} µs | {bound:.3f} |")


if __name__ == "__main__":
    main()
