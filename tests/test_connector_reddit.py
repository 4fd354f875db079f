"""The Reddit connector through the real praw/prawcore against a fake Reddit API on 127.0.0.1."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest

from connectors.base import SourceError
from connectors.fakes import drain, json_response, sample_posts
from connectors.fakes.reddit_api import FakeReddit, reddit_id
from connectors.reddit import RedditConnector, RedditSource

NOW = datetime.now(timezone.utc)
SECRET = "reddit-SECRET-abcdef"


@pytest.fixture
def fake_reddit(httpserver, monkeypatch):
    httpserver.no_handler_status_code = 418
    monkeypatch.setenv("RETE_REDDIT_CLIENT_ID", "test-client")
    monkeypatch.setenv("RETE_REDDIT_CLIENT_SECRET", SECRET)
    fake = FakeReddit(sample_posts(30, start=NOW - timedelta(hours=10), minutes_apart=10), client_secret=SECRET)
    fake.mount(httpserver)
    return fake


def connector(httpserver, **overrides) -> RedditConnector:
    settings = dict(name="reddit-italy", type="reddit", api_base=httpserver.url_for("/"), subreddits=["italy"],
                    queries=["barilla"], new_submissions=False, page_size=10, backoff_seconds=0.01,
                    max_backoff_seconds=0.05, retries=2)
    settings.update(overrides)
    return RedditConnector(RedditSource(**settings))


def submission_ids(posts) -> list[str]:
    return sorted(p.native_id for p in posts if p.native_id.startswith("t3_"))


def expected(fake, first=1, last=30) -> list[str]:
    return sorted(f"t3_{reddit_id(p['id'])}" for p in fake.posts
                  if first <= p["id"] <= last and p.get("reply_to") is None)


def test_search_pages_and_comments_map_to_posts(fake_reddit, httpserver):
    fake_reddit.posts[0]["text"] = "Pasta barilla"  # every submission matches "barilla" case-insensitively
    posts, cursor, problems = drain(connector(httpserver, page_size=8))

    searches = [r for r in fake_reddit.requests if "/search" in r]
    assert len(searches) >= 3 and "after=t3_" in searches[1]
    assert problems == []
    assert submission_ids(posts) == expected(fake_reddit)
    comments = [p for p in posts if p.native_id.startswith("t1_")]
    assert len(comments) == 6, "every fifth fake post is a reply, fetched as a comment"
    comment = comments[0]
    parent = fake_reddit.by_id(int(comment.raw["body"].split("#")[-1]) - 1)
    assert comment.parent_id == f"reddit:t3_{reddit_id(parent['id'])}" == comment.thread_id
    assert comment.author.handle == "@barilla" and comment.url.startswith("https://www.reddit.com/r/italy/")
    submission = next(p for p in posts if p.native_id.startswith("t3_"))
    assert submission.title and submission.engagement.replies is not None
    assert submission.raw["subreddit"] == "italy" and SECRET not in repr(submission.raw)
    assert list(cursor["streams"]) == ["search:r/italy:barilla"]


def test_second_run_only_new_and_new_listing(fake_reddit, httpserver):
    _, cursor, _ = drain(connector(httpserver, new_submissions=True))
    fake_reddit.posts += sample_posts(3, first_id=31, start=NOW - timedelta(minutes=3), minutes_apart=1)
    posts, _, _ = drain(connector(httpserver, new_submissions=True), cursor)
    # Once per stream (new + search); the loader's upsert makes them one row.
    assert submission_ids(posts) == sorted(expected(fake_reddit, 31, 33) * 2)


def test_time_budget_then_resume_with_after(fake_reddit, httpserver):
    posts1, cursor, problems = drain(connector(httpserver, time_budget_seconds=0.001, comments=False))
    assert "time budget" in problems[0] and "pending" in cursor["streams"]["search:r/italy:barilla"]
    posts2, _, _ = drain(connector(httpserver, comments=False), cursor)
    assert any("after=t3_" in r for r in fake_reddit.requests[-3:])
    both = submission_ids(posts1 + posts2)
    assert both == expected(fake_reddit) and len(both) == len(set(both))


def test_rate_limit_with_reset_header_waits(fake_reddit, httpserver, caplog):
    fake_reddit.inject(lambda: json_response({"message": "Too Many Requests"}, 429, {"x-ratelimit-reset": "1"}),
                       when=lambda r: "/search" in r.path)
    with caplog.at_level(logging.WARNING):
        posts, _, problems = drain(connector(httpserver, comments=False))
    assert submission_ids(posts) == expected(fake_reddit) and problems == []
    assert any("waiting" in m for m in caplog.messages)


def test_server_error_then_success(fake_reddit, httpserver):
    fake_reddit.inject(lambda: json_response({}, 500), when=lambda r: "/search" in r.path)
    posts, _, problems = drain(connector(httpserver, comments=False))
    assert submission_ids(posts) == expected(fake_reddit) and problems == []


def test_bad_credentials(fake_reddit, httpserver, monkeypatch):
    monkeypatch.setenv("RETE_REDDIT_CLIENT_SECRET", "wrong-SECRET-zzz")
    with pytest.raises(SourceError) as failure:
        drain(connector(httpserver))
    message = str(failure.value)
    assert "'reddit-italy'" in message and "RETE_REDDIT_CLIENT_SECRET" in message
    assert "wrong-SECRET-zzz" not in message
