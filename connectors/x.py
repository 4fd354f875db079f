"""X (Twitter) API v2 recent search with tweepy, plus the replies of the client's own brand accounts.

Each query is a stream; each brand account adds the stream ``from:handle is:reply`` so the
relationship signals see when, and to whom, the brand answered. Results come newest first and
``tweepy.Paginator`` follows ``next_token``; the resume logic (``since_id`` floor, ``until_id``
ceiling for an interrupted pass) is in connectors/social.py. Tweet ids are ordered by time, so they
are the stream keys.

tweepy's host is fixed to https://api.twitter.com; ``api_base`` is honoured by a transport adapter
mounted on the client's own ``requests`` session that rewrites scheme and host (and adds the request
timeout tweepy does not set). tweepy runs with ``wait_on_rate_limit=False``: its own wait retries a
429 without reset header immediately and recursively; connectors/politeness.py waits instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import requests
from pydantic import Field, field_validator
from requests.adapters import HTTPAdapter

from connectors.politeness import AuthFailed, RateLimited, Transient
from connectors.social import Page, SocialConnector, SocialSource, Stream
from rete.post import Author, Engagement, Post, post_id
from rete.secrets import guard_logger

X_HOST = "https://api.twitter.com"
TWEET_FIELDS = ["created_at", "lang", "public_metrics", "conversation_id", "in_reply_to_user_id",
                "referenced_tweets", "author_id"]
USER_FIELDS = ["username", "name", "public_metrics"]
EXPANSIONS = ["author_id", "referenced_tweets.id", "referenced_tweets.id.author_id"]


class XSource(SocialSource):
    type: Literal["x"]
    queries: list[str] = Field(default_factory=list, description="X search queries, e.g. 'barilla lang:it'")
    brand_accounts: list[str] = Field(
        default_factory=list, description="@handles of the client's own accounts whose replies are fetched"
    )

    @field_validator("brand_accounts")
    @classmethod
    def _handles(cls, value: list[str]) -> list[str]:
        for handle in value:
            if not handle.startswith("@") or not handle[1:].replace("_", "").isalnum():
                raise ValueError(f"brand account {handle!r} must look like @handle")
        return value

    @field_validator("queries")
    @classmethod
    def _queries(cls, value: list[str]) -> list[str]:
        if any(not q.strip() for q in value):
            raise ValueError("must not contain empty queries")
        return value


class ApiBaseAdapter(HTTPAdapter):
    """Sends requests meant for ``X_HOST`` to ``api_base`` instead, with a timeout on every request."""

    def __init__(self, api_base: str | None, timeout: float):
        super().__init__()
        self.api_base = urlsplit(api_base.rstrip("/")) if api_base else None
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if self.api_base is not None:
            url = urlsplit(request.url)
            request.url = urlunsplit(
                (self.api_base.scheme, self.api_base.netloc, self.api_base.path + url.path, url.query, "")
            )
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


class XConnector(SocialConnector):
    config_model = XSource
    config: XSource
    platform = "x"
    platform_label = "X"

    def connect(self) -> None:
        import tweepy  # here, not at module import: the CLI loads every source model, not every client

        token = self.credential.require_password(self.name, "X bearer token")
        guard_logger("tweepy.client")  # tweepy logs the Authorization header at DEBUG level
        self.client = tweepy.Client(bearer_token=token, wait_on_rate_limit=False, return_type=dict)
        self.client.session.mount(X_HOST, ApiBaseAdapter(self.config.api_base, self.config.request_timeout_seconds))

    def streams(self) -> list[Stream]:
        searches = [(f"search:{q}", q) for q in self.config.queries]
        replies = [(f"replies:{h}", f"from:{h[1:]} is:reply") for h in self.config.brand_accounts]
        return [Stream(key, self._pages_for(query)) for key, query in searches + replies]

    def classify(self, exc: BaseException) -> Exception | None:
        import tweepy

        if isinstance(exc, tweepy.TooManyRequests):
            reset = exc.response.headers.get("x-rate-limit-reset")
            return RateLimited(float(reset) if reset and reset.isdigit() else None)
        if isinstance(exc, (tweepy.Unauthorized, tweepy.Forbidden)):
            return AuthFailed(f"HTTP {exc.response.status_code}; check {self.credential.where_password()}")
        if isinstance(exc, tweepy.TwitterServerError):
            return Transient(f"HTTP {exc.response.status_code} from X")
        if isinstance(exc, requests.Timeout):
            return Transient(f"no answer from X within {self.config.request_timeout_seconds:g}s")
        if isinstance(exc, requests.ConnectionError):
            return Transient("connection to X failed")
        return None

    def _pages_for(self, query: str):
        def pages(floor: int | None, ceiling: int | None) -> Iterator[Page]:
            import tweepy

            bounds: dict[str, Any] = {"until_id": str(ceiling)} if ceiling is not None else {}
            if floor is not None:
                bounds["since_id"] = str(floor)
            else:
                bounds["start_time"] = self.lookback_start()
            paginator = iter(tweepy.Paginator(
                self.client.search_recent_tweets, query,
                max_results=max(10, self.config.page_size),
                expansions=EXPANSIONS, tweet_fields=TWEET_FIELDS, user_fields=USER_FIELDS, **bounds,
            ))
            page_number = 1
            while (response := self.polite.call(f"search {query!r} page {page_number}", next, paginator, None)):
                yield self._page(response, query)
                page_number += 1

        return pages

    def _page(self, response: dict[str, Any], query: str) -> Page:
        includes = response.get("includes") or {}
        users = {u.get("id"): u for u in includes.get("users") or [] if isinstance(u, dict)}
        referenced = {t.get("id"): t for t in includes.get("tweets") or [] if isinstance(t, dict)}
        page = Page(items=[])
        for tweet in response.get("data") or []:
            try:
                post = self._post(tweet, users, referenced)
            except (KeyError, TypeError, ValueError) as exc:
                page.problems.append(f"source {self.name!r}, query {query!r}: tweet {tweet.get('id')!r} "
                                     f"skipped: {type(exc).__name__}: {exc}")
                continue
            page.items.append((int(post.native_id), post))
        return page

    def _post(self, tweet: dict[str, Any], users: dict[str, Any], referenced: dict[str, Any]) -> Post:
        native_id = str(tweet["id"])
        if not native_id.isdigit():
            raise ValueError(f"tweet id {native_id!r} is not numeric")
        user = users.get(tweet.get("author_id")) or {}
        user_metrics = user.get("public_metrics") or {}
        metrics = tweet.get("public_metrics") or {}
        refs = {r.get("type"): str(r.get("id")) for r in tweet.get("referenced_tweets") or [] if r.get("id")}
        username = user.get("username")

        def x_id(native: str | None) -> str | None:
            return post_id("x", native) if native else None

        shares = [metrics[k] for k in ("retweet_count", "quote_count") if metrics.get(k) is not None]
        return Post(
            id=post_id("x", native_id),
            platform="x",
            source=self.name,
            native_id=native_id,
            url=f"https://x.com/{username}/status/{native_id}" if username
            else f"https://x.com/i/web/status/{native_id}",
            author=Author(
                id=tweet.get("author_id"),
                handle=f"@{username}" if username else None,
                display_name=user.get("name"),
                followers=user_metrics.get("followers_count"),
            ),
            text=tweet["text"],
            lang=tweet.get("lang"),
            created_at=datetime.fromisoformat(tweet["created_at"]),
            parent_id=x_id(refs.get("replied_to")),
            thread_id=x_id(tweet.get("conversation_id")),
            quoted_id=x_id(refs.get("quoted")),
            reposted_id=x_id(refs.get("retweeted")),
            engagement=Engagement(
                likes=metrics.get("like_count"),
                replies=metrics.get("reply_count"),
                shares=sum(shares) if shares else None,
                views=metrics.get("impression_count"),
            ),
            raw={"tweet": tweet, "author": user,
                 "referenced": [referenced[i] for i in refs.values() if i in referenced]},
        )
