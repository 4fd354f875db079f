"""Idempotent loading of staged fetches into the warehouse.

Each staged source is loaded in its own transaction: posts upserted by id, the source's cursor and a
``source_runs`` row written together. So a crash loses nothing (the staged files stay until the
commit) and duplicates nothing (a re-load upserts the same ids and the run row already exists). A
post already stored is updated only when something about it changed, so loading the same data twice
leaves every row, timestamps included, as it was.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from connectors.staging import StagedFetch, staged_fetches
from rete.config import Workspace
from signals.warehouse import Warehouse

log = logging.getLogger(__name__)

# The JSON shape of rete.post.Post, as DuckDB should read it from a staged file.
POST_COLUMNS = {
    "id": "VARCHAR",
    "platform": "VARCHAR",
    "source": "VARCHAR",
    "native_id": "VARCHAR",
    "url": "VARCHAR",
    "author": "STRUCT(id VARCHAR, handle VARCHAR, display_name VARCHAR, followers BIGINT)",
    "title": "VARCHAR",
    "text": "VARCHAR",
    "lang": "VARCHAR",
    "created_at": "TIMESTAMPTZ",
    "parent_id": "VARCHAR",
    "thread_id": "VARCHAR",
    "quoted_id": "VARCHAR",
    "reposted_id": "VARCHAR",
    "engagement": "STRUCT(likes BIGINT, replies BIGINT, shares BIGINT, views BIGINT)",
    "fetched_at": "TIMESTAMPTZ",
    "raw": "JSON",
}

# Columns whose change makes a stored post "updated"; fetched_at alone does not. The same post often
# arrives from two sources (an API and a tool's export) with different fields filled in, so a value
# the newer copy lacks keeps the stored one instead of erasing it.
TRACKED = ["url", "author_id", "author_handle", "author_name", "author_followers", "title", "text",
           "source_lang", "created_at", "parent_id", "thread_id", "quoted_id", "reposted_id",
           "likes", "replies", "shares", "views"]

# Stored columns the signals read that an update can change without a re-enrichment (see _upsert_posts).
SIGNAL_FIELDS = ["created_at", "parent_id", "thread_id", "quoted_id", "reposted_id", "author_id", "author_handle"]

UPSERT_SQL = f"""
INSERT INTO posts
SELECT id, platform, source, native_id, url,
       author.id, author_handle, author.display_name, author.followers,
       title, text, lang, created_at, parent_id, thread_id, quoted_id, reposted_id,
       engagement.likes, engagement.replies, engagement.shares, engagement.views,
       fetched_at, now() AS first_seen_at, now() AS updated_at,
       md5(coalesce(title, '') || chr(10) || text) AS content_hash, raw
FROM staged
ON CONFLICT (id) DO UPDATE SET
    {", ".join(f"{c} = coalesce(excluded.{c}, posts.{c})" for c in TRACKED)},
    {", ".join(f"{c} = excluded.{c}" for c in ["source", "fetched_at", "content_hash", "raw"])},
    updated_at = now()
