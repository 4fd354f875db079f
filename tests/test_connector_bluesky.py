"""The Bluesky connector through the real atproto client against a fake entry point on 127.0.0.1."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from connectors.base import SourceError
from connectors.bluesky import BlueskyConnector, BlueskySource
from connectors.fakes import drain, json_response, sample_posts
from connectors.fakes.bluesky_api import FakeBluesky, post_uri
from social_faults import (
    check_backs_off_then_stops,
    check_persistent_server_error_fails_the_source,
    check_reset_beyond_max_wait_stops_and_resumes,
    check_waits_for_reset,
    reshape,
)

NOW = datetime.now(timezone.utc)
APP_PASSWORD = "abcd-SECRET-ijkl-mnop"


@pytest.fixture
def fake_bsky(httpserver, monkeypatch):
    httpserver.no_handler_status_code = 418
    monkeypatch.setenv("RETE_BLUESKY_HANDLE", "rete.bsky.social")
    monkeypatch.setenv("RETE_BLUESKY_APP_PASSWORD", APP_PASSWORD)
    fake = FakeBluesky(sample_posts(25, start=NOW - timedelta(hours=10), minutes_apart=10), app_password=APP_PASSWORD)
    fake.mount(httpserver)
    return fake


def connector(httpserver, **overrides) -> BlueskyConnector:
    settings = dict(name="bsky", type="bluesky", api_base=httpserver.url_for("/"), queries=["barilla"],
                    page_size=10, backoff_seconds=0.01, max_backoff_seconds=0.05, retries=2)
    settings.update(overrides)
    return BlueskyConnector(BlueskySource(**settings))


def uris(posts) -> list[str]:
    return sorted(p.native_id for p in posts)


def expected(fake, first=1, last=25) -> list[str]:
    return sorted(post_uri(p) for p in fake.posts if first <= p["id"] <= last)


def test_search_pages_maps_and_second_run_only_new(fake_bsky, httpserver):
    posts, cursor, problems = drain(connector(httpserver))
    assert len([r for r in fake_bsky.requests if "searchPosts" in r]) == 3 and problems == []
    assert uris(posts) == expected(fake_bsky)
    reply = next(p for p in posts if p.parent_id)
    assert reply.author.handle == "@barilla.bsky.social" and reply.author.followers == 350_000
    assert reply.url.startswith("https://bsky.app/profile/barilla.bsky.social/post/")
    assert reply.thread_id and reply.lang in ("it", "en") and reply.raw["record"]["text"] == reply.text
    assert APP_PASSWORD not in repr([p.raw for p in posts]) and fake_bsky.access not in repr(cursor)

    fake_bsky.posts += sample_posts(3, first_id=26, start=NOW - timedelta(minutes=3), minutes_apart=1)
    new, _, _ = drain(connector(httpserver), cursor)
    assert uris(new) == expected(fake_bsky, 26, 28)


def test_time_budget_then_resume_and_server_error(fake_bsky, httpserver):
    posts1, cursor, problems = drain(connector(httpserver, time_budget_seconds=0.001))
    assert len(posts1) == 10 and "time budget" in problems[0]
    fake_bsky.inject(lambda: json_response({"error": "InternalServerError"}, 500),
                     when=lambda r: "searchPosts" in r.path)
    posts2, _, problems2 = drain(connector(httpserver), cursor)
    assert problems2 == []
    both = uris(posts1 + posts2)
    assert both == expected(fake_bsky) and len(set(both)) == len(both)


def test_bad_app_password(fake_bsky, httpserver, monkeypatch):
    monkeypatch.setenv("RETE_BLUESKY_APP_PASSWORD", "wrong-SECRET-pass")
    with pytest.raises(SourceError) as failure:
        drain(connector(httpserver))
    assert "'bsky'" in str(failure.value) and "RETE_BLUESKY_APP_PASSWORD" in str(failure.value)
    assert "wrong-SECRET-pass" not in str(failure.value)


def bluesky_limits(reset_at: int) -> dict[str, str]:
    """Bluesky's real rate-limit headers: the reset in epoch seconds, quota used up."""
    return {"ratelimit-limit": "3000", "ratelimit-remaining": "0", "ratelimit-reset": str(reset_at),
            "ratelimit-policy": "3000;w=300"}


def test_rate_limit_with_reset_header_waits_and_logs(fake_bsky, httpserver, caplog):
    reset_at = int(time.time()) + 2  # whole seconds on the wire
    posts = check_waits_for_reset(fake_bsky, lambda **o: connector(httpserver, **o), caplog, "cursor=",
                                  bluesky_limits(reset_at), reset_at)
    assert uris(posts) == expected(fake_bsky)


def test_rate_limit_reset_beyond_max_wait_stops_cleanly_and_resumes(fake_bsky, httpserver):
    first, second = check_reset_beyond_max_wait_stops_and_resumes(
        fake_bsky, lambda **o: connector(httpserver, **o), "cursor=", bluesky_limits(int(time.time()) + 600))
    assert len(first) == 10
    both = uris(first + second)
    assert both == expected(fake_bsky) and len(set(both)) == len(both)


def test_rate_limit_without_reset_backs_off_then_stops(fake_bsky, httpserver):
    cursor = check_backs_off_then_stops(fake_bsky, lambda **o: connector(httpserver, **o), "searchPosts")
    assert cursor["streams"] == {}


def test_persistent_server_error_is_a_source_error(fake_bsky, httpserver):
    check_persistent_server_error_fails_the_source(fake_bsky, lambda **o: connector(httpserver, **o), "searchPosts")


def test_missing_and_extra_fields(fake_bsky, httpserver):
    broken = post_uri(fake_bsky.posts[10])

    def change(post, view):
        view["unknownField"] = {"nested": True}
        view["record"]["unknownField"] = 1
        for optional in ("likeCount", "replyCount", "repostCount", "quoteCount"):
            view.pop(optional)
        view["author"].pop("displayName")
        view["record"].pop("langs", None)
        if view["uri"] == broken:
            del view["record"]["createdAt"]

    reshape(fake_bsky, "render_post", change)
    posts, _, problems = drain(connector(httpserver))
    assert uris(posts) == [u for u in expected(fake_bsky) if u != broken]
    assert len(problems) == 1 and repr(broken) in problems[0] and "createdAt" in problems[0]
    assert all(p.lang is None and p.engagement.likes is None and p.engagement.shares is None
               and p.author.display_name is None and p.author.followers is not None for p in posts)
    assert posts[0].raw["unknownField"] == {"nested": True}
