"""Fake servers speaking each platform's wire format, used by tests and the demo.

Each is a real HTTP application answering the API calls the connectors make, over an in-memory list
of posts. Tests mount them on pytest-httpserver (``platform.mount(httpserver)``); ``rete demo``
serves them with werkzeug (connectors/fakes/demo.py). They implement the query semantics the connectors rely
on (since/until bounds, newest-first paging with cursors, auth), so a test that a second run fetches
only what is new can fail.

Every fake renders the same neutral post dicts (``FakePost``), so one list of generated posts can be
served as X, Reddit, Mastodon or Bluesky:

    id          int, unique and increasing with time (platform ids are derived from it)
    author      {"id": str, "handle": str without @, "name": str, "followers": int}
    text        str;  title: str (Reddit submissions; default: first words of text)
    created_at  aware datetime (UTC)
    lang        "it" | "en" | None
    reply_to    id of another FakePost or None; thread_root likewise (default: reply_to chain root)
    quote_of    id or None;  repost_of: id or None
    likes, replies, shares, views   ints (optional)
    subreddit   str (Reddit; default "italy");  tags: list[str] without # (Mastodon)
    native_id   str (optional): the platform's own id, for posts taken from real-shaped data such as
                the demo's export (Reddit: without the t3_/t1_ prefix); by default it is derived from id
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from werkzeug import Request, Response

FakePost = dict[str, Any]
Handler = Callable[[Request], Response]


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(payload), status=status, headers=headers or {}, content_type="application/json")


def words_match(query: str, text: str) -> bool:
    """A search query in its simplest reading: every plain word (no operators) occurs in the text."""
    words = [w.strip('"').lower() for w in query.split() if ":" not in w and not w.startswith("-")]
    return all(w in text.lower() for w in words if w)


def iso_z(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class FakePlatform(ABC):
    """An API over ``posts``; subclasses route requests in ``handle``."""

    def __init__(self, posts: list[FakePost] | None = None):
        self.posts: list[FakePost] = list(posts or [])
        self.requests: list[str] = []  # "METHOD path?query" of every request served, for assertions
        self._faults: list[tuple[Callable[[Request], bool], Callable[[], Response]]] = []
        self._index: dict[int, FakePost] = {}

    def inject(self, response: Callable[[], Response], *, times: int = 1,
               when: Callable[[Request], bool] = lambda request: True) -> None:
        """Answer the next ``times`` requests for which ``when(request)`` holds with ``response()``
        (a 429, a 500...) instead of the real answer."""
        self._faults.extend([(when, response)] * times)

    def by_id(self, fake_id: int | None) -> FakePost | None:
        if len(self._index) != len(self.posts):  # tests add posts between runs
            self._index = {p["id"]: p for p in self.posts}
        return self._index.get(fake_id)

    def thread_root(self, post: FakePost) -> FakePost:
        if post.get("thread_root") is not None:
            return self.by_id(post["thread_root"]) or post
        seen = post
        while seen.get("reply_to") is not None and (parent := self.by_id(seen["reply_to"])) is not None:
            seen = parent
        return seen

    def newest_first(self, posts: list[FakePost]) -> list[FakePost]:
        return sorted(posts, key=lambda p: p["id"], reverse=True)

    def __call__(self, request: Request) -> Response:
        self.requests.append(f"{request.method} {request.full_path.rstrip('?')}")
        for index, (when, response) in enumerate(self._faults):
            if when(request):
                del self._faults[index]
                return response()
        return self.handle(request)

    @abstractmethod
    def handle(self, request: Request) -> Response:
        """Answer one API request."""

    def mount(self, httpserver) -> None:
        """Serve every request to ``httpserver`` (pytest-httpserver) that no one-shot fault took."""
        httpserver.expect_request(re.compile(".*")).respond_with_handler(self)

    def wsgi(self):
        return Request.application(self)


def sample_posts(count: int, *, first_id: int = 1, start: datetime | None = None, minutes_apart: int = 7,
                 word: str = "barilla") -> list[FakePost]:
    """``count`` varied posts mentioning ``word``, one every ``minutes_apart`` minutes; every fifth
    answers the one before it, from the brand's own account, so threads and brand replies exist."""
    start = start or datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
    people = [("u1", "giulia_r", "Giulia R.", 1200), ("u2", "marco_b", "Marco", 85),
              ("u3", "foodlover", "Food Lover", 40_000), ("u9", "barilla", "Barilla", 350_000)]
    lines = ["Qualcuno sa se la pasta {w} è prodotta in Italia?", "Love the new {w} pesto, but the jar is plastic",
             "Perché la {w} integrale costa di più?", "{w} customer service never answers my emails",
             "Grazie per la risposta! {w}"]
    posts = []
    for n in range(count):
        fake_id = first_id + n
        replying = n % 5 == 4
        uid, handle, name, followers = people[3] if replying else people[n % 3]
        posts.append({
            "id": fake_id, "author": {"id": uid, "handle": handle, "name": name, "followers": followers},
            "text": lines[n % len(lines)].format(w=word if n % 2 else word.capitalize()) + f" #{fake_id}",
            "created_at": start + timedelta(minutes=minutes_apart * n),
            "lang": "en" if n % 5 in (1, 3) else "it",
            "reply_to": fake_id - 1 if replying else None,
            "likes": n % 7, "replies": 1 if n % 5 == 3 else 0, "shares": n % 3, "views": 10 * n,
            "subreddit": "italy", "tags": [word.lower()],
        })
    return posts


def drain(connector, cursor=None):
    """Run ``connector.fetch(cursor)`` to the end: (posts, the last batch's cursor, all problems)."""
    posts, problems, last_cursor = [], [], cursor
    for batch in connector.fetch(cursor):
        posts.extend(batch.posts)
        problems.extend(batch.problems)
        last_cursor = batch.cursor
    return posts, last_cursor, problems
