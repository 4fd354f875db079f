"""The X connector through the real tweepy client against a fake X API v2 on 127.0.0.1."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone

import pytest

from connectors.base import SourceError
from connectors.fakes import drain, json_response, sample_posts
from connectors.fakes.x_api import FakeX, tweet_id
from connectors.x import XConnector, XSource
from social_faults import (
    check_backs_off_then_stops,
    check_persistent_server_error_fails_the_source,
    check_reset_beyond_max_wait_stops_and_resumes,
    check_waits_for_reset,
)

TOKEN = "x-bearer-SECRET-123456"
NOW = datetime.now(timezone.utc)


@pytest.fixture
def fake_x(httpserver, monkeypatch):
    httpserver.no_handler_status_code = 418
    monkeypatch.setenv("RETE_X_BEARER_TOKEN", TOKEN)
    fake = FakeX(sample_posts(25, start=NOW - timedelta(hours=10), minutes_apart=10), bearer_token=TOKEN)
    fake.mount(httpserver)
    return fake


def connector(httpserver, **overrides) -> XConnector:
    settings = dict(name="x-brand", type="x", api_base=httpserver.url_for("/"), queries=["barilla"],
                    page_size=10, backoff_seconds=0.01, max_backoff_seconds=0.05, retries=2)
    settings.update(overrides)
    return XConnector(XSource(**settings))


def ids(posts) -> list[str]:
    return sorted(p.native_id for p in posts)


def test_paginates_newest_first_and_maps_every_field(fake_x, httpserver):
    posts, cursor, problems = drain(connector(httpserver, brand_accounts=["@barilla"]))

    search = [r for r in fake_x.requests if "from%3Abarilla" not in r]
    assert len(search) == 3 and "next_token" in search[1] and "next_token" in search[2]
    assert problems == []
    assert ids(posts[:25]) == sorted(tweet_id(n) for n in range(1, 26))
    # The brand's replies stream (every fifth post is the brand answering) comes on top.
    replies = posts[25:]
    assert {p.author.handle for p in replies} == {"@barilla"} and len(replies) == 5

    reply = next(p for p in posts if p.native_id == tweet_id(5))
    assert reply.parent_id == f"x:{tweet_id(4)}"
    assert reply.thread_id == f"x:{tweet_id(4)}"
    assert reply.author.handle == "@barilla" and reply.author.followers == 350_000
    assert reply.url == f"https://x.com/barilla/status/{tweet_id(5)}"
    assert reply.raw["referenced"][0]["id"] == tweet_id(4)
    first = next(p for p in posts if p.native_id == tweet_id(2))
    assert (first.lang, first.engagement.likes, first.engagement.views, first.engagement.shares) == ("en", 1, 10, 1)
    assert abs(first.created_at - fake_x.by_id(2)["created_at"]) < timedelta(milliseconds=1)
    assert TOKEN not in repr([p.raw for p in posts])
    assert cursor["streams"]["search:barilla"] == {"floor": int(tweet_id(25))}


def test_second_run_fetches_only_what_is_new(fake_x, httpserver):
    _, cursor, _ = drain(connector(httpserver))
    fake_x.posts += sample_posts(4, first_id=26, start=NOW - timedelta(minutes=30), minutes_apart=1)

    posts, cursor2, _ = drain(connector(httpserver), cursor)

    assert ids(posts) == sorted(tweet_id(n) for n in range(26, 30))
    assert f"since_id={tweet_id(25)}" in fake_x.requests[-1]
    assert cursor2["streams"]["search:barilla"] == {"floor": int(tweet_id(29))}
    assert drain(connector(httpserver), cursor2)[0] == []


def test_time_budget_mid_pagination_then_resume_without_gap_or_duplicate(fake_x, httpserver):
    posts1, cursor, problems = drain(connector(httpserver, time_budget_seconds=0.001))
    assert len(posts1) == 10 and "time budget" in problems[0]
    assert cursor["streams"]["search:barilla"]["pending"]["ceiling"] == int(tweet_id(16))
    fake_x.posts += sample_posts(3, first_id=26, start=NOW - timedelta(minutes=5), minutes_apart=1)

    posts2, cursor2, problems2 = drain(connector(httpserver), cursor)

    assert problems2 == []
    assert f"until_id={tweet_id(16)}" in fake_x.requests[1]
    fetched = ids(posts1 + posts2)
    assert fetched == sorted(tweet_id(n) for n in range(1, 29)), "every post exactly once"
    assert cursor2["streams"]["search:barilla"] == {"floor": int(tweet_id(28))}


def x_limits(reset_at: int) -> dict[str, str]:
    """X's real rate-limit headers: the reset in epoch seconds, quota used up."""
    return {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset_at)}


