"""RSS and Atom feeds: fetched with httpx, parsed with feedparser, one Post per entry.

Each feed is fetched on its own, with a conditional GET (the ETag / Last-Modified it sent last time), so an
unchanged feed costs one 304. A feed that fails (timeout, HTTP error, not a feed, broken XML) is reported
in ``Batch.problems`` by its URL while the other feeds go on; only when every feed fails does the source
fail. Feeds repeat their last N entries on every fetch, so the cursor also remembers, per feed, which
entries it has already yielded and in which version: a run yields only new or edited entries.

Cursor: ``{"feeds": {url: {"etag", "last_modified", "entries": {native_id: [fingerprint, first_seen]}}}}``.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import feedparser
import httpx
from pydantic import Field, field_validator

from connectors.base import Batch, Connector, Cursor, SourceBase, SourceError
from connectors.http import Fetched, FetchError, get_capped, http_client, redact_url
from connectors.normalize import html_to_text
from connectors.politeness import Deadline
from rete.post import Author, Engagement, Post, now_utc, post_id

PLATFORM = "rss"


class RssSource(SourceBase):
    type: Literal["rss"]
    urls: list[str] = Field(
        min_length=1, description="feed URLs (http/https); a file path, relative to the workspace, reads a local feed"
    )
    connect_timeout_seconds: float = Field(default=10, gt=0)
    read_timeout_seconds: float = Field(default=30, gt=0, description="longest wait for the next bytes of a feed")
    max_bytes: int = Field(default=10_000_000, gt=0, description="a feed larger than this is refused")
    user_agent: str = Field(default="Rete/0.1 (social listening; feed reader)", min_length=1)

    @field_validator("urls")
    @classmethod
    def _urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if urlsplit(url).scheme not in ("http", "https", "file", ""):
                raise ValueError(f"{redact_url(url)!r}: a feed must be an http(s) URL or a file path")
        if len(set(urls)) != len(urls):
            raise ValueError("a feed URL is listed twice")
        return urls


class FeedError(Exception):
    """This feed yields nothing this run; the message says why."""


class RssConnector(Connector):
    config_model = RssSource
    config: RssSource

    def fetch(self, cursor: Cursor | None) -> Iterator[Batch]:
        saved = (cursor or {}).get("feeds", {})
        # Feeds removed from the config drop out of the cursor.
        feeds = {url: saved[url] for url in self.config.urls if url in saved}
        failures: list[str] = []
        succeeded = 0
        deadline = Deadline(self.config.time_budget_seconds)
        client = http_client(
            self.config.user_agent, self.config.connect_timeout_seconds, self.config.read_timeout_seconds
        )
        with client:
            for index, url in enumerate(self.config.urls):
                if deadline.passed():
                    failures.append(
                        f"time budget of {deadline.seconds:g} s spent; "
                        f"{len(self.config.urls) - index} feed(s) left for the next run"
                    )
                    break
                try:
                    posts, feeds[url], warnings = self._fetch_feed(client, url, feeds.get(url, {}))
                except FeedError as error:
                    failures.append(f"feed {redact_url(url)}: {error}")
                    continue
                succeeded += 1
                yield Batch(posts, {"feeds": dict(feeds)}, [f"feed {redact_url(url)}: {w}" for w in warnings])
        if failures and not succeeded:
            raise SourceError(self.name, "every feed failed: " + "; ".join(failures))
        if failures:
            yield Batch([], {"feeds": dict(feeds)}, failures)

    def _fetch_feed(
        self, client: httpx.Client, url: str, state: dict[str, Any]
    ) -> tuple[list[Post], dict[str, Any], list[str]]:
        """The new or edited entries of one feed, its next cursor state, and warnings."""
        fetched_at = now_utc()
        fetched = self._get(client, url, state)
        if fetched.status == 304:
            return [], state, []
        parsed = feedparser.parse(
            fetched.body, response_headers={**fetched.headers, "content-location": fetched.url}
        )
        warnings = _check_parsed(parsed, fetched)
        posts: list[Post] = []
        seen_before = state.get("entries", {})
        entries: dict[str, list[str]] = {}
        for number, entry in enumerate(parsed.entries, 1):
            native_id = _native_id(entry, url, fetched.url)
            if native_id in entries:
                warnings.append(f"entry {number} repeats id {native_id!r}; kept the first")
                continue
            fingerprint = _fingerprint(entry)
            previous = seen_before.get(native_id)
            # Many feeds give no dates. Such an entry is dated when Rete first saw it, a date kept in
            # the cursor so that an edit re-yielded later does not move the post in time.
            first_seen = previous[1] if previous else fetched_at.isoformat()
            entries[native_id] = [fingerprint, first_seen]
            if previous and previous[0] == fingerprint:
                continue
            try:
                posts.append(self._post(entry, parsed.feed, native_id, fetched, fetched_at, first_seen))
            except ValueError as error:
                del entries[native_id]
                warnings.append(f"entry {number} ({native_id!r}) skipped: {error}")
        next_state = {
            "etag": fetched.headers.get("etag"),
            "last_modified": fetched.headers.get("last-modified"),
            "entries": entries,
        }
        return posts, next_state, warnings

    def _get(self, client: httpx.Client, url: str, state: dict[str, Any]) -> Fetched:
        if urlsplit(url).scheme not in ("http", "https"):
            return self._read_local(url)
        headers = {}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        try:
            return get_capped(client, url, headers, self.config.max_bytes)
        except FetchError as error:
            raise FeedError(str(error)) from None

    def _read_local(self, url: str) -> Fetched:
        path = Path(url.removeprefix("file://"))
        if not path.is_absolute():
            path = Path(self.workspace_root or ".") / path
        try:
            if path.stat().st_size > self.config.max_bytes:
                raise FeedError(f"file is over the {self.config.max_bytes:,}-byte limit (max_bytes)")
            body = path.read_bytes()
        except OSError as error:
            raise FeedError(f"cannot read {path}: {error.strerror}") from None
        return Fetched(path.resolve().as_uri(), 200, {}, body)

    def _post(self, entry, feed, native_id: str, fetched: Fetched, fetched_at: datetime, first_seen: str) -> Post:
        title = _entry_text(entry.get("title_detail")) or None
        body = _entry_body(entry)
        if not (title or body):
            raise ValueError("no title and no text")
        published = entry.get("published_parsed") or entry.get("updated_parsed")
        author = (entry.get("author_detail") or feed.get("author_detail") or {}).get("name") or entry.get("author")
        replies = str(entry.get("slash_comments", "")).strip()
        return Post(
            id=post_id(PLATFORM, native_id),
            platform=PLATFORM,
            source=self.name,
            native_id=native_id,
            url=urljoin(fetched.url, entry["link"]) if entry.get("link") else None,
            author=Author(display_name=author or None),
            title=title,
            text=body or "",  # the post record puts the title first
            lang=(entry.get("title_detail") or {}).get("language") or feed.get("language"),
            created_at=_utc(published) if published else datetime.fromisoformat(first_seen),
            engagement=Engagement(replies=int(replies) if replies.isdigit() else None),
            fetched_at=fetched_at,
            raw=_json_safe(entry),
        )


def _check_parsed(parsed, fetched: Fetched) -> list[str]:
    """Raise FeedError if feedparser found no feed; return warnings for a feed it could read anyway."""
    error = parsed.get("bozo_exception")
    if not parsed.get("version"):
        head = fetched.body[:1024].lstrip().lower()
        if not head:
            raise FeedError("empty response, not a feed")
        if "html" in fetched.headers.get("content-type", "") or head.startswith((b"<!doctype html", b"<html")):
            raise FeedError("is an HTML page, not an RSS/Atom feed (is the URL the site's page instead of its feed?)")
        raise FeedError(f"is not an RSS/Atom feed ({_describe(error)})")
    if isinstance(error, feedparser.CharacterEncodingOverride):
        # Feeds served as text/xml without a charset are "us-ascii" by RFC 3023, so feedparser flags
        # nearly every such feed. Only a document that does not decode as its own XML declaration
        # says (latin-1 bytes declared as utf-8) has a real problem: its accents may be wrong.
        if _same_encoding(parsed.get("encoding", ""), _declared_encoding(fetched.body)):
            return []
        return [f"wrong character encoding: {error}; check the accents of its posts"]
    if isinstance(error, feedparser.CharacterEncodingUnknown):
        raise FeedError(f"unknown character encoding ({error})")
    if isinstance(error, feedparser.NonXMLContentType) or error is None:
        return []
    if not parsed.entries:
        raise FeedError(f"malformed XML: {_describe(error)}")
    return [f"malformed XML ({_describe(error)}); {len(parsed.entries)} entries recovered, some may be incomplete"]


def _declared_encoding(body: bytes) -> str:
    """The encoding named by the XML declaration; XML's default is UTF-8."""
    declaration = re.match(rb"""\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""", body[:512])
    return declaration.group(1).decode("ascii") if declaration else "utf-8"


