"""A fake Mastodon instance: ``/api/v1/timelines/tag/<tag>`` (since_id/min_id/max_id, newest first)
and ``/api/v2/search`` (statuses, bearer token required), with snowflake ids derived from time."""

from __future__ import annotations

import html
import re
from typing import Any

from werkzeug import Request, Response

from connectors.fakes import FakePlatform, FakePost, iso_z, json_response, words_match


def status_id(post: FakePost) -> str:
    return post.get("native_id") or str((int(post["created_at"].timestamp() * 1000) << 16) + post["id"] % 65536)


class FakeMastodon(FakePlatform):
    def __init__(self, posts: list[FakePost] | None = None, host: str = "127.0.0.1",
                 access_token: str | None = "test-mastodon-token"):
        super().__init__(posts)
        self.host = host
        self.access_token = access_token

    def render_status(self, post: FakePost) -> dict[str, Any]:
        sid, author = status_id(post), post["author"]
        parent = self.by_id(post.get("reply_to"))
        return {
            "id": sid, "created_at": iso_z(post["created_at"]),
            "in_reply_to_id": status_id(parent) if parent else None,
            "in_reply_to_account_id": parent["author"]["id"] if parent else None,
            "sensitive": False, "spoiler_text": "", "visibility": "public", "language": post.get("lang"),
            "uri": f"https://{self.host}/users/{author['handle']}/statuses/{sid}",
            "url": f"https://{self.host}/@{author['handle']}/{sid}",
            "replies_count": post.get("replies", 0), "reblogs_count": post.get("shares", 0),
            "favourites_count": post.get("likes", 0), "edited_at": None,
            "content": "<p>" + html.escape(post["text"]).replace("\n", "<br />") + "</p>",
            "reblog": None, "application": None, "media_attachments": [], "mentions": [], "emojis": [],
            "tags": [{"name": t, "url": f"https://{self.host}/tags/{t}"} for t in post.get("tags", [])],
            "card": None, "poll": None, "quote": self.render_quote(post),
            "account": {
                "id": author["id"], "username": author["handle"].split("@")[0], "acct": author["handle"],
                "display_name": author.get("name", ""), "locked": False, "bot": False,
                "created_at": "2020-01-01T00:00:00.000Z", "note": "", "url": f"https://{self.host}/@{author['handle']}",
                "followers_count": author.get("followers", 0), "following_count": 1, "statuses_count": 1,
                "avatar": "", "header": "", "emojis": [], "fields": [],
            },
        }

    def render_quote(self, post: FakePost) -> dict[str, Any] | None:
        quoted = self.by_id(post.get("quote_of"))
        return {"state": "accepted", "quoted_status": self.render_status(quoted)} if quoted else None

    def handle(self, request: Request) -> Response:
        if request.path.rstrip("/") in ("/api/v1/instance", "/api/v2/instance"):
            return json_response({"domain": self.host, "version": "4.3.0", "title": "Fake"})
        if match := re.fullmatch(r"/api/v1/timelines/tag/(\w+)", request.path):
            return self.statuses(request, [p for p in self.posts if match[1].lower() in p.get("tags", [])])
        if request.path == "/api/v2/search":
            if self.access_token and request.headers.get("Authorization") != f"Bearer {self.access_token}":
                return json_response({"error": "The access token is invalid"}, 401)
            found = [p for p in self.posts if words_match(request.args.get("q", ""), p["text"])]
            response = self.statuses(request, found)
            return json_response({"accounts": [], "hashtags": [], "statuses": response.get_json()})
        return json_response({"error": "Record not found"}, 404)

    def statuses(self, request: Request, posts: list[FakePost]) -> Response:
        found = sorted(posts, key=lambda p: int(status_id(p)), reverse=True)
        args = request.args
        for bound, keep in (("since_id", lambda p, v: int(status_id(p)) > int(v)),
                            ("min_id", lambda p, v: int(status_id(p)) > int(v)),
                            ("max_id", lambda p, v: int(status_id(p)) < int(v))):
            if args.get(bound):
                found = [p for p in found if keep(p, args[bound])]
        limit = min(int(args.get("limit", 20)), 40)
        if args.get("min_id") and not args.get("since_id") and "/timelines/" in request.path:
            found = found[-limit:]  # min_id pages forward: the statuses right after it
        return json_response([self.render_status(p) for p in found[:limit]])
