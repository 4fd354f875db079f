"""The Reddit connector through the real praw/prawcore against a fake Reddit API on 127.0.0.1."""

from __future__ import annotations

import logging

import time
from datetime import datetime, timedelta, timezone

import pytest

from connectors.base import SourceError
from connectors.fakes import drain, json_response, sample_posts
from connectors.fakes.reddit_api import FakeReddit, reddit_id
from connectors.reddit import RedditConnector, RedditSource
from social_faults import (
    check_backs_off_then_stops,
    check_persistent_server_error_fails_the_source,
    check_reset_beyond_max_wait_stops_and_resumes,
    check_waits_for_reset,
    reshape,
    waits_logged,
)

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


def reddit_limits(reset_seconds: int) -> dict[str, str]:
    """Reddit's real rate-limit headers on a 429: seconds until the window resets, quota used up."""
    return {"x-ratelimit-reset": str(reset_seconds), "x-ratelimit-remaining": "0", "x-ratelimit-used": "100"}


def test_rate_limit_with_reset_header_waits_and_logs(fake_reddit, httpserver, caplog):
    reset_at = time.time() + 1
    posts = check_waits_for_reset(fake_reddit, lambda **o: connector(httpserver, comments=False, **o), caplog,
                                  "after=t3_", reddit_limits(1), reset_at)
    assert submission_ids(posts) == expected(fake_reddit)


def test_rate_limit_reset_beyond_max_wait_stops_cleanly_and_resumes(fake_reddit, httpserver):
    first, second = check_reset_beyond_max_wait_stops_and_resumes(
        fake_reddit, lambda **o: connector(httpserver, comments=False, **o), "after=t3_", reddit_limits(600))
    assert len(first) == 10
    both = submission_ids(first + second)
    assert both == expected(fake_reddit) and len(both) == len(set(both))


def test_rate_limit_without_reset_backs_off_then_stops(fake_reddit, httpserver):
    cursor = check_backs_off_then_stops(fake_reddit, lambda **o: connector(httpserver, comments=False, **o),
                                        "/search")
    assert cursor["streams"] == {}


def test_persistent_server_error_is_a_source_error(fake_reddit, httpserver):
    check_persistent_server_error_fails_the_source(
        fake_reddit, lambda **o: connector(httpserver, comments=False, **o), "/search")


def test_missing_and_extra_fields(fake_reddit, httpserver):
    broken = fake_reddit.posts[10]["id"]  # a submission mid-listing

    def change(post, submission):
        data = submission["data"]
        data["unknown_new_field"] = {"nested": [1, 2]}
        for optional in ("score", "num_comments", "num_crossposts", "permalink", "author_fullname"):
            data.pop(optional)
        if post["id"] == broken:
            del data["created_utc"]

    reshape(fake_reddit, "render_submission", change)
    posts, _, problems = drain(connector(httpserver, comments=False))
    assert submission_ids(posts) == [i for i in expected(fake_reddit) if i != f"t3_{reddit_id(broken)}"]
    assert len(problems) == 1 and repr(reddit_id(broken)) in problems[0] and "created_utc" in problems[0]
    assert all(p.url is None and p.author.id is None and p.engagement.likes is None
               and p.engagement.replies is None and p.engagement.shares is None for p in posts)
    assert posts[0].raw["unknown_new_field"] == {"nested": [1, 2]}


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


def test_a_used_up_window_on_a_good_response_is_waited_for_with_a_log_line(fake_reddit, httpserver, caplog):
    """Reddit says on a 200 that the window is used up: the wait goes through politeness (logged,
    bounded by max_wait_seconds) instead of prawcore's silent sleep, and every post still arrives."""
    served = fake_reddit.handle

    def first_search_page_uses_up_the_window(request):
        response = served(request)
        if "/search" in request.path and not getattr(fake_reddit, "window_used", False):
            fake_reddit.window_used = True
            response.headers.update({"x-ratelimit-remaining": "0", "x-ratelimit-used": "600",
                                     "x-ratelimit-reset": "1"})
        return response

    fake_reddit.handle = first_search_page_uses_up_the_window
    with caplog.at_level(logging.INFO):
        posts, _, problems = drain(connector(httpserver))
    assert problems == [] and len(posts) == len(fake_reddit.posts)
    assert len(waits := waits_logged(caplog, "reddit-italy")) == 1 and 0 < waits[0] <= 1.5
