"""A small, fully known workspace and warehouse for the report and mail tests.

Client "Pasta Rossi" (Italian, Europe/Rome) owns the brand Rossi (@rossi) and watches Bianchi and Verdi;
"Acme Tea" (English, Europe/London) owns Acme. Week ``WEEK`` holds: a spike on its Wednesday, answered
and unanswered questions with known response times, a carrier whose post draws replies from distinct
people, and hostile post text and author names. ``build`` loads it and rebuilds the signal tables, as
the daily DAG does, so the report reads filled views.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
from datetime import datetime, timedelta, timezone
from pathlib import Path

from rete.config import Workspace, load_workspace
from signals.load import sync_clients
from signals.rebuild import all_post_days, rebuild_signals
from signals.warehouse import Warehouse

WEEK = "2026-W45"  # Monday 2 November 2026 .. Sunday 8 November 2026
MONDAY_UTC = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)  # 10:00 in Rome
HOSTILE_URL = "javascript:alert(document.cookie)"
HOSTILE_TEXT = "<script>alert(1)</script>\r\nBcc: evil@x.example Rossi fa schifo"
HOSTILE_AUTHOR = '<img src=x onerror="alert(2)">'

WORKSPACE_YAML = """\
name: test
warehouse: warehouse/rete.duckdb
clients:
  - name: Pasta Rossi
    slug: rossi
    language: it
    timezone: Europe/Rome
    report: {recipients: [marketing@rossi.example, ceo@rossi.example], weekday: monday, at: "08:30"}
    alerts: {recipients: [alerts@rossi.example], min_volume: 5}
    brands: [{name: Rossi, handles: ["@rossi"]}]
    competitors: [{name: Bianchi}, {name: Verdi}]
  - name: Acme Tea
    slug: acme
    language: en
    timezone: Europe/London
    report: {recipients: [team@acme.example], weekday: friday, at: "17:00"}
    brands: [{name: Acme, handles: ["@acmetea"]}]
