"""The daily pipeline's stages, as plain functions the DAG and the CLI both call.

plan -> fetch (one per source, in parallel; never opens the warehouse) -> load (single writer) ->
enrich what is new or changed -> rebuild the affected days' signals. Every stage after fetch takes the
warehouse's writer lock, so stages of concurrent runs queue instead of colliding.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.base import SourceError
from connectors.staging import StagedFetch, fetch_to_staging
from rete.config import Workspace
from rete.post import now_utc
from signals.load import LoadResult, cursors, load_staged
from signals.warehouse import Warehouse

log = logging.getLogger(__name__)

ENRICH_CHUNK = 5_000
def warehouse_of(workspace: Workspace) -> Warehouse:
    return Warehouse(workspace.warehouse_path)


def staging_dir(workspace: Workspace, run_id: str) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in run_id)
    return workspace.state_dir / "staging" / safe


# --- plan and fetch ---------------------------------------------------------------------------------

def plan_fetches(workspace: Workspace) -> list[dict[str, Any]]:
    """One fetch order per enabled source, carrying the cursor it resumes from."""
    saved = cursors(warehouse_of(workspace))
    return [{"source": s.name, "cursor": saved.get(s.name)} for s in workspace.sources if s.enabled]


def fetch_source(workspace: Workspace, source: str, cursor: dict | None, run_id: str) -> dict[str, Any]:
    """Fetch one source into the run's staging folder (raises SourceError after staging progress)."""
    meta = fetch_to_staging(workspace, source, cursor, staging_dir(workspace, run_id), run_id)
    return {"source": meta.source, "posts": meta.posts_fetched, "problems": meta.problems}


def record_lost_fetch(workspace: Workspace, source: str, run_id: str, error: str) -> None:
    """Stage a failed-run record for a fetch that died without staging anything (killed task)."""
    directory = staging_dir(workspace, run_id)
    if (directory / f"{source}.meta.json").exists() or (directory / "loaded" / f"{source}.meta.json").exists():
        return
    directory.mkdir(parents=True, exist_ok=True)
    now = now_utc().isoformat()
    meta = StagedFetch(source=source, run_id=run_id, started_at=now, finished_at=now, error=error)
    (directory / f"{source}.meta.json").write_text(json.dumps(meta.__dict__), encoding="utf-8")


def load_run(workspace: Workspace, run_id: str) -> list[LoadResult]:
    """Load every fetch staged by ``run_id`` (sources that failed to stage get a failed run row)."""
    directory = staging_dir(workspace, run_id)
    for source in workspace.sources:
        if source.enabled:
            record_lost_fetch(workspace, source.name, run_id, "the fetch task ended without staging anything")
    return load_staged(warehouse_of(workspace), workspace, directory)


# --- enrich -----------------------------------------------------------------------------------------

def theme_taxonomy(workspace: Workspace) -> dict[str, list[str]]:
    """Workspace-wide theme extensions: every client's extra themes, keywords merged."""
    merged: dict[str, list[str]] = {}
    for client in workspace.clients:
        for theme, words in client.themes.items():
            merged.setdefault(theme, [])
            merged[theme].extend(w for w in words if w not in merged[theme])
    return merged


