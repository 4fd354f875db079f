"""The one normalized post record every connector emits.

Whatever the platform, a post reaches the warehouse in this shape. The platform's own payload is kept
in ``raw`` so that a fix to a mapping can be replayed from the warehouse without fetching again.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_WEB_URL = re.compile(r"https?://[^\s/?#]+", re.IGNORECASE)


def web_url(url: str | None) -> str | None:
    """``url`` when it is a web address (http/https with a host), else None. Reports, alerts and BI tools
    turn a post's url into a link: a javascript: or data: URL must never become one."""
    return url if url and _WEB_URL.match(url) else None

Platform = Literal["x", "reddit", "mastodon", "bluesky", "rss", "file"]


def utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime; a naive value is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def post_id(platform: str, native_id: str) -> str:
    """The stable warehouse id of a post: ``platform:native_id``."""
    return f"{platform}:{native_id}"


class Author(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    handle: str | None = None
    display_name: str | None = None
    followers: int | None = Field(default=None, ge=0)


class Engagement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    likes: int | None = Field(default=None, ge=0)
    replies: int | None = Field(default=None, ge=0)
    shares: int | None = Field(default=None, ge=0)
    views: int | None = Field(default=None, ge=0)


class Post(BaseModel):
    """A post, comment, reply or feed item, normalized.

    ``text`` is everything the NLP reads: an item with a title has the title first, then the body.
    ``id``, ``parent_id``, ``thread_id``, ``quoted_id`` and ``reposted_id`` are all warehouse ids
    (``platform:native_id``) so that threads and the reply/quote/repost graph join without knowing
    the platform.
    """

    model_config = ConfigDict(extra="forbid")

    id: str
    platform: Platform
    source: str = Field(description="name of the workspace source that fetched it")
    native_id: str
    url: str | None = None
    author: Author = Field(default_factory=Author)
    title: str | None = None
    text: str
    lang: str | None = Field(default=None, description="language given by the source, ISO 639-1")
    created_at: datetime
    parent_id: str | None = None
    thread_id: str | None = None
    quoted_id: str | None = None
    reposted_id: str | None = None
    engagement: Engagement = Field(default_factory=Engagement)
    fetched_at: datetime = Field(default_factory=now_utc)
    raw: dict[str, Any] = Field(default_factory=dict)

    @field_validator("created_at", "fetched_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return utc(value)

    @field_validator("url")
    @classmethod
    def _web_url(cls, value: str | None) -> str | None:
        return web_url(value)

    @field_validator("lang")
    @classmethod
    def _lang_code(cls, value: str | None) -> str | None:
        if not value:
            return None
        # Platforms send "it", "it-IT", "en_US", "und": keep the ISO 639-1 part only.
        code = value.replace("_", "-").split("-")[0].lower()
        return code if len(code) == 2 else None

    @model_validator(mode="after")
    def _title_leads_text(self) -> Post:
        # The NLP reads ``text`` alone, and a title (Reddit submission, feed item) is often where the
        # brand is named: so ``text`` always starts with the title; ``title`` stays for display.
        if self.title and not self.text.startswith(self.title):
            self.text = f"{self.title}\n\n{self.text}" if self.text else self.title
        return self

    @model_validator(mode="after")
    def _id_matches_native_id(self) -> Post:
        if self.id != post_id(self.platform, self.native_id):
            raise ValueError(f"id {self.id!r} must be {post_id(self.platform, self.native_id)!r}")
        return self
