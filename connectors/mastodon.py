"""Mastodon (Mastodon.py): hashtag timelines and status search on configured instances.

Streams: ``tag:<instance>#<tag>`` (public, no token needed) and ``search:<instance>:<query>``
(``/api/v2/search``; most instances require an access token for status search). Results come newest
first; the timeline is bounded by ``since_id`` (floor) and ``max_id`` (ceiling), search by ``min_id``
and ``max_id``; ids are snowflakes ordered by time and are the stream keys (connectors/social.py).
The first run starts ``first_run_lookback_hours`` back (Mastodon.py turns a datetime into an id).

Status ids are local to the instance that served them, so the native id is ``<host>/<id>`` and a
reply's parent (``in_reply_to_id``) maps the same way. An access token belongs to one instance: put
instances needing different tokens in separate source blocks. ``api_base`` alone is a one-instance
shorthand; with one instance listed, requests go to ``api_base`` while ids keep the instance's name
(a compatible endpoint or a local fake standing in for that instance).
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from connectors.politeness import AuthFailed, RateLimited, Transient
from connectors.social import Page, SocialConnector, SocialSource, Stream, jsonable
from rete.post import Author, Engagement, Post, post_id

MAX_PAGE = 40  # Mastodon's limit per timeline or search call


class MastodonSource(SocialSource):
    type: Literal["mastodon"]
    instances: list[str] = Field(default_factory=list, description="instance URLs, e.g. https://mastodon.uno")
    hashtags: list[str] = Field(default_factory=list, description="#tags whose public timeline is read")
    queries: list[str] = Field(default_factory=list, description="status searches (need an access token)")

    @field_validator("hashtags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        for tag in value:
            if not tag.startswith("#") or not tag[1:].replace("_", "").isalnum():
                raise ValueError(f"hashtag {tag!r} must look like #tag")
        return value

    @model_validator(mode="after")
    def _some_instance(self) -> MastodonSource:
        if not self.instances and not self.api_base:
            raise ValueError("list the instances to read (instances: [https://mastodon.uno])")
        if self.api_base and len(self.instances) > 1:
            raise ValueError("api_base stands in for one instance: list one instance with it, or put the "
                             "instances in separate source blocks")
        return self

    @property
    def instance_urls(self) -> list[str]:
        return [u.rstrip("/") for u in self.instances or [self.api_base]]

    def endpoint(self, instance_url: str) -> str:
        """Where the requests for ``instance_url`` go."""
        return (self.api_base or instance_url).rstrip("/")


class _Text(HTMLParser):
    """Status HTML to plain text: paragraphs and <br> become line breaks, entities are decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    return "".join(parser.parts).strip()


def _key(status_id: Any) -> int | str:
    text = str(status_id)
    return int(text) if text.isdigit() else text  # snowflakes; some servers use sortable ULIDs