def test_rate_limit_with_reset_header_waits_and_logs(fake_x, httpserver, caplog):
    reset_at = int(time.time()) + 2  # whole seconds on the wire
    posts = check_waits_for_reset(fake_x, lambda **o: connector(httpserver, **o), caplog, "next_token=",
                                  x_limits(reset_at), reset_at)
    assert ids(posts) == sorted(tweet_id(n) for n in range(1, 26))


def test_rate_limit_reset_beyond_max_wait_stops_cleanly_and_resumes(fake_x, httpserver):
    first, second = check_reset_beyond_max_wait_stops_and_resumes(
        fake_x, lambda **o: connector(httpserver, **o), "next_token=", x_limits(int(time.time()) + 3600))
    assert len(first) == 10
    assert ids(first + second) == sorted(tweet_id(n) for n in range(1, 26))


def test_rate_limit_without_reset_backs_off_a_bounded_number_of_times(fake_x, httpserver):
    cursor = check_backs_off_then_stops(fake_x, lambda **o: connector(httpserver, **o), "/search/recent")
    assert cursor["streams"] == {}


def test_server_error_then_success(fake_x, httpserver):
    fake_x.inject(lambda: json_response({"title": "Service Unavailable"}, 503), times=2)
    posts, _, problems = drain(connector(httpserver))
    assert len(posts) == 25 and problems == []


def test_persistent_server_error_is_a_source_error(fake_x, httpserver):
    check_persistent_server_error_fails_the_source(fake_x, lambda **o: connector(httpserver, **o), "/search/recent")


def test_missing_and_extra_fields(fake_x, httpserver):
    original = fake_x.search

    def reshaped(args):
        response = original(args)
        payload = response.get_json()
        for tweet in payload.get("data", []):
            tweet["unknown_new_field"] = {"nested": True}
            tweet.pop("public_metrics")
            tweet.pop("lang")
            if tweet["id"] == tweet_id(7):
                del tweet["created_at"]
        payload["includes"].pop("users")
        return json_response(payload)

    fake_x.search = reshaped
    posts, _, problems = drain(connector(httpserver))
    assert len(posts) == 24
    assert len(problems) == 1 and tweet_id(7) in problems[0] and "created_at" in problems[0]
    assert all(p.engagement.likes is None and p.lang is None and p.author.handle is None for p in posts)
    assert posts[0].url.startswith("https://x.com/i/web/status/")


def test_bad_credentials_one_clear_error_without_the_token(fake_x, httpserver, monkeypatch, caplog):
    monkeypatch.setenv("RETE_X_BEARER_TOKEN", "wrong-SECRET-token-987")
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(SourceError) as failure:
            drain(connector(httpserver))
    message = str(failure.value)
    assert "'x-brand'" in message and "HTTP 401" in message and "RETE_X_BEARER_TOKEN" in message
    assert len(fake_x.requests) == 1, "no retry on bad credentials"
    assert "wrong-SECRET-token-987" not in message
    assert caplog.records, "tweepy logged the request at DEBUG level"
    assert not [r for r in caplog.records if "wrong-SECRET-token-987" in r.getMessage()]


def test_missing_token_names_where_to_set_it(httpserver, monkeypatch):
    monkeypatch.delenv("RETE_X_BEARER_TOKEN", raising=False)
    with pytest.raises(SourceError, match="RETE_X_ACME_BEARER_TOKEN"):
        drain(connector(httpserver, credentials="rete_x_acme"))
