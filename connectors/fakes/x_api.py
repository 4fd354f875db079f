"""A fake X API v2: ``GET /2/tweets/search/recent`` with bearer auth, since_id/until_id/start_time,
max_results, next_token paging newest first, and the author_id / referenced_tweets expansions."""

from __future__ import annotations

from typing import Any

from werkzeug import Request, Response

from connectors.fakes import FakePlatform, FakePost, iso_z, json_response, parse_time, words_match

TWEET_ID_BASE = 1_800_000_000_000_000_000  # X ids are 19-digit snowflakes


def tweet_id(fake_id: int) -> str:
    return str(TWEET_ID_BASE + fake_id)


def id_of(post: FakePost) -> str:
    return post.get("native_id") or tweet_id(post["id"])


def render_user(author: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": author["id"], "username": author["handle"], "name": author.get("name", author["handle"]),
        "public_metrics": {"followers_count": author.get("followers", 0), "following_count": 10,
                           "tweet_count": 100, "listed_count": 0, "like_count": 5},
    }


class FakeX(FakePlatform):
    def __init__(self, posts: list[FakePost] | None = None, bearer_token: str = "test-bearer-token"):
        super().__init__(posts)
        self.bearer_token = bearer_token

    def handle(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {self.bearer_token}":
            return json_response({"title": "Unauthorized", "type": "about:blank", "status": 401,
                                  "detail": "Unauthorized"}, 401)
        if request.path != "/2/tweets/search/recent":
            return json_response({"title": "Not Found Error", "status": 404}, 404)
        return self.search(request.args)

    def ref_id(self, fake_id: int) -> str:
        target = self.by_id(fake_id)
        return id_of(target) if target is not None else tweet_id(fake_id)

    def render(self, post: FakePost) -> dict[str, Any]:
        refs = [{"type": kind, "id": self.ref_id(post[field])}
                for kind, field in (("replied_to", "reply_to"), ("quoted", "quote_of"), ("retweeted", "repost_of"))
                if post.get(field) is not None]
        tweet = {
            "id": id_of(post),
            "edit_history_tweet_ids": [id_of(post)],
            "text": post["text"],
            "author_id": post["author"]["id"],
            "created_at": iso_z(post["created_at"]),
            "conversation_id": id_of(self.thread_root(post)),
            "public_metrics": {
                "retweet_count": post.get("shares", 0), "reply_count": post.get("replies", 0),
                "like_count": post.get("likes", 0), "quote_count": 0, "bookmark_count": 0,
                "impression_count": post.get("views", 0),
            },
        }
        if post.get("lang"):
            tweet["lang"] = post["lang"]
        if refs:
            tweet["referenced_tweets"] = refs
        return tweet

    def matches(self, query: str, post: FakePost) -> bool:
        sender = next((w[5:] for w in query.split() if w.startswith("from:")), None)
        if sender is not None and post["author"]["handle"].lower() != sender.lower():
            return False
        if "is:reply" in query.split() and post.get("reply_to") is None:
            return False
        return words_match(query, post["text"])

    def search(self, args) -> Response:
        found = [p for p in self.newest_first(self.posts) if self.matches(args["query"], p)]
        for bound, keep in (("since_id", lambda p, v: int(id_of(p)) > int(v)),
                            ("until_id", lambda p, v: int(id_of(p)) < int(v)),
                            ("start_time", lambda p, v: p["created_at"] >= parse_time(v)),
                            ("end_time", lambda p, v: p["created_at"] < parse_time(v))):
            if args.get(bound):
                found = [p for p in found if keep(p, args[bound])]
        newest_id = id_of(found[0]) if found else None
        if args.get("next_token"):  # the token is the id of the last tweet already sent
            found = [p for p in found if int(id_of(p)) < int(args["next_token"])]
        size = int(args.get("max_results", 10))
        page, rest = found[:size], found[size:]
        if not page:
            return json_response({"meta": {"result_count": 0}})
        referenced = [self.by_id(p[f]) for p in page for f in ("reply_to", "quote_of", "repost_of")
                      if p.get(f) is not None]
        referenced = [r for r in referenced if r is not None]
        authors = {p["author"]["id"]: p["author"] for p in page + referenced}
        meta = {"newest_id": newest_id, "oldest_id": id_of(page[-1]), "result_count": len(page)}
        if rest:
            meta["next_token"] = id_of(page[-1])
        return json_response({
            "data": [self.render(p) for p in page],
            "includes": {"users": [render_user(a) for a in authors.values()],
                         "tweets": [self.render(r) for r in referenced]},
            "meta": meta,
        })