class MastodonConnector(SocialConnector):
    config_model = MastodonSource
    config: MastodonSource
    platform = "mastodon"
    platform_label = "Mastodon"

    def connect(self) -> None:
        from mastodon import Mastodon

        token = self.credential.password.get_secret_value() if self.credential.password else None
        self.clients = {
            url: Mastodon(access_token=token, api_base_url=self.config.endpoint(url), ratelimit_method="throw",
                          request_timeout=self.config.request_timeout_seconds, version_check_mode="created",
                          # A stated version: otherwise search_v2 asks /api/v1/instance/ and, when that
                          # fails, Mastodon.py 2.x recurses until RecursionError.
                          mastodon_version="4.0.0")
            for url in self.config.instance_urls
        }

    def streams(self) -> list[Stream]:
        streams = []
        for url in self.config.instance_urls:
            streams += [Stream(f"tag:{url}{tag}", self._pages_for(url, tag=tag[1:])) for tag in self.config.hashtags]
            streams += [Stream(f"search:{url}:{q}", self._pages_for(url, query=q)) for q in self.config.queries]
        return streams

    def classify(self, exc: BaseException) -> Exception | None:
        import mastodon

        if isinstance(exc, mastodon.MastodonUnauthorizedError):
            return AuthFailed(f"HTTP 401; check {self.credential.where_password()}")
        if isinstance(exc, mastodon.MastodonServerError):
            return Transient(f"HTTP {exc.args[1] if len(exc.args) > 1 else '5xx'} from Mastodon")
        if isinstance(exc, mastodon.MastodonNetworkError):
            return Transient("request to Mastodon failed or timed out")
        return None

    @staticmethod
    def _limited_by(client, method, *args, **kwargs):
        """``method(*args, **kwargs)``; a 429 carries the reset time (X-RateLimit-Reset) that Mastodon.py
        read for this client's instance, not another instance's."""
        from mastodon import MastodonRatelimitError

        try:
            return method(*args, **kwargs)
        except MastodonRatelimitError:
            raise RateLimited(client.ratelimit_reset) from None

    def _pages_for(self, url: str, tag: str | None = None, query: str | None = None):
        what = f"#{tag} on {url}" if tag else f"search {query!r} on {url}"

        def pages(floor: int | str | None, ceiling: int | str | None) -> Iterator[Page]:
            lower = floor if floor is not None else self.lookback_start()
            upper = ceiling
            limit = min(self.config.page_size, MAX_PAGE)
            client = self.clients[url]
            while True:
                if tag is not None:
                    statuses = self.polite.call(what, self._limited_by, client, client.timeline_hashtag, tag,
                                                since_id=lower, max_id=upper, limit=limit)
                else:
                    found = self.polite.call(what, self._limited_by, client, client.search_v2, query,
                                             result_type="statuses", resolve=False, min_id=lower, max_id=upper,
                                             limit=limit)
                    statuses = found.get("statuses") or []
                if not statuses:
                    return
                yield self._page(statuses, url, what)
                upper = min(_key(s.get("id")) for s in statuses)

        return pages

    def _page(self, statuses: list[dict[str, Any]], url: str, what: str) -> Page:
        host = urlsplit(url).netloc
        page = Page(items=[])
        for status in statuses:
            try:
                post = self._post(status, host)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                page.problems.append(f"source {self.name!r}, {what}: status {status.get('id')!r} skipped: "
                                     f"{type(exc).__name__}: {exc}")
                continue
            page.items.append((_key(status["id"]), post))
        return page

    def _post(self, status: dict[str, Any], host: str) -> Post:
        native_id = f"{host}/{status['id']}"
        account = status.get("account") or {}
        reblog = status.get("reblog")
        quote = (status.get("quote") or {}).get("quoted_status") if isinstance(status.get("quote"), dict) else None
        parent = status.get("in_reply_to_id")
        if status.get("created_at") is None:  # Mastodon.py fills a missing field with None
            raise KeyError("created_at")
        return Post(
            id=post_id("mastodon", native_id),
            platform="mastodon",
            source=self.name,
            native_id=native_id,
            url=status.get("url") or status.get("uri"),
            author=Author(
                id=f"{host}/{account['id']}" if account.get("id") else None,
                handle=f"@{account['acct']}" if account.get("acct") else None,
                display_name=account.get("display_name") or None,
                followers=account.get("followers_count"),
            ),
            text=html_to_text(status.get("content") or (reblog or {}).get("content") or ""),
            lang=status.get("language"),
            created_at=status["created_at"],
            parent_id=post_id("mastodon", f"{host}/{parent}") if parent else None,
            thread_id=None if parent else post_id("mastodon", native_id),
            reposted_id=post_id("mastodon", f"{host}/{reblog['id']}") if reblog else None,
            quoted_id=post_id("mastodon", f"{host}/{quote['id']}") if quote and quote.get("id") else None,
            engagement=Engagement(likes=status.get("favourites_count"), replies=status.get("replies_count"),
                                  shares=status.get("reblogs_count")),
            raw=jsonable(dict(status)),
        )
