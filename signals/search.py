"""Full-text search over posts with DuckDB's fts extension (BM25).

The extension comes from the duckdb-extension-fts wheel (it must match the duckdb version), loaded
from the wheel's folder because INSTALL would need the internet. The index is a snapshot: the
signal rebuild refreshes it after each change of posts.
"""

from __future__ import annotations

from importlib import resources

import duckdb

import duckdb_extension_fts

INDEX_SCHEMA = "fts_main_posts"


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    version = duckdb.__version__
    path = resources.files(duckdb_extension_fts).joinpath("extensions", f"v{version}", "fts.duckdb_extension")
    if not path.is_file():
        raise RuntimeError(f"{path}: no fts extension for duckdb {version}; pin duckdb-extension-fts=={version}")
    con.execute(f"LOAD '{path}'")


def refresh_index(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build the BM25 index over posts.title and posts.text. Accents and case are ignored; no
    stemming, because posts mix Italian and English and a wrong-language stemmer mangles words."""
    load_fts(con)
    con.execute(
        "PRAGMA create_fts_index('posts', 'id', 'title', 'text', stemmer = 'none', "
        "stopwords = 'none', strip_accents = 1, lower = 1, overwrite = 1)"
    )


def has_index(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.schemata WHERE schema_name = ?", [INDEX_SCHEMA]
    ).fetchone()[0])


def search_posts(con: duckdb.DuckDBPyConnection, text: str, client: str | None = None,
                 limit: int = 20) -> duckdb.DuckDBPyRelation:
    """Rows (post_id, created_at, author, url, score, text), best first; with client, only posts
    mentioning that client's brand set."""
    load_fts(con)
    if not has_index(con):
        raise FileNotFoundError("no search index yet: run `rete signals rebuild` first")
    return con.sql(
        f"""
        SELECT id AS post_id, created_at, author_handle AS author, url, score, text FROM (
            SELECT p.*, {INDEX_SCHEMA}.match_bm25(p.id, $text) AS score FROM posts p
        ) hits
        WHERE score IS NOT NULL
          AND ($client IS NULL OR id IN (SELECT post_id FROM signal_mention_facts WHERE client = $client))
        ORDER BY score DESC, id
        LIMIT $limit
        """,
        params={"text": text, "client": client, "limit": limit},
    )