WHERE {" OR ".join(f"posts.{c} IS DISTINCT FROM coalesce(excluded.{c}, posts.{c})" for c in TRACKED)}
"""


@dataclass
class LoadResult:
    source: str
    status: str
    posts_fetched: int
    posts_new: int
    posts_updated: int
    error: str | None


def sync_clients(con: duckdb.DuckDBPyConnection, workspace: Workspace) -> None:
    """Make the clients and client_brands tables say what workspace.yaml says now."""
    con.execute("DELETE FROM client_brands")
    con.execute("DELETE FROM clients")
    con.executemany(
        "INSERT INTO clients VALUES (?, ?, ?, ?)",
        [(c.slug, c.name, c.language, c.timezone) for c in workspace.clients],
    )
    con.executemany(
        "INSERT INTO client_brands VALUES (?, ?, ?, ?)",
        [
            (c.slug, brand.name, role, [h.lower() for h in brand.handles])
            for c in workspace.clients
            for brand, role in c.brand_roles()
        ],
    )


def _upsert_posts(con: duckdb.DuckDBPyConnection, posts_file: Path) -> tuple[int, int, int]:
    """Upsert the posts of a staged file; return (staged, new, updated) counts."""
    if not posts_file.exists() or posts_file.stat().st_size == 0:
        return 0, 0, 0
    # A post fetched twice in one run (two queries matching it) is kept once: the latest fetch.
    con.execute(
        """
        CREATE TEMP TABLE staged AS
        SELECT *,
               CASE WHEN author.handle IS NULL OR author.handle = '' THEN NULL
                    WHEN starts_with(author.handle, '@') THEN author.handle
                    ELSE '@' || author.handle END AS author_handle
        FROM read_json(?, format = 'newline_delimited', columns = ?)
        QUALIFY row_number() OVER (PARTITION BY id ORDER BY fetched_at DESC) = 1
        """,
        [str(posts_file), POST_COLUMNS],
    )
    staged = con.execute("SELECT count(*) FROM staged").fetchone()[0]
    new = con.execute("SELECT count(*) FROM staged WHERE id NOT IN (SELECT id FROM posts)").fetchone()[0]
    # What the signals read of an already-stored post besides its text (a new text is re-enriched,
    # which queues its day): its time, thread links and author. Engagement counts are not here: they
    # change at every re-fetch, and rebuilding every past day a count changed on would make the daily
    # update grow with the history; a day's engagement figures are those of its last rebuild.
    con.execute(f"""
        CREATE TEMP TABLE previous_posts AS
        SELECT p.id, {", ".join(f"p.{c}" for c in SIGNAL_FIELDS)} FROM posts p JOIN staged s ON s.id = p.id
    """)
    con.execute(UPSERT_SQL)
    # now() is the transaction's start time: rows stamped with it but first seen earlier were updated.
    updated = con.execute("SELECT count(*) FROM posts WHERE updated_at = now() AND first_seen_at < now()").fetchone()[0]
    if updated:
        # a moved, re-threaded or re-attributed post changes the signals of the day it left and of its day now
        con.execute(f"""
            INSERT INTO pending_signal_days
            SELECT DISTINCT day FROM (
                SELECT unnest([CAST(b.created_at AS DATE), CAST(p.created_at AS DATE)]) AS day
                FROM previous_posts b JOIN posts p ON p.id = b.id
                WHERE {" OR ".join(f"b.{c} IS DISTINCT FROM p.{c}" for c in SIGNAL_FIELDS)}
            )
            ON CONFLICT DO NOTHING
        """)
        # the enrichment rows carry their post's time (the rebuild reads them by it): a moved post's
        # rows follow it
        con.execute("""
            CREATE TEMP TABLE moved_posts AS
            SELECT p.id, p.created_at FROM previous_posts b JOIN posts p ON p.id = b.id
            WHERE b.created_at IS DISTINCT FROM p.created_at
        """)
        for table in ("enrichments", "mentions"):
            con.execute(f"UPDATE {table} t SET created_at = m.created_at FROM moved_posts m WHERE t.post_id = m.id")
        con.execute("DROP TABLE moved_posts")
    con.execute("DROP TABLE previous_posts")
    con.execute("DROP TABLE staged")
    return staged, new, updated


def _load_one(con: duckdb.DuckDBPyConnection, meta: StagedFetch, posts_file: Path) -> LoadResult:
    con.execute("BEGIN TRANSACTION")
    try:
        staged, new, updated = _upsert_posts(con, posts_file)
        if meta.cursor_advanced and meta.cursor is not None:
            con.execute(
                "INSERT INTO cursors VALUES (?, ?, now()) "
                "ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at",
                [meta.source, json.dumps(meta.cursor)],
            )
        con.execute(
            "INSERT INTO source_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [meta.source, meta.run_id, meta.started_at, meta.finished_at, meta.status, meta.posts_fetched,
             new, meta.error, meta.problems, meta.problem_samples],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return LoadResult(meta.source, meta.status, staged, new, updated, meta.error)


def _record_unloadable(con: duckdb.DuckDBPyConnection, meta: StagedFetch, error: str) -> None:
    con.execute(
        "INSERT INTO source_runs VALUES (?, ?, ?, now(), 'failed', ?, 0, ?, ?, ?) ON CONFLICT DO NOTHING",
        [meta.source, meta.run_id, meta.started_at, meta.posts_fetched, error, meta.problems, meta.problem_samples],
    )


def load_staged(warehouse: Warehouse, workspace: Workspace, staging_dir: Path) -> list[LoadResult]:
    """Load every staged fetch in ``staging_dir``; move each loaded pair into ``staging_dir/loaded``.

    A staged file that cannot be read is recorded as a failed run of that source and left in place
    for inspection; the other sources still load.
    """
    results = []
    done_dir = staging_dir / "loaded"
    with warehouse.write() as con:
        sync_clients(con, workspace)
        for meta, posts_file in staged_fetches(staging_dir):
            try:
                result = _load_one(con, meta, posts_file)
            except duckdb.Error as exc:
                error = f"staged file {posts_file} could not be loaded: {exc}".splitlines()[0]
                log.error("%s: %s", meta.source, error)
                _record_unloadable(con, meta, error)
                results.append(LoadResult(meta.source, "failed", meta.posts_fetched, 0, 0, error))
                continue
            results.append(result)
            done_dir.mkdir(exist_ok=True)
            for path in (posts_file, staging_dir / f"{meta.source}.meta.json"):
                if path.exists():
                    shutil.move(str(path), done_dir / path.name)
            log.info("%s: loaded %d posts (%d new, %d updated)", meta.source, result.posts_fetched,
                     result.posts_new, result.posts_updated)
    return results


def cursors(warehouse: Warehouse) -> dict[str, dict]:
    """The saved cursor of every source (empty before the first load)."""
    if not warehouse.path.exists():
        return {}
    with warehouse.read() as con:
        return {source: json.loads(cursor) for source, cursor in con.execute("SELECT source, cursor FROM cursors").fetchall()}
