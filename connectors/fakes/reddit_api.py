"""A fake Reddit API: the client-credentials token endpoint, ``/r/<sub>/new``, ``/r/<sub>/search/``
(newest first, ``after`` paging) and ``/comments/<id>/`` with a nested comment tree."""

from __future__ import annotations

import base64
import re
from typing import Any

from werkzeug import Request, Response

from connectors.fakes import FakePlatform, FakePost, json_response, words_match
from connectors.reddit import base36

ACCESS_TOKEN = "fake-reddit-access-token"


def reddit_id(fake_id: int) -> str:
    return base36(1_000_000 + fake_id)  # real ids are 6-7 base-36 digits


def id_of(post: FakePost) -> str:
    return post.get("native_id") or reddit_id(post["id"])


class FakeReddit(FakePlatform):
    def __init__(self, posts: list[FakePost] | None = None, client_id: str = "test-client",
                 client_secret: str = "test-secret"):
        super().__init__(posts)
        self.basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()

    def is_submission(self, post: FakePost) -> bool:
        return post.get("reply_to") is None

    def render_submission(self, post: FakePost) -> dict[str, Any]:
        rid = id_of(post)
        sub = post.get("subreddit", "italy")
        comments = [p for p in self.posts if not self.is_submission(p) and self.thread_root(p) is post]
        return {"kind": "t3", "data": {
            "id": rid, "name": f"t3_{rid}", "title": post.get("title") or " ".join(post["text"].split()[:6]),
            "selftext": post["text"], "author": post["author"]["handle"],
            "author_fullname": f"t2_{post['author']['id']}", "subreddit": sub, "subreddit_name_prefixed": f"r/{sub}",
            "created_utc": post["created_at"].timestamp(), "permalink": f"/r/{sub}/comments/{rid}/post/",
            "url": f"https://www.reddit.com/r/{sub}/comments/{rid}/post/", "score": post.get("likes", 0),
            "num_comments": len(comments), "num_crossposts": post.get("shares", 0), "over_18": False,
        }}

    def render_comment(self, post: FakePost) -> dict[str, Any]:
        rid, root = id_of(post), self.thread_root(post)
        parent = self.by_id(post["reply_to"])
        children = [self.render_comment(p) for p in self.posts if p.get("reply_to") == post["id"]]
        return {"kind": "t1", "data": {
            "id": rid, "name": f"t1_{rid}", "body": post["text"], "author": post["author"]["handle"],
            "author_fullname": f"t2_{post['author']['id']}", "created_utc": post["created_at"].timestamp(),
            "link_id": f"t3_{id_of(root)}",
            "parent_id": f"{'t3' if parent is root else 't1'}_{id_of(parent)}",
            "permalink": f"/r/{root.get('subreddit', 'italy')}/comments/{id_of(root)}/post/{rid}/",
            "score": post.get("likes", 0), "subreddit": root.get("subreddit", "italy"),
            "replies": {"kind": "Listing", "data": {"after": None, "before": None, "children": children}}
            if children else "",
        }}

    def listing(self, children: list[dict[str, Any]], after: str | None) -> Response:
        return json_response({"kind": "Listing", "data": {
            "after": after, "before": None, "dist": len(children), "children": children}})

    def handle(self, request: Request) -> Response:
        if request.path == "/api/v1/access_token":
            if request.headers.get("Authorization") != f"Basic {self.basic}":
                return json_response({"message": "Unauthorized", "error": 401}, 401)
            return json_response({"access_token": ACCESS_TOKEN, "token_type": "bearer",
                                  "expires_in": 86400, "scope": "*"})
        if request.headers.get("Authorization", "").lower() != f"bearer {ACCESS_TOKEN}":
            return json_response({"message": "Unauthorized", "error": 401}, 401)
        if match := re.fullmatch(r"/r/([\w+]+)/(new|search)/?", request.path):
            return self.submissions(request, match[1], request.args.get("q") if match[2] == "search" else None)
        if match := re.fullmatch(r"/comments/(\w+)/?", request.path):
            post = next((p for p in self.posts if id_of(p) == match[1]), None)
            if post is None:
                return json_response({"message": "Not Found", "error": 404}, 404)
            comments = [self.render_comment(p) for p in self.posts if p.get("reply_to") == post["id"]]
            return json_response([
                {"kind": "Listing", "data": {"after": None, "before": None, "children": [self.render_submission(post)]}},
                {"kind": "Listing", "data": {"after": None, "before": None, "children": comments}},
            ])
        return json_response({"message": "Not Found", "error": 404}, 404)

    def submissions(self, request: Request, subreddit: str, query: str | None) -> Response:
        found = [p for p in self.newest_first(self.posts) if self.is_submission(p)
                 and (subreddit == "all" or p.get("subreddit", "italy") == subreddit)
                 and (query is None or words_match(query, (p.get("title") or "") + " " + p["text"]))]
        if after := request.args.get("after"):
            names = [f"t3_{id_of(p)}" for p in found]
            found = found[names.index(after) + 1:] if after in names else []
        size = min(int(request.args.get("limit", 25)), 100)
        page = found[:size]
        after_name = f"t3_{id_of(page[-1])}" if len(found) > size else None
        return self.listing([self.render_submission(p) for p in page], after_name)