def _same_encoding(first: str, second: str) -> bool:
    try:
        return codecs.lookup(first).name == codecs.lookup(second).name
    except LookupError:
        return False


def _describe(error: Exception | None) -> str:
    if error is None:
        return "unrecognized format"
    line = getattr(error, "getLineNumber", lambda: None)()
    return f"line {line}: {error.getMessage()}" if line else str(error)


def _native_id(entry, feed_url: str, base_url: str) -> str:
    """The entry's id (RSS guid, Atom id), else its link, else a hash of its title and date.

    Ids meant to be global (URLs, URNs, tag: URIs) are kept as they are; bare ids such as "42", which
    many feeds use, are only unique within their feed and are qualified with the feed URL.
    """
    guid = (entry.get("id") or "").strip()
    if guid:
        return guid if ":" in guid else f"{feed_url}#{guid}"
    if entry.get("link"):
        return urljoin(base_url, entry["link"])
    stamp = entry.get("published") or entry.get("updated") or ""
    digest = hashlib.sha256(f"{entry.get('title', '')}\n{stamp}".encode()).hexdigest()[:24]
    return f"{feed_url}#{digest}"


def _fingerprint(entry) -> str:
    """Changes when the entry is edited, so an edited entry is yielded again (and updated downstream)."""
    parts = [entry.get(key) or "" for key in ("title", "summary", "link", "published", "updated")]
    parts += [content.get("value", "") for content in entry.get("content", [])]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def _entry_text(detail) -> str:
    if not detail or not detail.get("value"):
        return ""
    value = detail["value"]
    return html_to_text(value) if "html" in (detail.get("type") or "") else value.strip()


def _entry_body(entry) -> str:
    # Full content where the feed gives it (Atom content, content:encoded), else the summary.
    for detail in entry.get("content", []) + [entry.get("summary_detail")]:
        text = _entry_text(detail)
        if text:
            return text
    return ""


def _utc(parsed: time.struct_time) -> datetime:
    # feedparser's *_parsed values are already converted to UTC.
    return datetime(*parsed[:6], tzinfo=timezone.utc)


def _json_safe(value: Any) -> Any:
    if isinstance(value, time.struct_time):
        return _utc(value).isoformat()
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
