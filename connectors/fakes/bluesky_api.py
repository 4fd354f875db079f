"""A fake Bluesky entry point: ``createSession`` (app password, JWT-shaped tokens with exp),
``app.bsky.feed.searchPosts`` (sort=latest, since/until, cursor paging) and ``getProfiles``."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from werkzeug import Request, Response

from connectors.fakes import FakePlatform, FakePost, iso_z, json_response, parse_time, words_match


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def jwt(subject: str, scope: str) -> str:
    claims = {"sub": subject, "scope": scope, "iat": int(time.time()), "exp": int(time.time()) + 7200}
    return f"{_b64({'alg': 'ES256K', 'typ': 'at+jwt'})}.{_b64(claims)}.c2lnbmF0dXJl"


def did(author: dict[str, Any]) -> str:
    return f"did:plc:{author['id']}{'x' * 20}"[:32]


def handle(author: dict[str, Any]) -> str:
    return f"{author['handle'].replace('_', '-')}.bsky.social"


def post_uri(post: FakePost) -> str:
    return post.get("native_id") or f"at://{did(post['author'])}/app.bsky.feed.post/3k{post['id']:011d}"


class FakeBluesky(FakePlatform):
    def __init__(self, posts: list[FakePost] | None = None, login: str = "rete.bsky.social",
                 app_password: str = "abcd-efgh-ijkl-mnop"):
        super().__init__(posts)
        self.login, self.app_password = login, app_password
        self.access = jwt("did:plc:rete", "com.atproto.access")

    def render_post(self, post: FakePost) -> dict[str, Any]:
        record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": post["text"],
                                  "createdAt": iso_z(post["created_at"])}
        if post.get("lang"):
            record["langs"] = [post["lang"]]
        if (parent := self.by_id(post.get("reply_to"))) is not None:
            root = self.thread_root(post)
            record["reply"] = {"root": {"uri": post_uri(root), "cid": "bafyroot"},
                               "parent": {"uri": post_uri(parent), "cid": "bafyparent"}}
        if (quoted := self.by_id(post.get("quote_of"))) is not None:
            record["embed"] = {"$type": "app.bsky.embed.record",
                               "record": {"uri": post_uri(quoted), "cid": "bafyquoted"}}
        author = post["author"]
        return {"uri": post_uri(post), "cid": f"bafy{post['id']}",
                "author": {"did": did(author), "handle": handle(author), "displayName": author.get("name")},
                "record": record, "replyCount": post.get("replies", 0), "repostCount": post.get("shares", 0),
                "likeCount": post.get("likes", 0), "quoteCount": 0, "indexedAt": iso_z(post["created_at"])}

    def handle(self, request: Request) -> Response:
        method = request.path.removeprefix("/xrpc/")
        if method == "com.atproto.server.createSession":
            body = request.get_json()
            if (body.get("identifier"), body.get("password")) != (self.login, self.app_password):
                return json_response({"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
                                     401)
            return json_response({"did": "did:plc:rete", "handle": self.login, "active": True,
                                  "accessJwt": self.access, "refreshJwt": jwt("did:plc:rete", "com.atproto.refresh")})
        if request.headers.get("Authorization") != f"Bearer {self.access}":
            return json_response({"error": "AuthenticationRequired", "message": "Authentication Required"}, 401)
        if method == "app.bsky.feed.searchPosts":
            return self.search(request.args)
        if method == "app.bsky.actor.getProfiles":
            wanted = set(request.args.getlist("actors"))
            authors = {did(p["author"]): p["author"] for p in self.posts}
            return json_response({"profiles": [
                {"did": d, "handle": handle(a), "displayName": a.get("name"), "followersCount": a.get("followers", 0),
                 "followsCount": 3, "postsCount": 10} for d, a in authors.items() if d in wanted]})
        return json_response({"error": "MethodNotImplemented", "message": "Method Not Implemented"}, 501)

    def search(self, args) -> Response:
        found = [p for p in self.newest_first(self.posts) if words_match(args.get("q", ""), p["text"])]
        if args.get("since"):
            found = [p for p in found if p["created_at"] >= parse_time(args["since"])]
        if args.get("until"):
            found = [p for p in found if p["created_at"] < parse_time(args["until"])]
        offset = int(args.get("cursor", 0))
        size = int(args.get("limit", 25))
        page = found[offset:offset + size]
        body: dict[str, Any] = {"posts": [self.render_post(p) for p in page], "hitsTotal": len(found)}
        if offset + size < len(found):
            body["cursor"] = str(offset + size)
        return json_response(body)
