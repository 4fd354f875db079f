"""The warehouse's promises: migrations, idempotent upsert, cursor saved with its posts, health."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from connectors.staging import StagedFetch
from rete.config import BrandEntry, Client, Workspace
from rete.post import Author, Engagement, Post, post_id
from signals.load import cursors, load_staged
from signals.warehouse import Warehouse, migrations


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = Workspace(name="t", clients=[Client(name="Acme", slug="acme",
                                              brands=[BrandEntry(name="Acme", handles=["@Acme"])])])
    ws.root = tmp_path
    return ws


def make_post(n: int, text: str | None = None, likes: int = 0) -> Post:
    return Post(id=post_id("x", str(n)), platform="x", source="feed", native_id=str(n),
                text=text or f"post number {n}", author=Author(handle=f"user{n % 3}", followers=10),
                created_at=datetime(2026, 11, 1 + n % 10, 12, tzinfo=timezone.utc),
                engagement=Engagement(likes=likes), raw={"n": n})


def stage(directory: Path, run_id: str, posts: list[Post], cursor: dict | None, error: str | None = None,
          source: str = "feed") -> Path:
    folder = directory / run_id
    folder.mkdir(parents=True)
    (folder / f"{source}.jsonl").write_text("".join(p.model_dump_json() + "\n" for p in posts))
    meta = StagedFetch(source=source, run_id=run_id, started_at="2026-11-20T00:00:00+00:00",
                       finished_at="2026-11-20T00:00:05+00:00", posts_fetched=len(posts), cursor=cursor,
                       cursor_advanced=cursor is not None, error=error)
    (folder / f"{source}.meta.json").write_text(json.dumps(asdict(meta)))
    return folder


def table(warehouse: Warehouse, sql: str) -> list[tuple]:
    with warehouse.read() as con:
        return con.execute(sql).fetchall()


def test_migrations_apply_once_and_record_versions(tmp_path):
    warehouse = Warehouse(tmp_path / "w.duckdb")
    with warehouse.write():
        pass
    with warehouse.write():
        pass
    versions = table(warehouse, "SELECT version FROM schema_migrations ORDER BY version")
    assert [v for (v,) in versions] == [v for v, _, _ in migrations()]


def test_loading_the_same_fetch_twice_changes_nothing(tmp_path, workspace):
    warehouse = Warehouse(tmp_path / "w.duckdb")
    posts = [make_post(n) for n in range(20)]
    first = load_staged(warehouse, workspace, stage(tmp_path / "s", "r1", posts, {"since": 20}))
    snapshot = table(warehouse, "SELECT * EXCLUDE (raw) FROM posts ORDER BY id")
    second = load_staged(warehouse, workspace, stage(tmp_path / "s", "r2", posts, {"since": 20}))
    assert (first[0].posts_new, second[0].posts_new, second[0].posts_updated) == (20, 0, 0)
    assert table(warehouse, "SELECT * EXCLUDE (raw) FROM posts ORDER BY id") == snapshot


def test_an_edited_post_is_updated_not_duplicated(tmp_path, workspace):
    warehouse = Warehouse(tmp_path / "w.duckdb")
    load_staged(warehouse, workspace, stage(tmp_path / "s", "r1", [make_post(1), make_post(2)], {"n": 1}))
    result = load_staged(warehouse, workspace, stage(tmp_path / "s", "r2", [make_post(1, "edited text", likes=5)], {"n": 2}))
    assert (result[0].posts_new, result[0].posts_updated) == (0, 1)
    rows = table(warehouse, "SELECT id, text, likes, first_seen_at < updated_at FROM posts ORDER BY id")
    assert rows == [("x:1", "edited text", 5, True), ("x:2", "post number 2", 0, False)]


def test_cursor_is_saved_with_posts_and_handles_normalised(tmp_path, workspace):
    warehouse = Warehouse(tmp_path / "w.duckdb")
    load_staged(warehouse, workspace, stage(tmp_path / "s", "r1", [make_post(1)], {"since_id": "1"}))
    assert cursors(warehouse) == {"feed": {"since_id": "1"}}
    assert table(warehouse, "SELECT author_handle FROM posts") == [("@user1",)]
    assert table(warehouse, "SELECT client, brand, role, handles FROM client_brands") == [("acme", "Acme", "own", ["@acme"])]


def test_failed_fetch_keeps_partial_progress_and_counts_towards_health(tmp_path, workspace):
    warehouse = Warehouse(tmp_path / "w.duckdb")
    for run in range(3):
        load_staged(warehouse, workspace,
                    stage(tmp_path / "s", f"r{run}", [make_post(run)], {"page": run}, error="source 'feed': HTTP 500"))
    assert cursors(warehouse) == {"feed": {"page": 2}}
    assert table(warehouse, "SELECT count(*) FROM posts") == [(3,)]
    health = table(warehouse, "SELECT consecutive_failures, healthy, last_error FROM source_health")
    assert health == [(3, False, "source 'feed': HTTP 500")]
    load_staged(warehouse, workspace, stage(tmp_path / "s", "r9", [], {"page": 3}))
    assert table(warehouse, "SELECT consecutive_failures, healthy FROM source_health") == [(0, True)]


def test_an_unreadable_staged_file_fails_only_its_source(tmp_path, workspace):
    warehouse = Warehouse(tmp_path / "w.duckdb")
    folder = stage(tmp_path / "s", "r1", [make_post(1)], {"n": 1}, source="good")
    bad = stage(tmp_path / "t", "r1", [], {"n": 1}, source="broken")
    (bad / "broken.jsonl").write_text('{"id": "x:1", "text": \n')
    for path in bad.iterdir():
        path.rename(folder / path.name)
    results = {r.source: r for r in load_staged(warehouse, workspace, folder)}
    assert results["good"].posts_new == 1
    assert results["broken"].status == "failed" and "broken.jsonl" in results["broken"].error
    assert (folder / "broken.jsonl").exists(), "an unloadable file is left for inspection"
    assert cursors(warehouse) == {"good": {"n": 1}}


def test_read_connection_refuses_writes(tmp_path):
    warehouse = Warehouse(tmp_path / "w.duckdb")
    with warehouse.write():
        pass
    with warehouse.read() as con, pytest.raises(duckdb.Error):
        con.execute("DELETE FROM posts")


def test_a_copy_lacking_fields_does_not_erase_them(tmp_path, workspace):
    warehouse = Warehouse(tmp_path / "w.duckdb")
    rich = make_post(1, likes=7).model_copy(update={"lang": "it", "thread_id": "x:0"})
    load_staged(warehouse, workspace, stage(tmp_path / "s", "r1", [rich], {"n": 1}))
    bare = Post(id="x:1", platform="x", source="other", native_id="1", text="post number 1",
                created_at=rich.created_at)
    result = load_staged(warehouse, workspace, stage(tmp_path / "s", "r2", [bare], {"n": 2}, source="other"))
    assert result[0].posts_updated == 0
    assert table(warehouse, "SELECT source_lang, thread_id, likes, author_handle FROM posts") == [("it", "x:0", 7, "@user1")]


def test_an_updated_post_queues_its_old_and_new_day_for_the_signals(tmp_path, workspace):
    """A post whose time (or thread, or author) changes needs no new enrichment (same text) but moves
    signals: the day it left and the day it moved to are rebuilt. An unchanged post, or one whose
    engagement counts alone changed, queues nothing (counts change at every re-fetch)."""
    warehouse = Warehouse(tmp_path / "w.duckdb")
    load_staged(warehouse, workspace, stage(tmp_path / "s", "r1", [make_post(1), make_post(2)], {"n": 1}))
    with warehouse.write() as con:
        con.execute("DELETE FROM pending_signal_days")
    moved = make_post(1, likes=7).model_copy(update={"created_at": datetime(2026, 11, 5, 12, tzinfo=timezone.utc)})
    load_staged(warehouse, workspace, stage(tmp_path / "s", "r2", [moved, make_post(2)], {"n": 2}))
    days = [str(d) for (d,) in table(warehouse, "SELECT day FROM pending_signal_days ORDER BY day")]
    assert days == ["2026-11-02", "2026-11-05"]
    assert table(warehouse, "SELECT likes FROM posts WHERE id = 'x:1'") == [(7,)]
    with warehouse.write() as con:
        con.execute("DELETE FROM pending_signal_days")
    result = load_staged(warehouse, workspace, stage(tmp_path / "s", "r3", [make_post(2, likes=99)], {"n": 3}))
    assert result[0].posts_updated == 1
    assert table(warehouse, "SELECT count(*) FROM pending_signal_days") == [(0,)]


def test_a_moved_posts_enrichment_rows_follow_its_time(tmp_path, workspace):
    """The signal rebuild reads enrichments and mentions by their post's time, so a post that moves
    without a new enrichment (same text) takes its rows' time along."""
    warehouse = Warehouse(tmp_path / "w.duckdb")
    load_staged(warehouse, workspace, stage(tmp_path / "s", "r1", [make_post(1), make_post(2)], {"n": 1}))
    with warehouse.write() as con:
        for n in (1, 2):
            con.execute("INSERT INTO enrichments SELECT id, content_hash, 'cfg', 'en', 'neutral', 0, [], [], now(), "
                        "created_at FROM posts WHERE id = ?", [f"x:{n}"])
            con.execute("INSERT INTO mentions SELECT id, 'Acme', 0, 4, 'Acme', 'neutral', 0, created_at FROM posts "
                        "WHERE id = ?", [f"x:{n}"])
    moved_to = datetime(2026, 11, 5, 12, tzinfo=timezone.utc)
    moved = make_post(1).model_copy(update={"created_at": moved_to})
    load_staged(warehouse, workspace, stage(tmp_path / "s", "r2", [moved, make_post(2)], {"n": 2}))
    for name in ("enrichments", "mentions"):
        assert table(warehouse, f"SELECT post_id, created_at FROM {name} ORDER BY post_id") == [
            ("x:1", moved_to), ("x:2", make_post(2).created_at)], name