"""


class PostWriter:
    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.enrichments: list[tuple] = []
        self.mentions: list[tuple] = []

    def add(self, native_id: str, when: datetime, text: str, *, brand: str | None = "Rossi",
            sentiment: str = "neutral", author: str = "@someone", name: str | None = None,
            intents: tuple[str, ...] = (), themes: tuple[str, ...] = (), parent: str | None = None,
            likes: int = 0, followers: int = 100, url: str | None = None) -> str:
        pid = f"x:{native_id}"
        self.posts.append(dict(
            id=pid, platform="x", source="fixture", native_id=native_id,
            url=url or f"https://x.example/status/{native_id}", author_id=author, author_handle=author,
            author_name=name or author.strip("@").title(), author_followers=followers, text=text,
            created_at=when, parent_id=f"x:{parent}" if parent else None, likes=likes,
            # as the connectors store it: a reply belongs to the conversation of the post it answers
            thread_id=f"x:{parent}" if parent else pid,
        ))
        self.enrichments.append((pid, "it", sentiment, list(intents), list(themes)))
        if brand:
            self.mentions.append((pid, brand, sentiment))
        return native_id

    def write(self, path: Path) -> None:
        with Warehouse(path).write() as con:
            for p in self.posts:
                con.execute(
                    """INSERT INTO posts (id, platform, source, native_id, url, author_id, author_handle,
                       author_name, author_followers, text, created_at, parent_id, thread_id, likes, fetched_at,
                       first_seen_at, updated_at, content_hash)
                       VALUES ($id, $platform, $source, $native_id, $url, $author_id, $author_handle,
                       $author_name, $author_followers, $text, $created_at, $parent_id, $thread_id, $likes,
                       now(), now(), now(), md5($text))""",
                    p,
                )
            for pid, lang, sentiment, intents, themes in self.enrichments:
                con.execute(
                    "INSERT INTO enrichments SELECT ?, 'h', 'c', ?, ?, 0.0, ?, ?, now(), created_at FROM posts "
                    "WHERE id = ?",
                    [pid, lang, sentiment, intents, themes, pid],
                )
            for pid, brand, sentiment in self.mentions:
                con.execute("INSERT INTO mentions SELECT ?, ?, 0, 5, ?, ?, 0.0, created_at FROM posts WHERE id = ?",
                            [pid, brand, brand, sentiment, pid])


def build(root: Path, *, with_data: bool = True) -> Workspace:
    root.mkdir(parents=True, exist_ok=True)
    (root / "workspace.yaml").write_text(WORKSPACE_YAML, encoding="utf-8")
    workspace = load_workspace(root)
    writer = PostWriter()
    if with_data:
        plant(writer)
    else:
        writer.add("old", MONDAY_UTC - timedelta(days=60), "Rossi tanto tempo fa")
    writer.write(workspace.warehouse_path)
    finish(workspace)
    return workspace


def finish(workspace: Workspace) -> None:
    """Load the clients and rebuild every signal, as the daily DAG does after loading posts."""
    warehouse = Warehouse(workspace.warehouse_path)
    with warehouse.write() as con:
        sync_clients(con, workspace)
    rebuild_signals(warehouse, all_post_days(warehouse), refresh_search=False)


def plant(w: PostWriter) -> None:
    hour = timedelta(hours=1)
    # Four quiet weeks before: 2 Rossi posts a day, 1 Bianchi, theme "prezzo" now and then.
    for day in range(1, 29):
        when = MONDAY_UTC - timedelta(days=day)
        w.add(f"b{day}a", when, "Rossi buona", sentiment="positive", author=f"@fan{day % 5}")
        w.add(f"b{day}b", when + hour, "Rossi ok", themes=("prezzo",) if day % 7 == 0 else ())
        w.add(f"c{day}", when, "Bianchi ok", brand="Bianchi")
    # The report week: 2 a day, with a spike of 14 negative posts on Wednesday about "packaging".
    for day in range(7):
        when = MONDAY_UTC + timedelta(days=day)
        w.add(f"w{day}a", when, "Rossi la migliore", sentiment="positive", author=f"@fan{day}", likes=day)
        w.add(f"w{day}b", when + hour, "Rossi nella media")
        w.add(f"v{day}", when, "Verdi compro", brand="Verdi")
    wednesday = MONDAY_UTC + timedelta(days=2)
    for i in range(14):
        w.add(f"s{i}", wednesday + timedelta(minutes=10 * i), f"Rossi packaging in plastica, delusione {i}",
              sentiment="negative", author=f"@angry{i}", themes=("packaging",), likes=i)
    # Relationship: three questions; @rossi answers one after 2h and one after 5h; one waits.
    q1 = w.add("q1", MONDAY_UTC, "Rossi, è senza glutine?", intents=("question",), author="@curious")
    q2 = w.add("q2", MONDAY_UTC + 3 * hour, "Rossi ordine mai arrivato", sentiment="negative",
               intents=("complaint",), author="@late", likes=50)
    w.add("q3", MONDAY_UTC + timedelta(days=4), "Rossi dove vi trovo a Torino?", intents=("question",),
          author="@torino")
    w.add("r1", MONDAY_UTC + 2 * hour, "Sì!", brand=None, author="@rossi", parent=q1)
    w.add("r2", MONDAY_UTC + 8 * hour, "Ci scusi", brand=None, author="@Rossi", parent=q2)
    # A carrier: @influencer's post draws replies from three distinct people (and one from themself).
    inf = w.add("inf", MONDAY_UTC + timedelta(days=1), "Provate la nuova linea Rossi", sentiment="positive",
                author="@influencer", name="Giulia Influencer", likes=120, followers=50_000)
    for i, who in enumerate(["@a", "@b", "@c", "@influencer"]):
        w.add(f"re{i}", MONDAY_UTC + timedelta(days=1, hours=i + 1), "vero", brand=None, author=who, parent=inf,
              **({"name": "Giulia Influencer", "followers": 50_000} if who == "@influencer" else {}))
    # The brand's own post, the most liked of the week: not a "notable post" of the public.
    w.add("own", MONDAY_UTC + timedelta(days=3), "Grazie a tutti da Rossi!", sentiment="positive", author="@rossi",
          likes=1000)
    # Hostile text, author name and link, the week's most engaging negative post.
    w.add("evil", MONDAY_UTC + timedelta(days=5), HOSTILE_TEXT, sentiment="negative", author="@evil",
          name=HOSTILE_AUTHOR, likes=500, url=HOSTILE_URL)
    # Acme (English client): a few posts on Friday.
    for i in range(3):
        w.add(f"acme{i}", MONDAY_UTC + timedelta(days=4, hours=i), "Acme tea is lovely", brand="Acme",
              sentiment="positive", author=f"@tea{i}")


def smtp_connection_json(port: int) -> str:
    return json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": port,
        "extra": {"disable_tls": True, "disable_ssl": True, "from_email": "reports@rete.example", "timeout": 5},
    })


REPO_ROOT = Path(__file__).resolve().parents[1]


class Inbox:
    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages(self):
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]


def free_port() -> int:
    # aiosmtpd's Controller cannot use port 0, so ask the OS for a free port first.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
