"""Run one source's fetch and stage its output on disk for the single warehouse loader.

Fetch tasks run in parallel, so they must not open the DuckDB file. Each writes two files into the
run's staging folder: ``<source>.jsonl`` (one post record a line) and ``<source>.meta.json`` (the
cursor after the last staged post, problems, error, timings). The loader then upserts the posts and
saves the cursor in one transaction. If the connector fails half-way, what it fetched before the
failure is staged with the cursor that covers exactly that, so the next run neither loses nor repeats.
"""

from __future__ import annotations

import json
import logging
import os
import time
import traceback
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from connectors.base import Cursor, SourceError
from connectors.registry import build_connector
from rete.post import now_utc
from rete.secrets import redact

log = logging.getLogger(__name__)

MAX_PROBLEM_SAMPLES = 20


@dataclass
class StagedFetch:
    """What a fetch left in the staging folder; serialised as ``<source>.meta.json``."""

    source: str
    run_id: str
    started_at: str
    finished_at: str = ""
    posts_fetched: int = 0
    cursor: Cursor | None = None
    cursor_advanced: bool = False
    problems: int = 0
    problem_samples: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def posts_file(self) -> str:
        return f"{self.source}.jsonl"

    @property
    def status(self) -> str:
        if self.error:
            return "failed"
        return "partial" if self.problems else "ok"

    @classmethod
    def read(cls, path: Path) -> StagedFetch:
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def fetch_to_staging(workspace, source_name: str, cursor: Cursor | None, staging_dir: Path, run_id: str) -> StagedFetch:
    """Fetch ``source_name`` from ``cursor`` into ``staging_dir``; return the summary.

    Raises SourceError after staging whatever was fetched, so the caller (an Airflow task) is marked
    failed while the loader still keeps the partial progress.
    """
    config = workspace.source(source_name)
    connector = build_connector(config, workspace.root)
    staging_dir.mkdir(parents=True, exist_ok=True)
    meta = StagedFetch(source=source_name, run_id=run_id, started_at=now_utc().isoformat(), cursor=cursor)
    posts_path = staging_dir / meta.posts_file
    tmp_posts = posts_path.with_name(posts_path.name + ".tmp")
    deadline = time.monotonic() + config.time_budget_seconds
    failure: Exception | None = None
    with open(tmp_posts, "w", encoding="utf-8") as out:
        try:
            for batch in connector.fetch(cursor):
                for post in batch.posts:
                    out.write(post.model_dump_json() + "\n")
                meta.posts_fetched += len(batch.posts)
                meta.cursor = batch.cursor
                meta.cursor_advanced = True
                meta.problems += len(batch.problems)
                room = MAX_PROBLEM_SAMPLES - len(meta.problem_samples)
                meta.problem_samples.extend(batch.problems[:room])
                for problem in batch.problems:
                    log.warning("%s: %s", source_name, problem)
                if time.monotonic() > deadline:
                    log.info("%s: time budget of %ss used; stopping, the next run resumes from the saved cursor",
                             source_name, config.time_budget_seconds)
                    break
        except SourceError as exc:
            failure = exc
        except Exception as exc:  # noqa: BLE001 - any connector bug must still stage partial progress
            failure = SourceError(source_name, f"{type(exc).__name__}: {exc}")
            # The traceback is formatted here so that it can be redacted: a logging filter sees only the
            # message, and a handler would format the exception (and any token it quotes) after it.
            log.error("%s: unexpected connector failure\n%s", source_name, redact(traceback.format_exc()))
    os.replace(tmp_posts, posts_path)
    if failure is not None:
        meta.error = str(failure)
    meta.finished_at = now_utc().isoformat()
    _write_atomically(staging_dir / f"{source_name}.meta.json", json.dumps(asdict(meta), default=_json_default))
    log.info("%s: staged %d posts (%d problems)%s", source_name, meta.posts_fetched, meta.problems,
             f"; failed: {meta.error}" if meta.error else "")
    if failure is not None:
        raise failure
    return meta


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def staged_fetches(staging_dir: Path) -> list[tuple[StagedFetch, Path]]:
    """Every staged fetch in ``staging_dir`` with the path of its posts file, by source name."""
    found = []
    for meta_path in sorted(staging_dir.glob("*.meta.json")):
        meta = StagedFetch.read(meta_path)
        found.append((meta, staging_dir / meta.posts_file))
    return found
