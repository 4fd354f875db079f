"""Bluesky with atproto: ``app.bsky.feed.searchPosts`` (sort=latest) after an app-password login.

Each query is a stream. Results come newest first; the key is ``[sortAt, uri]`` where sortAt is the
earlier of createdAt and indexedAt, which is what the ``since`` (inclusive) and ``until`` (exclusive)
filters compare. A resumed pass asks ``until`` = the oldest key reached (+1 ms, ties filtered here).
Author follower counts are not in search results: they come from ``getProfiles`` (25 per call).
atproto switches to the PDS named in the session's DID document after login; ``api_base`` is the
entry point (default https://bsky.social).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from pydantic import Field

from connectors.politeness import AuthFailed, RateLimited, Transient
from connectors.social import Page, SocialConnector, SocialSource, Stream
from rete.post import Author, Engagement, Post, post_id

PROFILES_PER_CALL = 25


def _iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class BlueskySource(SocialSource):
    type: Literal["bluesky"]
    queries: list[str] = Field(min_length=1, description="searchPosts queries (Lucene-like syntax)")


class BlueskyConnector(SocialConnector):
    config_model = BlueskySource
    config: BlueskySource
    platform = "bluesky"
    platform_label = "Bluesky"

    def connect(self) -> None:
        from atproto import Client
        from atproto_client.request import Request

        self.client = Client(base_url=self.config.api_base,
                             request=Request(timeout=self.config.request_timeout_seconds))
        handle = self.credential.require_login(self.name, "Bluesky handle")
        password = self.credential.require_password(self.name, "Bluesky app password")
        self.polite.call("login", self.client.login, handle, password, fetch_bsky_profile=False)

    def streams(self) -> list[Stream]:
        return [Stream(f"search:{q}", self._pages_for(q)) for q in self.config.queries]

    def classify(self, exc: BaseException) -> Exception | None:
        from atproto_client import exceptions

        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
        if isinstance(exc, exceptions.RateLimitExceededError):
            reset = (getattr(response, "headers", None) or {}).get("ratelimit-reset")
            return RateLimited(float(reset) if reset and reset.isdigit() else None)
        if isinstance(exc, exceptions.UnauthorizedError):
            return AuthFailed(f"HTTP {status}; check {self.credential.where_login()} and "
                              f"{self.credential.where_password()} (an app password, not the account's)")
        if isinstance(exc, exceptions.NetworkError) or (status is not None and status >= 500):
            return Transient(f"HTTP {status} from Bluesky" if status else "request to Bluesky failed or timed out")
        return None

    def _pages_for(self, query: str):
        def pages(floor: list | None, ceiling: list | None) -> Iterator[Page]:
            params: dict[str, Any] = {"q": query, "sort": "latest", "limit": self.config.page_size,
                                      "since": floor[0] if floor is not None else _iso(self.lookback_start())}
            if ceiling is not None:
                params["until"] = _iso(_parse(ceiling[0]) + timedelta(milliseconds=1))
            while True:
                found = self.polite.call(f"search {query!r}", self.client.app.bsky.feed.search_posts, params)
                if not found.posts:
                    return
                yield self._page(found.posts, query)
                if not found.cursor:
                    return
                params["cursor"] = found.cursor

        return pages

    def _followers(self, dids: list[str]) -> dict[str, int | None]:
        followers: dict[str, int | None] = {}
        for start in range(0, len(dids), PROFILES_PER_CALL):
            chunk = dids[start:start + PROFILES_PER_CALL]
            found = self.polite.call("author profiles", self.client.app.bsky.actor.get_profiles, {"actors": chunk})
            followers.update({p.did: p.followers_count for p in found.profiles})
        return followers

    def _page(self, views: list, query: str) -> Page:
        followers = self._followers(sorted({v.author.did for v in views}))
        page = Page(items=[])
        for view in views:
            try:
                post, sort_at = self._post(view, followers)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                page.problems.append(f"source {self.name!r}, query {query!r}: post {view.uri!r} skipped: "
                                     f"{type(exc).__name__}: {exc}")
                continue
            page.items.append(([sort_at, view.uri], post))
        return page

    def _post(self, view, followers: dict[str, int | None]) -> tuple[Post, str]:
        record = view.record
        if not getattr(record, "created_at", None):  # atproto keeps an off-schema record, None for the gap
            raise KeyError("record.createdAt")
        created = _parse(record.created_at)
        indexed = _parse(view.indexed_at) if view.indexed_at else created
        reply = getattr(record, "reply", None)
        embed = getattr(record, "embed", None)
        quoted = getattr(getattr(embed, "record", None), "uri", None)
        rkey = view.uri.rsplit("/", 1)[-1]
        langs = getattr(record, "langs", None) or []
        shares = [n for n in (view.repost_count, view.quote_count) if n is not None]
        post = Post(
            id=post_id("bluesky", view.uri),
            platform="bluesky",
            source=self.name,
            native_id=view.uri,
            url=f"https://bsky.app/profile/{view.author.handle}/post/{rkey}",
            author=Author(id=view.author.did, handle=f"@{view.author.handle}",
                          display_name=view.author.display_name, followers=followers.get(view.author.did)),
            text=record.text,
            lang=langs[0] if langs else None,
            created_at=created,
            parent_id=post_id("bluesky", reply.parent.uri) if reply else None,
            thread_id=post_id("bluesky", reply.root.uri if reply else view.uri),
            quoted_id=post_id("bluesky", quoted) if isinstance(quoted, str) else None,
            engagement=Engagement(likes=view.like_count, replies=view.reply_count,
                                  shares=sum(shares) if shares else None),
            raw=view.model_dump(mode="json", by_alias=True, exclude_none=True),
        )
        return post, _iso(min(created, indexed))
