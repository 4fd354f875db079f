"""A warehouse with planted truth for the signal tests: rows are inserted straight into the tables
the loader and the enrich step fill (posts, enrichments, mentions, clients, client_brands).

Client ``acme`` (Europe/Rome) watches its own brand Acme (account @acme) and the competitor Rival
(@rival), from Monday 2026-01-05 to Sunday 2026-03-15 (70 days). Every day: 20 Acme posts by
@fan0..@fan19 (10 positive, 4 negative, 6 neutral, theme "prodotto") and 10 Rival posts by
@rfan0..@rfan9 (5 positive, 2 negative, 3 neutral). On top of that:
- SPIKE_DAY: 60 extra negative Acme posts by new authors @angry0..59, theme "consegna", #ritardo,
  likes = 0..59;
- the theme "sostenibilita" rides on 1 Acme post every Monday, then on 6 Acme posts a day during
  EMERGING_WEEK;
- COPY_DAY: 4 accounts post the same text with different links and handles (a campaign);
- REQUEST_DAY: questions to Acme answered after 30 and 120 minutes, an unanswered complaint, and an
  unanswered question to Rival;
- CASCADE_DAY: @carla's post set off replies by @d1 and @d2 (a reply to @d1), a quote by @d3 and a
  repost by @d4;
- BRIDGE_DAY: two tight conversations (@a1..@a4 and @b1..@b4) joined only by @bridge, who
  replies in both;
- a Rival post at 23:30 UTC on 2026-03-14, which is 2026-03-15 in Rome.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from signals.warehouse import Warehouse

START = date(2026, 1, 5)
DAYS = 70
SPIKE_DAY = date(2026, 3, 4)
EMERGING_WEEK = date(2026, 3, 9)
COPY_DAY = date(2026, 3, 10)
REQUEST_DAY = date(2026, 3, 11)
CASCADE_DAY = date(2026, 3, 12)
BRIDGE_DAY = date(2026, 1, 20)
LATE_NIGHT_POST = datetime(2026, 3, 14, 23, 30, tzinfo=timezone.utc)
CAMPAIGN_TEXT = "Boicottate Acme adesso, hanno rovinato tutto quanto nel silenzio generale! #boicottaacme"
SCORES = {"positive": 0.8, "negative": -0.7, "neutral": 0.0}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)


@dataclass
class PlantedWarehouse:
    path: Path
    posts: list[tuple] = field(default_factory=list)
    enrichments: list[tuple] = field(default_factory=list)
    mentions: list[tuple] = field(default_factory=list)

    @property
    def warehouse(self) -> Warehouse:
        return Warehouse(self.path)

    def post(self, post_id: str, author: str, created_at: datetime, text: str, *, brand: str | None = None,
             sentiment: str = "neutral", intents: tuple = (), themes: tuple = (), parent: str | None = None,
             thread: str | None = None, quoted: str | None = None, reposted: str | None = None,
             likes: int = 0) -> str:
        self.posts.append((
            post_id, "x", "fixture", post_id.split(":")[1], f"https://x.example/{post_id.split(':')[1]}",
            author.lstrip("@"), author, None, None, None, text, None, created_at, parent, thread, quoted,
            reposted, likes, 0, 0, None, created_at, created_at, created_at, f"hash-{post_id}", None,
        ))
        self.enrichments.append((post_id, f"hash-{post_id}", "cfg", "it", sentiment, SCORES[sentiment],
                                 list(intents), list(themes), created_at, created_at))
        if brand:
            start = text.find(brand)
            self.mentions.append((post_id, brand, max(start, 0), max(start, 0) + len(brand), brand,
                                  sentiment, SCORES[sentiment], created_at))
        return post_id

    def write(self, pending: set[date] = frozenset()) -> None:
        with self.warehouse.write() as con:
            con.execute("BEGIN")
            con.execute("INSERT OR IGNORE INTO clients VALUES ('acme', 'Acme S.p.A.', 'it', 'Europe/Rome')")
            con.execute("INSERT OR IGNORE INTO client_brands VALUES ('acme', 'Acme', 'own', ['@acme']), "
                        "('acme', 'Rival', 'competitor', ['@rival'])")
            for table, rows in (("posts", self.posts), ("enrichments", self.enrichments),
                                ("mentions", self.mentions)):
                bulk_insert(con, table, rows, self.path.with_suffix(".rows.jsonl"))
            if pending:
                con.executemany("INSERT OR IGNORE INTO pending_signal_days VALUES (?)", [(d,) for d in pending])
            con.execute("COMMIT")
        self.posts, self.enrichments, self.mentions = [], [], []


def bulk_insert(con, table: str, rows: list[tuple], scratch: Path) -> None:
    """Insert rows through a JSON-lines file: DuckDB's executemany and its conversion of Python
    lists both probe for optional imports per value and take tens of seconds here."""
    if rows:
        names = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]
        with scratch.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(dict(zip(names, row)), default=str) + "\n")
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_json(?, format = 'newline_delimited')",
                    [str(scratch)])
        scratch.unlink()


def build(path: Path) -> PlantedWarehouse:
    planted = PlantedWarehouse(path)
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        emerging = day >= EMERGING_WEEK
        for i in range(20):
            sentiment = "positive" if i < 10 else "negative" if i < 14 else "neutral"
            themes = ("prodotto",)
            if (emerging and i >= 14) or (not emerging and i == 0 and day.weekday() == 0):
                themes = ("prodotto", "sostenibilita")
            planted.post(f"x:a{day:%m%d}{i:02d}", f"@fan{i}", at(day, 8, 0) + timedelta(minutes=20 * i),
                         f"Acme oggi mi ha colpito, giorno {day} numero {i} #acme", brand="Acme",
                         sentiment=sentiment, themes=themes)
        for i in range(10):
            sentiment = "positive" if i < 5 else "negative" if i < 7 else "neutral"
            planted.post(f"x:r{day:%m%d}{i:02d}", f"@rfan{i}", at(day, 9, 0) + timedelta(minutes=30 * i),
                         f"Rival come sempre, giorno {day} numero {i}", brand="Rival", sentiment=sentiment,
                         themes=("prodotto",))
    for j in range(60):
        planted.post(f"x:spike{j:02d}", f"@angry{j}", at(SPIKE_DAY, 15, 0) + timedelta(seconds=30 * j),
                     f"Acme ordine in ritardo di nuovo, caso {j} #ritardo", brand="Acme", sentiment="negative",
                     themes=("consegna",), likes=j)
    for k in range(4):
        planted.post(f"x:copy{k}", f"@bot{k}", at(COPY_DAY, 16, k),
                     f"@someone{k} {CAMPAIGN_TEXT} https://spam.example/{k}", brand="Acme",
                     themes=("boicottaggio",))
    add_requests(planted)
    add_cascade(planted)
    add_bridge(planted)
    planted.post("x:late_night", "@nottambulo", LATE_NIGHT_POST, "Rival a mezzanotte", brand="Rival")
    planted.write()
    return planted


def add_requests(planted: PlantedWarehouse) -> None:
    q1 = planted.post("x:q1", "@ugo", at(REQUEST_DAY, 17, 0), "Acme quando riaprite il negozio?", brand="Acme",
                      intents=("question",))
    planted.post("x:q1r", "@acme", at(REQUEST_DAY, 17, 30), "Ciao Ugo, lunedì!", parent=q1, thread=q1)
    q2 = planted.post("x:q2", "@eva", at(REQUEST_DAY, 18, 0), "Acme avete la taglia M?", brand="Acme",
                      intents=("question",))
    planted.post("x:q2r", "@acme", at(REQUEST_DAY, 20, 0), "Sì Eva, scrivici in DM", parent=q2, thread=q2)
    planted.post("x:q3", "@leo", at(REQUEST_DAY, 19, 0), "Acme il pacco è arrivato rotto, vergogna", brand="Acme",
                 sentiment="negative", intents=("complaint",))
    planted.post("x:q4", "@ida", at(REQUEST_DAY, 19, 30), "Rival fate spedizioni in Svizzera?", brand="Rival",
                 intents=("question",))


def add_cascade(planted: PlantedWarehouse) -> None:
    root = planted.post("x:carla", "@carla", at(CASCADE_DAY, 12, 0), "Acme ha cambiato ricetta, che ne dite?",
                        brand="Acme", likes=40)
    d1 = planted.post("x:d1", "@d1", at(CASCADE_DAY, 12, 10), "Secondo me è migliorata", parent=root, thread=root)
    planted.post("x:d2", "@d2", at(CASCADE_DAY, 12, 20), "@d1 non sono d'accordo", parent=d1, thread=root)
    planted.post("x:d3", "@d3", at(CASCADE_DAY, 12, 30), "Guardate qui", quoted=root)
    planted.post("x:d4", "@d4", at(CASCADE_DAY, 12, 40), "", reposted=root)
    planted.post("x:carla2", "@carla", at(CASCADE_DAY, 12, 50), "@d1 grazie!", parent=d1, thread=root)


def add_bridge(planted: PlantedWarehouse) -> None:
    for side in ("a", "b"):
        root = planted.post(f"x:{side}1", f"@{side}1", at(BRIDGE_DAY, 10), f"Acme discussione {side}", brand="Acme")
        replies = {2: root, 3: f"x:{side}2", 4: f"x:{side}3"}
        for n, parent in replies.items():
            planted.post(f"x:{side}{n}", f"@{side}{n}", at(BRIDGE_DAY, 10, 5 * n), "d'accordo", parent=parent,
                         thread=root)
        planted.post(f"x:{side}4b", f"@{side}4", at(BRIDGE_DAY, 10, 30), "anche io", parent=root, thread=root)
        planted.post(f"x:{side}3b", f"@{side}3", at(BRIDGE_DAY, 10, 35), "sì", parent=root, thread=root)
        planted.post(f"x:bridge_{side}", "@bridge", at(BRIDGE_DAY, 11), "vi leggo tutti", parent=root, thread=root)


def all_days() -> set[date]:
    return {START + timedelta(days=offset) for offset in range(DAYS)}
