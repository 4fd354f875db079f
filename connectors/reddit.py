"""Reddit with praw (read-only app credentials): new submissions and searches, plus their comments.

Streams: ``new:r/<sub>`` for each subreddit (when ``new_submissions``) and ``search:r/<sub>:<query>``
for each query in each subreddit (``r/all`` when no subreddit is listed). Listings come newest first;
Reddit has no ``since_id``, so the stream key is ``[created_utc, id]`` (base-36 id as a number) and a
pass stops at the first submission at or below the floor. An interrupted pass resumes with
``after=<fullname of the oldest submission reached>`` (see connectors/social.py).

Comments of each fetched submission come in the same batch, bounded by ``replace_more_limit`` (how
many "load more comments" stubs are expanded) and ``max_comments_per_submission``. Every field is read
from the JSON praw received (``vars()``), never as a praw attribute: a missing attribute on a lazy
praw object would trigger another request.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import Field

from connectors.politeness import AuthFailed, RateLimited, Transient
from connectors.social import Page, SocialConnector, SocialSource, Stream, jsonable
from rete.post import Author, Engagement, Post, post_id

REDDIT_WEB = "https://www.reddit.com"


class RedditSource(SocialSource):
    type: Literal["reddit"]
    subreddits: list[str] = Field(default_factory=list, description="names without r/")
    queries: list[str] = Field(default_factory=list, description="searched in each subreddit (r/all if none)")
    new_submissions: bool = Field(default=True, description="also follow each subreddit's newest submissions")
    comments: bool = Field(default=True, description="fetch the comments of every fetched submission")
    replace_more_limit: int = Field(default=2, ge=0, description="'more comments' stubs expanded per submission")
    max_comments_per_submission: int = Field(default=500, ge=0)
    user_agent: str = "rete social listening (read-only)"


def base36(number: int) -> str:
    """Reddit ids are base-36 numbers."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def _politeness_requestor():
    """prawcore's Requestor, made to leave retries and rate-limit waits to connectors/politeness.py.

    prawcore retries a dropped connection or a 5xx itself (twice, sleeping up to 4 s, unlogged), which on
    top of politeness would multiply the source's ``retries`` and ignore its backoff; and it sleeps on its
    own, at DEBUG level, when a response says the rate-limit window is used up. praw's public
    ``requestor_class`` hook puts this class between prawcore and the network instead:
    - a failed connection or a 5xx raises Transient, an exception prawcore does not retry, so each call is
      made once and politeness owns the policy;
    - a response that empties the window loses its rate-limit headers (prawcore would schedule its silent
      sleep from them) and the next request raises RateLimited: logged, bounded by max_wait_seconds, or a
      clean stop that the next run resumes from. Ordinary pacing, from the other responses' headers, stays
      with prawcore's rate limiter.
    """
    import prawcore

    class PolitenessRequestor(prawcore.Requestor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.window_resets_at: float | None = None

        def request(self, *args: Any, timeout: float | None = None, **kwargs: Any):
            if self.window_resets_at is not None and self.window_resets_at > time.time():
                raise RateLimited(self.window_resets_at)
            try:
                response = super().request(*args, timeout=timeout, **kwargs)
            except prawcore.RequestException as exc:
                raise Transient(f"request to Reddit failed ({type(exc.original_exception).__name__})") from None
            if response.status_code >= 500:
                raise Transient(f"HTTP {response.status_code} from Reddit")
            remaining, reset = (response.headers.get(f"x-ratelimit-{name}") for name in ("remaining", "reset"))
            self.window_resets_at = None
            if remaining is not None and reset is not None and float(remaining) <= 0:
                self.window_resets_at = time.time() + float(reset)
                for name in ("remaining", "reset", "used"):
                    response.headers.pop(f"x-ratelimit-{name}", None)
            return response

    return PolitenessRequestor


class RedditConnector(SocialConnector):
    config_model = RedditSource
    config: RedditSource
    platform = "reddit"
    platform_label = "Reddit"

    def connect(self) -> None:
        import praw

        api = self.config.api_base.rstrip("/") if self.config.api_base else None
        urls = {"reddit_url": api, "oauth_url": api} if api else {}
        self.reddit = praw.Reddit(
            client_id=self.credential.require_login(self.name, "Reddit client id"),
            client_secret=self.credential.require_password(self.name, "Reddit client secret"),
            user_agent=self.config.user_agent,
            timeout=self.config.request_timeout_seconds,
            check_for_updates=False,
            check_for_async=False,
            requestor_class=_politeness_requestor(),
            **urls,
        )
        self.reddit.read_only = True

    def streams(self) -> list[Stream]:
        streams = []
        if self.config.new_submissions:
            streams += [Stream(f"new:r/{sub}", self._pages_for(sub, None)) for sub in self.config.subreddits]
        for query in self.config.queries:
            streams += [Stream(f"search:r/{sub}:{query}", self._pages_for(sub, query))
                        for sub in self.config.subreddits or ["all"]]
        return streams

    def classify(self, exc: BaseException) -> Exception | None:
        import prawcore

        if isinstance(exc, prawcore.TooManyRequests):
            seconds = exc.response.headers.get("x-ratelimit-reset")
            return RateLimited(datetime.now(timezone.utc).timestamp() + float(seconds) if seconds else None)
        if isinstance(exc, prawcore.OAuthException) or (
            isinstance(exc, prawcore.ResponseException) and exc.response.status_code == 401
        ):
            return AuthFailed(f"token request refused; check {self.credential.where_login()} and "
                              f"{self.credential.where_password()}")
        return None  # failed connections and 5xx responses are Transient already (_politeness_requestor)

    def _pages_for(self, subreddit: str, query: str | None):
        def pages(floor: list | None, ceiling: list | None) -> Iterator[Page]:
            params = {"after": f"t3_{base36(ceiling[1])}"} if ceiling is not None else {}
            sub = self.reddit.subreddit(subreddit)
            if query is None:
                listing = sub.new(limit=None, request_limit=self.config.page_size, params=params)
                what = f"new submissions of r/{subreddit}"
            else:
                listing = sub.search(query, sort="new", time_filter="all", limit=None,
                                     request_limit=self.config.page_size, params=params)
                what = f"search {query!r} in r/{subreddit}"
            oldest = [self.lookback_start().timestamp(), 0]
            chunk: list = []
            while (submission := self.polite.call(what, next, listing, None)) is not None:
                data = vars(submission)
                key = None  # without a creation time: _page reports it skipped, the listing goes on
                if data.get("created_utc") is not None:
                    key = [float(data["created_utc"]), int(data.get("id") or "0", 36)]
                    if key <= (floor if floor is not None else oldest):
                        break
                chunk.append((key, submission))
                if len(chunk) == self.config.page_size:
                    yield self._page(chunk, what)
                    chunk = []
            if chunk:
                yield self._page(chunk, what)

        return pages

    def _page(self, submissions: list, what: str) -> Page:
        page = Page(items=[])
        for key, submission in submissions:
            data = vars(submission)
            try:
                post = self._post(data, kind="t3")
            except (KeyError, TypeError, ValueError) as exc:
                page.problems.append(f"source {self.name!r}, {what}: submission {data.get('id')!r} skipped: "
                                     f"{type(exc).__name__}: {exc}")
                continue
            page.items.append((key, post))
            if self.config.comments and data.get("num_comments", 1):
                for comment in self.polite.call(f"comments of {post.native_id}", self._comments, submission):
                    try:
                        page.items.append((key, self._post(vars(comment), kind="t1")))
                    except (KeyError, TypeError, ValueError) as exc:
                        page.problems.append(f"source {self.name!r}: comment {vars(comment).get('id')!r} of "
                                             f"{post.native_id} skipped: {type(exc).__name__}: {exc}")
        return page

    def _comments(self, submission) -> list:
        submission.comments.replace_more(limit=self.config.replace_more_limit)
        return submission.comments.list()[: self.config.max_comments_per_submission]

    def _post(self, data: dict[str, Any], kind: str) -> Post:
        fullname = f"{kind}_{data['id']}"
        author = data.get("author")
        author_name = getattr(author, "name", None) if author is not None else None
        is_submission = kind == "t3"
        raw = {k: jsonable(v) for k, v in data.items() if not k.startswith("_") and k not in ("comments", "replies")}
        return Post(
            id=post_id("reddit", fullname),
            platform="reddit",
            source=self.name,
            native_id=fullname,
            url=REDDIT_WEB + data["permalink"] if data.get("permalink") else None,
            author=Author(id=data.get("author_fullname"), handle=f"@{author_name}" if author_name else None),
            title=data.get("title") if is_submission else None,
            text=(data.get("selftext") if is_submission else data.get("body")) or "",
            created_at=datetime.fromtimestamp(float(data["created_utc"]), timezone.utc),
            parent_id=None if is_submission else post_id("reddit", data["parent_id"]),
            thread_id=post_id("reddit", fullname if is_submission else data["link_id"]),
            engagement=Engagement(
                likes=max(0, data["score"]) if isinstance(data.get("score"), int) else None,
                replies=data.get("num_comments") if is_submission else None,
                shares=data.get("num_crossposts"),
            ),
            lang=None,
            raw=raw,
        )
