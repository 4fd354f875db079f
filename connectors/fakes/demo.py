"""The demo's social platforms: the posts of a workspace's export, served as X, Reddit, Mastodon and Bluesky.

``rete demo`` (and the DAG test) run the real social connectors against these fakes, so tweepy, praw,
Mastodon.py and atproto make their real HTTP calls, authenticate and page, over the same posts the
workspace's file export holds. The fakes serve each post under its export id, so the warehouse's
upsert merges what a connector fetches with what the file import brought: nothing is duplicated.

The posts come from the workspace's ``type: file`` sources, read through the file connector and their
``mapping:`` (so the export's own column names are not repeated here). What a platform's search would
not return is left out: Mastodon and Bluesky searches list no reposts (a boost is not a status with
text of its own).

The fakes accept only the demo's dummy credentials (``DEMO_CREDENTIALS``), passed to the connectors
as the environment variables ``rete.secrets`` reads, so the authentication path is the real one.
"""

from __future__ import annotations

import re
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

from connectors.fakes import FakePlatform, FakePost
from connectors.fakes.bluesky_api import FakeBluesky
from connectors.fakes.mastodon_api import FakeMastodon
from connectors.fakes.reddit_api import FakeReddit
from connectors.fakes.x_api import FakeX
from connectors.file_import import FileImportConnector
from rete.config import load_workspace
from rete.post import Post
from rete.secrets import env_name

# Where `rete demo` serves each platform; examples/demo/workspace.yaml points its api_base there.
DEMO_PORTS = {"x": 8771, "reddit": 8772, "mastodon": 8773, "bluesky": 8774}

# Dummy credentials of the default connections (conn id -> login, password); not secrets of anyone.
DEMO_CREDENTIALS: dict[str, tuple[str | None, str]] = {
    "rete_x": (None, "demo-x-bearer-token"),
    "rete_reddit": ("demo-reddit-client", "demo-reddit-secret"),
    "rete_mastodon": (None, "demo-mastodon-token"),
    "rete_bluesky": ("rete-demo.bsky.social", "demo-app-pass-word"),
}

HASHTAG = re.compile(r"#(\w+)")
SEARCH_SKIPS_REPOSTS = {"mastodon", "bluesky"}


def credential_environment() -> dict[str, str]:
    """The environment variables that hand ``DEMO_CREDENTIALS`` to the connectors."""
    env = {}
    for conn_id, (login, password) in DEMO_CREDENTIALS.items():
        if login is not None:
            env[env_name(conn_id, "login")] = login
        env[env_name(conn_id, "password")] = password
    return env


def exported_posts(workspace_root: str | Path) -> list[Post]:
    """Every post of the workspace's file sources, through the file connector and its mapping."""
    workspace = load_workspace(workspace_root)
    posts: list[Post] = []
    for source in workspace.sources:
        if source.type == "file":
            for batch in FileImportConnector(source, workspace.root).fetch(None):
                posts.extend(batch.posts)
    return posts


def _author(post: Post) -> dict:
    """The fakes' author dict; each fake adds its platform's prefix or suffix back when it renders."""
    author_id, handle = post.author.id or "", (post.author.handle or "").lstrip("@")
    if post.platform == "reddit":
        author_id = author_id.removeprefix("t2_")
    elif post.platform == "bluesky":
        author_id, handle = author_id.removeprefix("did:plc:"), handle.removesuffix(".bsky.social")
    return {"id": author_id, "handle": handle, "name": post.author.display_name or handle,
            "followers": post.author.followers or 0}


def _native_id(post: Post) -> str:
    """The id the fake serves: Reddit's without its t3_/t1_ kind, Mastodon's without its instance."""
    if post.platform == "reddit":
        return post.native_id.split("_", 1)[1]
    if post.platform == "mastodon":
        return post.native_id.rsplit("/", 1)[1]
    return post.native_id


def _mastodon_host(posts: list[Post]) -> str:
    """The instance the export's Mastodon ids belong to (``<host>/<id>``), which the fake stands in for."""
    return next((p.native_id.split("/", 1)[0] for p in posts if p.platform == "mastodon"), "127.0.0.1")


