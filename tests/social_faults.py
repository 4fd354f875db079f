"""Fault scenarios every social connector test runs (issue 3, item 8), against its fake platform.

Each platform test module supplies what differs: the fake, a ``build(**overrides)`` returning a
connector with tiny waits, and ``marker``, a piece of request path and query that picks the requests
to fault: for the rate-limit resets, one only a later page carries (next_token=, after=, max_id=,
cursor=), so the fault comes mid-pass and a stop leaves a cursor with a pending pass. What the
scenarios assert is the shared policy of connectors/politeness.py and connectors/social.py.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

import pytest

from connectors.base import SourceError
from connectors.fakes import FakePlatform, drain, json_response

WAIT_LINE = re.compile(r"source '(?P<source>[^']+)': \w+ API rate limit hit on .+; waiting (?P<seconds>[\d.]+)s "
                       r"until it resets at \d\d:\d\d:\d\d UTC")


def in_request(marker: str) -> Callable:
    """A ``FakePlatform.inject`` condition: the request's path and query contain ``marker``."""
    return lambda request: marker in request.full_path


def waits_logged(caplog, source: str) -> list[float]:
    """The seconds of every rate-limit wait logged for ``source`` (politeness's log line)."""
    return [float(m["seconds"]) for record in caplog.records
            if (m := WAIT_LINE.search(record.getMessage())) and m["source"] == source]


def reshape(fake: FakePlatform, render: str, change: Callable[[dict, dict], None]) -> None:
    """Serve every record the fake renders with ``fake.<render>(post)`` after ``change(post, record)``
    edits it in place: drop fields, add unknown ones."""
    original = getattr(fake, render)

    def reshaped(post):
        record = original(post)
        change(post, record)
        return record

    setattr(fake, render, reshaped)


def check_waits_for_reset(fake: FakePlatform, build, caplog, marker: str, reset_headers: dict[str, str],
                          reset_at: float) -> list:
    """A 429 on a later page with the platform's reset headers: the connector waits until the reset
    (logging what for and how long) and then fetches everything. Returns the posts."""
    fake.inject(lambda: json_response({"error": "Too Many Requests"}, 429, reset_headers), when=in_request(marker))
    with caplog.at_level(logging.WARNING):
        posts, _, problems = drain(build())
    assert problems == []
    assert time.time() >= reset_at - 0.01, "the next call came only after the reset"
    source = build().name
    assert len(waits := waits_logged(caplog, source)) == 1, caplog.messages
    assert 0 < waits[0] <= 3
    return posts


def check_reset_beyond_max_wait_stops_and_resumes(fake: FakePlatform, build, marker: str,
                                                  reset_headers: dict[str, str]) -> tuple[list, list]:
    """A reset later than ``max_wait_seconds``: no wait, a clean stop naming the limit, a cursor with a
    pending pass; the next run fetches the rest. Returns the posts of both runs."""
    fake.inject(lambda: json_response({"error": "Too Many Requests"}, 429, reset_headers), when=in_request(marker))
    started = time.monotonic()
    first, cursor, problems = drain(build(max_wait_seconds=5))
    assert time.monotonic() - started < 5, "did not wait for a reset beyond max_wait_seconds"
    assert first and len(problems) == 1 and "max_wait_seconds=5" in problems[0] and "next one resumes" in problems[0]
    assert any("pending" in stream for stream in cursor["streams"].values())
    second, _, problems2 = drain(build(), cursor)
    assert problems2 == []
    return first, second


def check_backs_off_then_stops(fake: FakePlatform, build, marker: str, retries: int = 3) -> dict:
    """429s without any reset header on every call matching ``marker``: a bounded number of backoff
    retries, then a clean stop (not an error, not a spin) whose problem says so. Returns the cursor."""
    fake.inject(lambda: json_response({"error": "Too Many Requests"}, 429), times=100, when=in_request(marker))
    started = time.monotonic()
    _, cursor, problems = drain(build(retries=retries))
    assert time.monotonic() - started < 5
    assert len([r for r in fake.requests if marker in r]) == retries + 1, "one call plus the retries, then stop"
    assert len(problems) == 1 and f"persisted after {retries} backoff retries" in problems[0]
    return cursor


def check_persistent_server_error_fails_the_source(fake: FakePlatform, build, marker: str) -> None:
    """5xx on every call: bounded retries, then one ``SourceError`` naming the source and the status."""
    fake.inject(lambda: json_response({"error": "Internal Server Error"}, 500), times=100, when=in_request(marker))
    connector = build(retries=2)
    with pytest.raises(SourceError, match=rf"'{connector.name}'.*failed after 2 retries: HTTP 500"):
        drain(connector)
    assert len([r for r in fake.requests if marker in r]) == 3
