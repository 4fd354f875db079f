"""What the four social connectors share: newest-first streams resumed without gap or duplicate.

Every social API used here lists results newest first and pages backwards in time (X recent search,
Reddit listings, Mastodon timelines and search, Bluesky searchPosts). A connector describes each of
its streams (one query, one hashtag on one instance...) as a ``Stream`` whose items carry a sortable
``key`` (a numeric id, or ``[created, id]``). The cursor of a stream is

    {"floor": K}                                   everything with key <= K has been fetched
    {"floor": K, "pending": {"ceiling": C, "top": T}}
                                                   a pass was interrupted: keys in (K, C) are still due,
                                                   keys >= C up to T are fetched

Saving only the newest key after an interrupted newest-first pass would skip everything between the
old floor and the last page reached; saving only the old floor would fetch the newest pages twice.
So a resumed pass asks for keys in (floor, ceiling) -- an API bound (``until_id``, ``max_id``,
``after``, ``until``) where the platform has one -- and, once done, the floor moves to ``top`` and a
fresh pass collects what arrived meanwhile. Every item is also checked against (floor, ceiling)
here, so an API bound that is inclusive never yields a duplicate.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar

from pydantic import Field

from connectors.base import Batch, Connector, Cursor
from connectors.politeness import Deadline, Politeness, PoliteSource, StopRun
from rete.post import Post
from rete.secrets import Credential, get_credential

log = logging.getLogger(__name__)

Key = Any  # int or list, JSON-serializable and ordered


class SocialSource(PoliteSource):
    first_run_lookback_hours: float = Field(
        default=72, gt=0, description="how far back the very first run of a stream reaches"
    )


@dataclass
class Page:
    """One API response: (key, post) pairs, newest first as the API sent them, and skipped records."""

    items: list[tuple[Key, Post]]
    problems: list[str] = field(default_factory=list)


class Stream:
    """One listing of a source, e.g. one search query, one hashtag on one instance."""

    def __init__(self, key: str, pages):
        self.key = key  # the stream's name in the cursor
        self.pages = pages  # (floor, ceiling) -> Iterator[Page] of items strictly between them


class SocialConnector(Connector):
    """Base of the X, Reddit, Mastodon and Bluesky connectors."""

    platform: ClassVar[str]  # as in rete.post.Platform
    platform_label: ClassVar[str]  # for people: "X", "Reddit"...
    config: SocialSource

    # -- what a platform provides --------------------------------------------------------------
    @abstractmethod
    def classify(self, exc: BaseException) -> Exception | None:
        """Map a client-library exception to RateLimited / Transient / AuthFailed (None: unexpected)."""

    @abstractmethod
    def connect(self) -> None:
        """Build the client (and log in) using ``self.credential`` and ``self.polite``."""

    @abstractmethod
    def streams(self) -> list[Stream]:
        """The streams to fetch, in config order."""

    # -- shared machinery ----------------------------------------------------------------------
    @property
    def conn_id(self) -> str:
        return self.config.credentials or f"rete_{self.config.type}"

    def lookback_start(self) -> datetime:
        return datetime.now(timezone.utc) - timedelta(hours=self.config.first_run_lookback_hours)

    def fetch(self, cursor: Cursor | None) -> Iterator[Batch]:
        deadline = Deadline(self.config.time_budget_seconds)
        self.polite = Politeness(self.config, self.platform_label, self.classify, deadline)
        self.credential: Credential = get_credential(self.conn_id)
        state: dict[str, Any] = deepcopy(cursor) if cursor else {}
        stream_states: dict[str, Any] = state.setdefault("streams", {})
        try:
            self.connect()
            for stream in self._fair_order(self.streams(), state.get("interrupted")):
                for posts, problems in self._passes(stream, stream_states):
                    yield Batch(posts, deepcopy(state), problems)
                    if deadline.passed():
                        state["interrupted"] = stream.key
                        yield Batch([], deepcopy(state), [
                            f"source {self.name!r}: time budget of {deadline.seconds:g}s reached during "
                            f"stream {stream.key!r}; the next run resumes there"])
                        return
            state.pop("interrupted", None)
            yield Batch([], deepcopy(state))
        except StopRun as exc:
            yield Batch([], deepcopy(state), [f"source {self.name!r}: {exc}"])

    @staticmethod
    def _fair_order(streams: list[Stream], interrupted: str | None) -> list[Stream]:
        """Start where the last run ran out of time, so a busy first stream cannot starve the others."""
        keys = [s.key for s in streams]
        if interrupted not in keys:
            return streams
        start = keys.index(interrupted)
        return streams[start:] + streams[:start]

    def _passes(self, stream: Stream, states: dict[str, Any]) -> Iterator[tuple[list[Post], list[str]]]:
        """Fetch a stream up to date, yielding (posts, problems) per page with ``states`` updated."""
        while True:
            current = states.get(stream.key, {})
            floor = current.get("floor")
            pending = current.get("pending") or {}
            ceiling, top = pending.get("ceiling"), pending.get("top")
            for page in stream.pages(floor, ceiling):
                kept = [(key, post) for key, post in page.items
                        if (floor is None or key > floor) and (ceiling is None or key < ceiling)]
                if kept:
                    keys = [key for key, _ in kept]
                    top = max([*keys, top]) if top is not None else max(keys)
                    ceiling = min(keys) if ceiling is None else min([*keys, ceiling])
                    states[stream.key] = {"floor": floor, "pending": {"ceiling": ceiling, "top": top}}
                yield [post for _, post in kept], page.problems
            states[stream.key] = {"floor": top if top is not None else floor}
            if not pending:
                return
            # That was the rest of an interrupted pass: now collect what was posted since it began.
            log.info("source %r: stream %r caught up with an interrupted pass", self.name, stream.key)


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data for a raw payload: datetimes as ISO text, library objects
    (a praw Redditor, a Mastodon.py Status) as their dict or their text form."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return str(value)
