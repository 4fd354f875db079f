"""File import of JSONL and CSV exports, on real files in a temporary workspace."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from pydantic import ValidationError

from connectors.base import SourceError
from connectors.file_import import BATCH_SIZE, FileImportConnector, FileSource


def importer(workspace: Path, **config) -> FileImportConnector:
    return FileImportConnector(FileSource(name="export", type="file", **config), workspace)


def run(connector: FileImportConnector, cursor=None):
    batches = list(connector.fetch(cursor))
    posts = [post for batch in batches for post in batch.posts]
    problems = [problem for batch in batches for problem in batch.problems]
    return posts, problems, (batches[-1].cursor if batches else cursor)


def write_jsonl(path: Path, rows: list, mode: str = "w") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open(mode, encoding="utf-8") as handle:
        for row in rows:
            handle.write((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n")


def tweet(n: int, **extra) -> dict:
    return {
        "post_id": str(n),
        "content": f"Ciao @brand, domanda numero {n}?",
        "published": f"2025-06-0{n % 9 + 1}T10:00:00Z",
        "user": {"screen_name": f"utente{n}", "name": f"Utente {n}", "followers_count": n * 10},
        **extra,
    }


TWEET_MAPPING = {
    "native_id": "post_id",
    "text": "content",
    "created_at": "published",
    "author.handle": "user.screen_name",
    "author.display_name": "user.name",
    "author.followers": "user.followers_count",
    "parent_id": "in_reply_to",
    "engagement.likes": "likes",
}


def test_jsonl_with_mapping_and_nested_paths(tmp_path):
    write_jsonl(tmp_path / "exports" / "x.jsonl", [tweet(1, likes=3), tweet(2, in_reply_to="1")])

    posts, problems, _ = run(importer(tmp_path, path="exports/x.jsonl", platform="x", mapping=TWEET_MAPPING))

    assert problems == []
    first, reply = posts
    assert first.id == "x:1" and first.platform == "x" and first.source == "export"
    assert first.text == "Ciao @brand, domanda numero 1?"
    assert first.created_at == datetime(2025, 6, 2, 10, 0, tzinfo=timezone.utc)
    assert (first.author.handle, first.author.display_name, first.author.followers) == ("utente1", "Utente 1", 10)
    assert first.engagement.likes == 3
    assert reply.parent_id == "x:1"  # native id of the same platform -> warehouse id
    assert reply.raw == tweet(2, in_reply_to="1")


def test_post_shaped_jsonl_needs_no_mapping(tmp_path):
    row = {
        "id": "mastodon:109",
        "platform": "mastodon",
        "native_id": "109",
        "text": "Thanks for the quick answer!",
        "created_at": "2025-06-01T12:00:00+02:00",
        "author": {"handle": "@anna@mastodon.social", "followers": 5},
        "parent_id": "mastodon:108",
        "engagement": {"likes": 2},
        "lang": "en",
    }
    write_jsonl(tmp_path / "posts.jsonl", [row])

    (post,), problems, _ = run(importer(tmp_path, path="posts.jsonl"))

    assert problems == []
    assert post.id == "mastodon:109" and post.platform == "mastodon"
    assert post.parent_id == "mastodon:108"  # already a warehouse id: kept as it is
    assert post.author.handle == "@anna@mastodon.social" and post.engagement.likes == 2
    assert post.created_at == datetime(2025, 6, 1, 10, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("url, kept", [
    ("https://example.org/p/1", True), ("HTTP://example.org/p/1", True),
    ("javascript:alert(document.cookie)", False), ("data:text/html,<script>x</script>", False),
    ("//example.org/p/1", False), ("https:///nohost", False),
])
def test_only_web_urls_are_kept_as_the_posts_link(tmp_path, url, kept):
    write_jsonl(tmp_path / "x.jsonl", [tweet(1, link=url)])

    (post,), problems, _ = run(importer(tmp_path, path="x.jsonl", platform="x", mapping={**TWEET_MAPPING, "url": "link"}))

    assert problems == [] and post.text.startswith("Ciao @brand")  # the post itself is kept either way
    assert post.url == (url if kept else None)


def test_csv_with_bom_semicolons_and_mapping(tmp_path):
    (tmp_path / "export.csv").write_bytes(
        "\ufeffID;Testo;Data;Autore;Mi piace;Link\n"
        '10;"Il caffè è buono; lo consiglio";01/06/2025 ignored;mario;5;https://x.com/mario/status/10\n'
        '11;"Su due\nrighe";2025-06-01 09:30;lucia;;\n'.encode()
    )
    mapping = {
        "native_id": "ID",
        "text": "Testo",
        "created_at": "Data",
        "author.handle": "Autore",
        "engagement.likes": "Mi piace",
        "url": "Link",
    }

    posts, problems, _ = run(importer(tmp_path, path="export.csv", mapping=mapping, timezone="Europe/Rome"))

    # Line 2 has a date that is not ISO 8601: reported, the other row imported.
    assert len(problems) == 1 and problems[0].startswith("export.csv, line 2: bad date in column 'Data'")
    (post,) = posts
    assert post.id == "file:11" and post.text == "Su due\nrighe"
    assert post.created_at == datetime(2025, 6, 1, 7, 30, tzinfo=timezone.utc)  # Rome is UTC+2 in June
    assert post.engagement.likes is None and post.url is None
    assert post.raw == {"ID": "11", "Testo": "Su due\nrighe", "Data": "2025-06-01 09:30", "Autore": "lucia",
                        "Mi piace": "", "Link": ""}  # fmt: skip


def test_bad_rows_are_reported_by_line_and_good_rows_imported(tmp_path):
    write_jsonl(
        tmp_path / "mixed.jsonl",
        [
            tweet(1),
            '{"post_id": "2", "content": "truncated',
            "",
            tweet(3, content="   "),
            tweet(4, published="yesterday"),
            "[1, 2]",
            tweet(6, user={"followers_count": "many"}),
            tweet(7, post_id=None),
            tweet(8),
        ],
    )

    posts, problems, _ = run(importer(tmp_path, path="mixed.jsonl", mapping=TWEET_MAPPING))

    assert [p.native_id for p in posts] == ["1", "8"]
    assert [p.split(":")[0] for p in problems] == [f"mixed.jsonl, line {n}" for n in (2, 4, 5, 6, 7, 8)]
    assert "bad JSON" in problems[0]
    assert "no text (column 'content')" in problems[1]
    assert "bad date" in problems[2] and "yesterday" in problems[2]
    assert "not an object" in problems[3]
    assert "'user.followers_count'" in problems[4] and "not a count" in problems[4]
    assert "no id (column 'post_id')" in problems[5]


def test_second_run_imports_nothing_and_appended_lines_only(tmp_path):
    path = tmp_path / "x.jsonl"
    write_jsonl(path, [tweet(1), tweet(2)])
    connector = importer(tmp_path, path="x.jsonl", mapping=TWEET_MAPPING)

    first, _, cursor = run(connector)
    again, problems, cursor = run(connector, cursor)
    write_jsonl(path, [tweet(3)], mode="a")
    appended, _, cursor = run(connector, cursor)

    assert [p.native_id for p in first] == ["1", "2"]
    assert again == [] and problems == []
    assert [p.native_id for p in appended] == ["3"]
    assert cursor["files"]["x.jsonl"]["lines"] == 3
    assert cursor["files"]["x.jsonl"]["bytes"] == path.stat().st_size


def test_appended_csv_keeps_its_header(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("native_id,text,created_at\n1,uno,2025-06-01T10:00:00Z\n", encoding="utf-8")
    connector = importer(tmp_path, path="a.csv")
    _, _, cursor = run(connector)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("2,due,2025-06-02T10:00:00Z\n")

    (post,), problems, _ = run(connector, cursor)

    assert problems == [] and post.native_id == "2" and post.text == "due"


def test_rewritten_file_is_imported_again_whole(tmp_path):
    path = tmp_path / "x.jsonl"
    write_jsonl(path, [tweet(1), tweet(2)])
    connector = importer(tmp_path, path="x.jsonl", mapping=TWEET_MAPPING)
    _, _, cursor = run(connector)
    write_jsonl(path, [tweet(1, content="edited"), tweet(2), tweet(3)])

    posts, _, cursor = run(connector, cursor)

    assert [p.native_id for p in posts] == ["1", "2", "3"]
    assert posts[0].text == "edited"


def test_large_file_comes_in_batches_each_with_its_cursor(tmp_path):
    path = tmp_path / "big.jsonl"
    write_jsonl(path, [tweet(n) for n in range(BATCH_SIZE + 5)])

    batches = list(importer(tmp_path, path="big.jsonl", mapping=TWEET_MAPPING).fetch(None))

    assert [len(b.posts) for b in batches] == [BATCH_SIZE, 5]
    assert batches[0].cursor["files"]["big.jsonl"]["lines"] == BATCH_SIZE
    # Resuming from the first batch's cursor yields exactly the rest.
    rest, _, _ = run(importer(tmp_path, path="big.jsonl", mapping=TWEET_MAPPING), batches[0].cursor)
    assert [p.native_id for p in rest] == [str(n) for n in range(BATCH_SIZE, BATCH_SIZE + 5)]


def test_timestamps_naive_offset_and_epoch(tmp_path):
    rows = [
        {"native_id": "a", "text": "naive", "created_at": "2025-01-15T10:00:00"},
        {"native_id": "b", "text": "offset", "created_at": "2025-01-15T10:00:00+00:00"},
        {"native_id": "c", "text": "epoch", "created_at": 1736935200},
        {"native_id": "d", "text": "epoch string", "created_at": "1736935200"},
        {"native_id": "e", "text": "epoch ms", "created_at": 1736935200000},
    ]
    write_jsonl(tmp_path / "t.jsonl", rows)

    posts, problems, _ = run(importer(tmp_path, path="t.jsonl", timezone="Europe/Rome"))

    assert problems == []
    stamps = {p.native_id: p.created_at for p in posts}
    assert stamps["a"] == datetime(2025, 1, 15, 9, 0, tzinfo=timezone.utc)  # Rome is UTC+1 in January
    assert stamps["b"] == datetime(2025, 1, 15, 10, 0, tzinfo=timezone.utc)
    assert stamps["c"] == stamps["d"] == stamps["e"] == datetime(2025, 1, 15, 10, 0, tzinfo=timezone.utc)


def test_platform_column_overrides_when_valid(tmp_path):
    rows = [
        {"native_id": "1", "text": "a", "created_at": "2025-06-01", "network": "Twitter"},
        {"native_id": "2", "text": "b", "created_at": "2025-06-01", "network": "reddit"},
        {"native_id": "3", "text": "c", "created_at": "2025-06-01", "network": "tiktok"},
    ]
    write_jsonl(tmp_path / "p.jsonl", rows)

    posts, problems, _ = run(importer(tmp_path, path="p.jsonl", mapping={"platform": "network"}))

    assert [p.id for p in posts] == ["x:1", "reddit:2", "file:3"]
    assert len(problems) == 1 and "'tiktok'" in problems[0] and "imported as 'file'" in problems[0]


def test_glob_imports_each_file_with_its_own_cursor(tmp_path):
    write_jsonl(tmp_path / "exports" / "a.jsonl", [tweet(1)])
    write_jsonl(tmp_path / "exports" / "b.jsonl", [tweet(2)])

    posts, _, cursor = run(importer(tmp_path, path="exports/*.jsonl", mapping=TWEET_MAPPING))

    assert [p.native_id for p in posts] == ["1", "2"]
    assert set(cursor["files"]) == {"exports/a.jsonl", "exports/b.jsonl"}


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(SourceError, match=r"file not found: .*exports/missing\.csv"):
        list(importer(tmp_path, path="exports/missing.csv").fetch(None))
    with pytest.raises(SourceError, match=r"no file matches 'exports/\*\.csv'"):
        list(importer(tmp_path, path="exports/*.csv").fetch(None))


def test_unknown_mapping_field_is_a_config_error():
    with pytest.raises(ValidationError, match="unknown post field"):
        FileSource(name="x", type="file", path="a.csv", mapping={"txet": "content"})
    with pytest.raises(ValidationError, match="unknown time zone"):
        FileSource(name="x", type="file", path="a.csv", timezone="Rome")


def test_csv_rows_with_extra_fields_or_wrong_encoding_are_reported(tmp_path):
    (tmp_path / "e.csv").write_bytes(
        b"native_id,text,created_at\n"
        b"1,buono,2025-06-01\n"
        b"2,troppi,2025-06-01,campo in pi\xc3\xb9\n"
        b"3,perch\xe9,2025-06-01\n"  # latin-1, not UTF-8
        b"4,ok,2025-06-01"  # no final newline
    )

    posts, problems, cursor = run(importer(tmp_path, path="e.csv"))

    assert [p.native_id for p in posts] == ["1", "4"]
    assert problems == [
        "e.csv, line 3: 4 fields but the header has 3 (check the quoting)",
        "e.csv, line 4: not UTF-8 text (save the export as UTF-8)",
    ]
    assert cursor["files"]["e.csv"]["lines"] == 5


def test_time_budget_stops_between_batches_and_the_cursor_resumes(tmp_path):
    write_jsonl(tmp_path / "big.jsonl", [tweet(n) for n in range(BATCH_SIZE + 5)])
    hurried = importer(tmp_path, path="big.jsonl", mapping=TWEET_MAPPING, time_budget_seconds=1e-6)

    (batch,) = list(hurried.fetch(None))
    rest, _, _ = run(importer(tmp_path, path="big.jsonl", mapping=TWEET_MAPPING), batch.cursor)

    assert len(batch.posts) == BATCH_SIZE and "time budget" in batch.problems[-1]
    assert len(rest) == 5


def test_file_of_unknown_format_is_reported_while_others_import(tmp_path):
    write_jsonl(tmp_path / "in" / "a.jsonl", [tweet(1)])
    (tmp_path / "in" / "notes.txt").write_text("hello", encoding="utf-8")

    posts, problems, _ = run(importer(tmp_path, path="in/*", mapping=TWEET_MAPPING))

    assert [p.native_id for p in posts] == ["1"]
    assert problems == ["in/notes.txt: cannot tell the format from the extension; set format: jsonl or csv"]