def old_warehouse(path: Path, before_version: int, posted_at: datetime) -> duckdb.DuckDBPyConnection:
    """A warehouse with the migrations before ``before_version`` applied and one stored post."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                "applied_at TIMESTAMPTZ NOT NULL)")
    for version, name, sql in migrations():
        if version < before_version:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name])
    con.execute("INSERT INTO posts (id, platform, source, native_id, url, text, created_at, fetched_at, first_seen_at,"
                " updated_at, content_hash) VALUES ('x:1', 'x', 'f', '1', 'u', 't', ?, now(), now(), now(), 'h')",
                [posted_at])
    return con


def test_migration_0005_gives_existing_enrichments_their_posts_time(tmp_path):
    path = tmp_path / "old.duckdb"
    at = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)
    con = old_warehouse(path, 5, at)
    con.execute("INSERT INTO enrichments VALUES ('x:1', 'h', 'cfg', 'it', 'neutral', 0, [], [], now())")
    con.execute("INSERT INTO mentions VALUES ('x:1', 'Acme', 0, 4, 'Acme', 'neutral', 0)")
    con.close()
    warehouse = Warehouse(path)
    with warehouse.write():
        pass
    assert table(warehouse, "SELECT created_at FROM enrichments UNION ALL SELECT created_at FROM mentions") == [
        (at,), (at,)]


def test_migration_0006_queues_every_stored_day_to_judge_coordination_by_week(tmp_path):
    path = tmp_path / "old.duckdb"
    old_warehouse(path, 6, datetime(2026, 3, 1, 9, tzinfo=timezone.utc)).close()
    warehouse = Warehouse(path)
    with warehouse.write():
        pass
    assert [str(d) for (d,) in table(warehouse, "SELECT day FROM pending_signal_days")] == ["2026-03-01"]
    assert "week" in {name for (name, *_) in table(warehouse, "DESCRIBE v_coordinated_clusters")}


def test_migration_0007_keeps_apart_the_links_a_time_range_cannot_find(tmp_path):
    # Stored links to a post not stored, or dated after the link, go to signal_network_early_links;
    # a link dated after its stored target does not.
    path = tmp_path / "old.duckdb"
    at = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)
    con = old_warehouse(path, 7, at)
    con.executemany(
        "INSERT INTO signal_network_links VALUES (?, ?, 'a', ?, NULL, NULL, 'reply', ?, ?)",
        [(at + timedelta(hours=1), "x:after", "x:1", "x:1", "x:1"),
         (at - timedelta(hours=1), "x:before", "x:1", "x:1", "x:1"),
         (at, "x:orphan", "x:gone", "x:gone", None)])
    con.close()
    warehouse = Warehouse(path)
    with warehouse.write():
        pass
    assert table(warehouse, "SELECT post_id, target_author FROM signal_network_early_links ORDER BY post_id") == [
        ("x:before", "x:1"), ("x:orphan", None)]