def fake_posts(posts: list[Post], platform: str) -> list[FakePost]:
    """``posts`` of ``platform`` as the fakes' neutral dicts, oldest first, each under its own native id."""
    mine = sorted((p for p in posts if p.platform == platform and
                   not (platform in SEARCH_SKIPS_REPOSTS and p.reposted_id)),
                  key=lambda p: (p.created_at, p.native_id))
    fake_ids = {p.id: n for n, p in enumerate(mine, start=1)}
    by_id = {p.id: p for p in mine}

    def subreddit(post: Post) -> str:
        root = by_id.get(post.thread_id or post.id, post)
        return str(root.raw.get("community") or "r/italy").removeprefix("r/")

    return [{
        "id": fake_ids[p.id],
        "native_id": _native_id(p),
        "author": _author(p),
        "text": p.text,
        "title": p.title,
        "created_at": p.created_at,
        "lang": p.lang,
        "reply_to": fake_ids.get(p.parent_id),
        "thread_root": fake_ids.get(p.thread_id),
        "quote_of": fake_ids.get(p.quoted_id),
        "repost_of": fake_ids.get(p.reposted_id),
        "likes": p.engagement.likes or 0,
        "replies": p.engagement.replies or 0,
        "shares": p.engagement.shares or 0,
        "views": p.engagement.views or 0,
        "subreddit": subreddit(p),
        "tags": [tag.lower() for tag in HASHTAG.findall(p.text)],
    } for p in mine]


def demo_platforms(workspace_root: str | Path) -> dict[str, FakePlatform]:
    """The four fakes over the workspace's exported posts, each requiring the demo credentials."""
    posts = exported_posts(workspace_root)
    _, x_token = DEMO_CREDENTIALS["rete_x"]
    reddit_id, reddit_secret = DEMO_CREDENTIALS["rete_reddit"]
    _, mastodon_token = DEMO_CREDENTIALS["rete_mastodon"]
    bluesky_login, bluesky_password = DEMO_CREDENTIALS["rete_bluesky"]
    return {
        "x": FakeX(fake_posts(posts, "x"), bearer_token=x_token),
        "reddit": FakeReddit(fake_posts(posts, "reddit"), client_id=reddit_id, client_secret=reddit_secret),
        "mastodon": FakeMastodon(fake_posts(posts, "mastodon"), host=_mastodon_host(posts),
                                 access_token=mastodon_token),
        "bluesky": FakeBluesky(fake_posts(posts, "bluesky"), login=bluesky_login, app_password=bluesky_password),
    }


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args) -> None:  # one line per API call would drown the demo's output
        pass


@contextmanager
def _serve(platform: str, app, port: int) -> Iterator[str]:
    # Bound here: werkzeug's own bind error exits the process instead of raising.
    try:
        listening = socket.create_server(("127.0.0.1", port))
    except OSError as exc:
        raise RuntimeError(f"cannot serve the fake {platform} API on 127.0.0.1:{port}: {exc.strerror} "
                           "(is another demo running?)") from None
    with listening:
        server = make_server("127.0.0.1", port, app, threaded=True, request_handler=_QuietHandler,
                             fd=listening.fileno())
    thread = threading.Thread(target=server.serve_forever, name=f"fake-platform-{server.port}", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve_demo_platforms(workspace_root: str | Path,
                         ports: dict[str, int] | None = None) -> Iterator[dict[str, str]]:
    """Serve the workspace's exported posts as the four platforms on 127.0.0.1 while the block runs.

    ``ports`` maps a platform to its port (default ``DEMO_PORTS``; 0 picks a free one). Yields each
    platform's base URL, for a source's ``api_base``, once every server accepts connections.
    """
    ports = DEMO_PORTS if ports is None else ports
    with ExitStack() as stack:
        yield {platform: stack.enter_context(_serve(platform, fake.wsgi(), ports[platform]))
               for platform, fake in demo_platforms(workspace_root).items()}


def main(argv: list[str]) -> None:
    """``python -m connectors.fakes.demo [WORKSPACE]``: serve the platforms until Ctrl-C."""
    workspace_root = argv[0] if argv else Path(__file__).resolve().parents[2] / "examples" / "demo"
    with serve_demo_platforms(workspace_root) as urls:
        for platform, url in urls.items():
            print(f"{platform:9} {url}")
        print("the connectors need: " + " ".join(f"{k}={v}" for k, v in credential_environment().items()))
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main(sys.argv[1:])