def _artifact_digest() -> str:
    """A digest of models/ (code, configuration, data, trained artefacts; not its docs), so that a
    change to any of them re-enriches."""
    import models

    root = Path(models.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix not in {".pyc", ".md"} and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _file_digest(path: Path) -> str:
    # A missing file is reported by the pipeline that loads it, with its path and how to train it.
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"


def enrichment_config_hash(workspace: Workspace) -> str:
    """Identifies what produced an enrichment: models, brands, themes and languages."""
    payload = {
        "models": _artifact_digest(),
        "brands": [b.model_dump(mode="json") for b in workspace.all_brands],
        "themes": theme_taxonomy(workspace),
        "languages": list(workspace.languages),
        # a workspace's own models by content, so that retraining one re-enriches
        "trained_models": {kind: {lang: _file_digest(Path(path)) for lang, path in paths.items()}
                           for kind, paths in workspace.model_paths.items()},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def build_enricher(workspace: Workspace):
    from models.enrich import Enricher

    return Enricher(workspace.all_brands, languages=tuple(workspace.languages), themes=theme_taxonomy(workspace),
                    model_paths=workspace.model_paths)


PENDING_SQL = """
SELECT p.id, p.text, p.source_lang AS lang, p.platform AS source, p.platform, p.author_handle AS author,
       strftime(p.created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at, p.parent_id, p.content_hash
FROM posts p
LEFT JOIN enrichments e ON e.post_id = p.id
WHERE e.post_id IS NULL OR e.content_hash <> p.content_hash OR e.config_hash <> ?
ORDER BY p.id
"""


@dataclass
class EnrichResult:
    posts: int
    mentions: int


def _chunks(rows_cursor, columns: list[str]) -> Iterator[list[dict[str, Any]]]:
    while True:
        rows = rows_cursor.fetchmany(ENRICH_CHUNK)
        if not rows:
            return
        yield [dict(zip(columns, row)) for row in rows]


def enrich_pending(workspace: Workspace, progress: Callable[[int], None] | None = None) -> EnrichResult:
    """Enrich every post that is new, edited, or was enriched under another configuration.

    Enrichments and mentions are replaced for those posts and their UTC days are queued for the
    signal rebuild, all in one transaction.
    """
    config_hash = enrichment_config_hash(workspace)
    enricher = None
    posts = mentions = 0
    with warehouse_of(workspace).write() as con, tempfile.TemporaryDirectory() as tmp:
        enrichment_file = Path(tmp) / "enrichments.jsonl"
        mention_file = Path(tmp) / "mentions.jsonl"
        reader = con.cursor()
        reader.execute(PENDING_SQL, [config_hash])
        columns = [d[0] for d in reader.description]
        with open(enrichment_file, "w", encoding="utf-8") as e_out, open(mention_file, "w", encoding="utf-8") as m_out:
            for chunk in _chunks(reader, columns):
                enricher = enricher or build_enricher(workspace)
                hashes = {row["id"]: row.pop("content_hash") for row in chunk}
                for record in enricher.enrich(chunk):
                    e_out.write(json.dumps({
                        "post_id": record["id"], "content_hash": hashes[record["id"]], "lang": record["lang"],
                        "sentiment_label": record["sentiment"]["label"], "sentiment_score": record["sentiment"]["score"],
                        "intents": record["intents"], "themes": record["themes"],
                    }) + "\n")
                    for mention in record["mentions"]:
                        m_out.write(json.dumps({
                            "post_id": record["id"], "brand": mention["brand"], "start_char": mention["start"],
                            "end_char": mention["end"], "matched_text": mention["text"],
                            "sentiment_label": mention["sentiment"]["label"],
                            "sentiment_score": mention["sentiment"]["score"],
                        }) + "\n")
                        mentions += 1
                    posts += 1
                if progress:
                    progress(len(chunk))
        reader.close()
        if posts:
            _store_enrichments(con, enrichment_file, mention_file, config_hash, has_mentions=mentions > 0)
    log.info("enriched %d posts, %d brand mentions", posts, mentions)
    return EnrichResult(posts, mentions)


def _store_enrichments(con, enrichment_file: Path, mention_file: Path, config_hash: str, has_mentions: bool) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        # each row carries its post's time, which the signal rebuild reads these tables by
        con.execute(
            "CREATE TEMP TABLE new_enrichments AS SELECT n.*, p.created_at "
            "FROM read_json(?, format='newline_delimited', columns=?) n JOIN posts p ON p.id = n.post_id",
            [str(enrichment_file), {"post_id": "VARCHAR", "content_hash": "VARCHAR", "lang": "VARCHAR",
                                    "sentiment_label": "VARCHAR", "sentiment_score": "DOUBLE",
                                    "intents": "VARCHAR[]", "themes": "VARCHAR[]"}],
        )
        con.execute("DELETE FROM mentions WHERE post_id IN (SELECT post_id FROM new_enrichments)")
        con.execute("DELETE FROM enrichments WHERE post_id IN (SELECT post_id FROM new_enrichments)")
        con.execute(
            "INSERT INTO enrichments SELECT post_id, content_hash, ?, lang, sentiment_label, sentiment_score, "
            "intents, themes, now(), created_at FROM new_enrichments ORDER BY created_at",
            [config_hash],
        )
        if has_mentions:
            con.execute(
                "INSERT INTO mentions SELECT DISTINCT ON (m.post_id, m.brand, m.start_char) m.*, n.created_at "
                "FROM read_json(?, format='newline_delimited', columns=?) m "
                "JOIN new_enrichments n ON n.post_id = m.post_id ORDER BY n.created_at",
                [str(mention_file), {"post_id": "VARCHAR", "brand": "VARCHAR", "start_char": "INTEGER",
                                     "end_char": "INTEGER", "matched_text": "VARCHAR",
                                     "sentiment_label": "VARCHAR", "sentiment_score": "DOUBLE"}],
            )
        con.execute(
            "INSERT INTO pending_signal_days SELECT DISTINCT CAST(created_at AS DATE) FROM new_enrichments "
            "ON CONFLICT DO NOTHING"
        )
        con.execute("DROP TABLE new_enrichments")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


# --- signals ----------------------------------------------------------------------------------------

def rebuild_signals(workspace: Workspace) -> dict[str, Any]:
    """Recompute the signals of every day queued by loads and enrichments."""
    from signals.rebuild import rebuild_signals as rebuild

    summary = rebuild(warehouse_of(workspace))
    log.info("%s", summary)
    return {"summary": str(summary), "client_days": summary.local_days, "client_weeks": summary.weeks}


def send_alerts(workspace: Workspace) -> dict[str, Any]:
    """E-mail each client's new spikes (never the same spike twice); failures are reported, not hidden."""
    from reports.alerts import send_spike_alerts

    summary = send_spike_alerts(workspace, warehouse_of(workspace))
    if summary["failed"]:
        raise RuntimeError(f"spike alerts not delivered: {'; '.join(map(str, summary['failed']))}")
    return summary


# --- the whole daily run in one process (the CLI's `rete ingest`) -----------------------------------

@dataclass
class IngestReport:
    loads: list[LoadResult]
    fetch_errors: dict[str, str]
    enriched: EnrichResult
    signals: dict[str, Any]
    alerts: dict[str, Any]


def ingest(workspace: Workspace, run_id: str, on_fetch: Callable[[str], None] | None = None) -> IngestReport:
    """Run every stage in this process, sources one after another; a failing source doesn't stop others."""
    errors: dict[str, str] = {}
    for order in plan_fetches(workspace):
        if on_fetch:
            on_fetch(order["source"])
        try:
            fetch_source(workspace, order["source"], order["cursor"], run_id)
        except SourceError as exc:
            errors[order["source"]] = str(exc)
    loads = load_run(workspace, run_id)
    enriched = enrich_pending(workspace)
    signals = rebuild_signals(workspace)
    return IngestReport(loads, errors, enriched, signals, send_alerts(workspace))
