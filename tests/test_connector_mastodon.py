"""The Mastodon connector through the real Mastodon.py against a fake instance on 127.0.0.1."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from connectors.base import SourceError
from connectors.fakes import drain, json_response, sample_posts
from connectors.fakes.mastodon_api import FakeMastodon, status_id
from connectors.mastodon import MastodonConnector, MastodonSource, html_to_text
from social_faults import (
    check_backs_off_then_stops,
    check_persistent_server_error_fails_the_source,
    check_reset_beyond_max_wait_stops_and_resumes,
    check_waits_for_reset,
    reshape,
)

NOW = datetime.now(timezone.utc)
TOKEN = "mastodon-SECRET-token"


@pytest.fixture
def fake_mastodon(httpserver, monkeypatch):
    httpserver.no_handler_status_code = 418
    monkeypatch.setenv("RETE_MASTODON_ACCESS_TOKEN", TOKEN)
    fake = FakeMastodon(sample_posts(25, start=NOW - timedelta(hours=10), minutes_apart=10), access_token=TOKEN)
    fake.mount(httpserver)
    return fake


def connector(httpserver, **overrides) -> MastodonConnector:
    settings = dict(name="fedi", type="mastodon", instances=[httpserver.url_for("/").rstrip("/")],
                    hashtags=["#barilla"], page_size=10, backoff_seconds=0.01, max_backoff_seconds=0.05, retries=2)
    settings.update(overrides)
    return MastodonConnector(MastodonSource(**settings))


def native(fake, posts) -> list[str]:
    return sorted(p.native_id.split("/")[-1] for p in posts)


def expected(fake, first=1, last=25) -> list[str]:
    return sorted(status_id(p) for p in fake.posts if first <= p["id"] <= last)


def test_hashtag_timeline_pages_and_maps(fake_mastodon, httpserver):
    posts, cursor, problems = drain(connector(httpserver))
    timeline = [r for r in fake_mastodon.requests if "/timelines/tag/barilla" in r]
    assert len(timeline) == 4 and "max_id=" in timeline[1], "3 full pages, then an empty one"
    assert problems == [] and native(fake_mastodon, posts) == expected(fake_mastodon)
    reply = next(p for p in posts if p.parent_id)
    assert reply.author.handle == "@barilla" and reply.author.followers == 350_000
    host = reply.native_id.rsplit("/", 1)[0]
    assert reply.parent_id == f"mastodon:{host}/{reply.raw['in_reply_to_id']}"
    assert "<p>" not in reply.text and reply.url.startswith("https://")
    assert reply.raw["account"]["acct"] == "barilla" and TOKEN not in repr(reply.raw)


def test_second_run_only_new(fake_mastodon, httpserver):
    _, cursor, _ = drain(connector(httpserver))
    fake_mastodon.posts += sample_posts(3, first_id=26, start=NOW - timedelta(minutes=3), minutes_apart=1)
    posts, _, _ = drain(connector(httpserver), cursor)
    assert native(fake_mastodon, posts) == expected(fake_mastodon, 26, 28)


def test_time_budget_then_resume(fake_mastodon, httpserver):
    posts1, cursor, problems = drain(connector(httpserver, time_budget_seconds=0.001))
    assert len(posts1) == 10 and "time budget" in problems[0]
    fake_mastodon.posts += sample_posts(2, first_id=26, start=NOW - timedelta(minutes=2), minutes_apart=1)
    posts2, _, _ = drain(connector(httpserver), cursor)
    both = native(fake_mastodon, posts1 + posts2)
    assert both == expected(fake_mastodon, 1, 27)


def test_search_needs_the_token_and_rate_limit_without_reset_stops(fake_mastodon, httpserver, monkeypatch):
    posts, _, _ = drain(connector(httpserver, hashtags=[], queries=["barilla"]))
    assert native(fake_mastodon, posts) == expected(fake_mastodon)

    fake_mastodon.inject(lambda: json_response({"error": "Too many requests"}, 429), times=50)
    posts, cursor, problems = drain(connector(httpserver, hashtags=[], queries=["barilla"]))
    assert posts == [] and "persisted after 2" in problems[0]

    monkeypatch.setenv("RETE_MASTODON_ACCESS_TOKEN", "wrong-SECRET")
    fake_mastodon._faults.clear()
    with pytest.raises(SourceError) as failure:
        drain(connector(httpserver, hashtags=[], queries=["barilla"]))
    assert "'fedi'" in str(failure.value) and "wrong-SECRET" not in str(failure.value)


def test_server_error_then_success(fake_mastodon, httpserver):
    fake_mastodon.inject(lambda: json_response({"error": "oops"}, 502))
    posts, _, problems = drain(connector(httpserver))
    assert native(fake_mastodon, posts) == expected(fake_mastodon) and problems == []


def mastodon_limits(reset_at: float) -> dict[str, str]:
    """Mastodon's real rate-limit headers: the reset as an ISO time, quota used up."""
    iso = datetime.fromtimestamp(reset_at, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": iso}


def test_rate_limit_with_reset_header_waits_and_logs(fake_mastodon, httpserver, caplog):
    reset_at = time.time() + 1
    posts = check_waits_for_reset(fake_mastodon, lambda **o: connector(httpserver, **o), caplog, "max_id=",
                                  mastodon_limits(reset_at), reset_at)
    assert native(fake_mastodon, posts) == expected(fake_mastodon)


def test_rate_limit_reset_beyond_max_wait_stops_cleanly_and_resumes(fake_mastodon, httpserver):
    first, second = check_reset_beyond_max_wait_stops_and_resumes(
        fake_mastodon, lambda **o: connector(httpserver, **o), "max_id=", mastodon_limits(time.time() + 600))
    assert len(first) == 10
    assert native(fake_mastodon, first + second) == expected(fake_mastodon)


def test_rate_limit_without_reset_backs_off_then_stops_on_the_timeline(fake_mastodon, httpserver):
    cursor = check_backs_off_then_stops(fake_mastodon, lambda **o: connector(httpserver, **o), "/timelines/tag/")
    assert cursor["streams"] == {}


def test_rate_limit_reset_of_one_instance_is_not_applied_to_another(fake_mastodon, httpserver):
    # One fake, two instances (two clients): localhost answers with a live rate-limit window,
    # 127.0.0.1 limits without any reset time, so only backoff fits it.
    port = httpserver.port
    answer = fake_mastodon.handle

    def with_window(request):
        response = answer(request)
        if request.host.startswith("localhost"):
            response.headers.update({**mastodon_limits(time.time() + 600), "X-RateLimit-Remaining": "299"})
        return response

    fake_mastodon.handle = with_window
    fake_mastodon.inject(lambda: json_response({"error": "Too many requests"}, 429), times=100,
                         when=lambda request: request.host.startswith("127.0.0.1"))
    posts, _, problems = drain(connector(httpserver, instances=[f"http://localhost:{port}",
                                                                 f"http://127.0.0.1:{port}"]))
    assert native(fake_mastodon, posts) == expected(fake_mastodon), "the first instance was fetched"
    assert len(problems) == 1 and "persisted after 2 backoff retries" in problems[0]


def test_persistent_server_error_is_a_source_error(fake_mastodon, httpserver):
    check_persistent_server_error_fails_the_source(fake_mastodon, lambda **o: connector(httpserver, **o),
                                                   "/timelines/tag/")


def test_missing_and_extra_fields(fake_mastodon, httpserver):
    broken = status_id(fake_mastodon.posts[10])

    def change(post, status):
        status["unknown_new_field"] = {"nested": True}
        status["account"]["unknown_account_field"] = 1
        for optional in ("language", "favourites_count", "replies_count", "reblogs_count", "url"):
            status.pop(optional)
        status["account"].pop("followers_count")
        if status["id"] == broken:
            del status["created_at"]

    reshape(fake_mastodon, "render_status", change)
    posts, _, problems = drain(connector(httpserver))
    assert native(fake_mastodon, posts) == [i for i in expected(fake_mastodon) if i != broken]
    assert len(problems) == 1 and f"status {broken} skipped: KeyError: 'created_at'" in problems[0]
    assert all(p.lang is None and p.engagement.likes is None and p.engagement.replies is None
               and p.author.followers is None and p.url.startswith("https://") for p in posts)
    assert posts[0].raw["unknown_new_field"] == {"nested": True}


def test_html_to_text_keeps_breaks_and_decodes_entities():
    assert html_to_text("<p>Ciao &amp; grazie<br />riga</p><p>due</p>") == "Ciao & grazie\nriga\n\ndue"


def test_api_base_stands_in_for_the_named_instance(fake_mastodon, httpserver):
    posts, _, problems = drain(connector(httpserver, instances=["https://mastodon.uno"],
                                         api_base=httpserver.url_for("/")))
    assert problems == [] and native(fake_mastodon, posts) == expected(fake_mastodon)
    assert all(p.native_id.startswith("mastodon.uno/") for p in posts)
    reply = next(p for p in posts if p.parent_id)
    assert reply.parent_id.startswith("mastodon:mastodon.uno/")
    with pytest.raises(ValidationError, match="api_base stands in for one instance"):
        MastodonSource(name="fedi", type="mastodon", instances=["https://a.example", "https://b.example"],
                       api_base="http://127.0.0.1:1", hashtags=["#x"])
