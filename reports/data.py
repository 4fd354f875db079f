"""Everything the report and the alerts read from the warehouse, in one module.

Reports depend on table names and columns only here. Until the signal tables of ``signals/`` are in
the warehouse, each figure is computed from the core tables (posts, enrichments, mentions); the
definitions below follow the signals issue so that switching a section to its signal table changes
no number a client has already seen.

Definitions (per client, ISO week in the client's time zone):
- a *mention* is a (post, brand) pair; counts are distinct posts per brand;
- net sentiment = (positive − negative) / mentions of the client's own brands;
- share of voice = own-brand mentions / mentions of own brands and competitors;
- a *question* is an own-brand post with intent question, complaint or support_request not written by
  one of the brand's accounts; it is *answered* when one of those accounts replies to it directly;
- a *carrier* is an author whose own-brand posts drew replies, quotes or reposts from the most distinct
  other authors;
- a *spike* is a local day whose own-brand volume (or negative share) lies far above a robust,
  28-day trailing baseline: median + 3 × 1.4826 × MAD, and at least ``AlertSettings.min_volume``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import median

import duckdb
from scipy.stats import poisson

from rete.config import Client

ASKING_INTENTS = ["question", "complaint", "support_request"]
BASELINE_DAYS = 28
THEME_BASELINE_WEEKS = 4
EMERGING_P_VALUE = 0.01
SPIKE_MADS = 3.0
TOP = 5


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        match = re.fullmatch(r"(\d{4})-?W(\d{1,2})", text.strip(), flags=re.IGNORECASE)
        if not match:
            raise ValueError(f"week {text!r} must look like 2026-W07 (ISO year and week)")
        year, week = int(match.group(1)), int(match.group(2))
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValueError(f"week {text!r}: {year} has no ISO week {week}") from None
        return cls(year, week)

    @classmethod
    def containing(cls, day: date) -> IsoWeek:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=i) for i in range(7)]

    def shifted(self, weeks: int) -> IsoWeek:
        return IsoWeek.containing(self.monday + timedelta(weeks=weeks))

    def bounds(self, client: Client) -> tuple[datetime, datetime]:
        """The week's first and past-the-last instants in the client's zone (DST-correct)."""
        start = datetime.combine(self.monday, time(), client.zone)
        end = datetime.combine(self.monday + timedelta(days=7), time(), client.zone)
        return start, end


@dataclass(frozen=True)
class Headline:
    mentions: int
    authors: int
    positive: int
    negative: int
    engagement: int
    competitor_mentions: int

    @property
    def net_sentiment(self) -> float | None:
        return (self.positive - self.negative) / self.mentions if self.mentions else None

    @property
    def share_of_voice(self) -> float | None:
        total = self.mentions + self.competitor_mentions
        return self.mentions / total if total else None


@dataclass(frozen=True)
class DayVolume:
    day: date
    positive: int
    neutral: int
    negative: int

    @property
    def total(self) -> int:
        return self.positive + self.neutral + self.negative


@dataclass(frozen=True)
class BrandShare:
    brand: str
    own: bool
    mentions: int
    previous: int
    share: float
    net_sentiment: float | None


@dataclass(frozen=True)
class Theme:
    theme: str
    mentions: int
    baseline: float
    emerging: bool


@dataclass(frozen=True)
class PostRef:
    """A post shown to the client. ``text``, ``author`` and ``url`` are untrusted."""

    post_id: str
    created_at: datetime  # in the client's zone
    author: str  # handle, or the name where the platform has no handles
    author_name: str | None
    text: str
    url: str | None
    sentiment: str
    engagement: int


@dataclass(frozen=True)
class Spike:
    client: str
    brand: str
    day: date
    kind: str  # volume | negative
    value: float
    baseline: float
    volume: int
    posts: list[PostRef] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Stable identity of the spike, used so that an alert is never sent twice."""
        return f"{self.day.isoformat()}:{self.kind}:{self.brand}"


@dataclass(frozen=True)
class Waiting:
    post: PostRef
    age: timedelta


@dataclass(frozen=True)
class Relationship:
    asked: int
    answered: int
    median_response: timedelta | None
    p90_response: timedelta | None
    oldest_unanswered: list[Waiting]

    @property
    def answered_share(self) -> float | None:
        return self.answered / self.asked if self.asked else None


@dataclass(frozen=True)
class Carrier:
    author: str
    name: str | None
    followers: int | None
    posts: int
    participants: int


@dataclass(frozen=True)
class WeekData:
    client: Client
    week: IsoWeek
    headline: Headline
    previous: Headline
    days: list[DayVolume]
    shares: list[BrandShare]
    themes: list[Theme]
    spikes: list[Spike]
    relationship: Relationship
    carriers: list[Carrier]
    positive_posts: list[PostRef]
    negative_posts: list[PostRef]

    @property
    def empty(self) -> bool:
        return self.headline.mentions == 0


def own_brands(client: Client) -> list[str]:
    return [b.name for b in client.brands]


def all_brands(client: Client) -> list[str]:
    return [b.name for b, _ in client.brand_roles()]


def own_handles(client: Client) -> list[str]:
    return sorted({h.lower() for b in client.brands for h in b.handles})


# Own-brand mentions with their post, in [start, end): the base of most sections.
OWN_MENTIONS = """
    SELECT p.*, m.brand, m.sentiment_label AS brand_sentiment,
           coalesce(p.likes, 0) + coalesce(p.replies, 0) + coalesce(p.shares, 0) AS interactions,
           coalesce(e.themes, []) AS themes, coalesce(e.intents, []) AS intents
    FROM (SELECT DISTINCT ON (post_id, brand) post_id, brand, sentiment_label
          FROM mentions WHERE list_contains($brands, brand)
          ORDER BY post_id, brand, start_char) m
    JOIN posts p ON p.id = m.post_id
    LEFT JOIN enrichments e ON e.post_id = p.id
    WHERE p.created_at >= $start AND p.created_at < $end
"""


def _rows(con: duckdb.DuckDBPyConnection, sql: str, **params: object) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _post_ref(row: dict, client: Client) -> PostRef:
    author = row.get("author_handle") or row.get("author_name") or "?"
    text = " ".join(filter(None, [row.get("title"), row.get("text")]))
    return PostRef(
        post_id=row["id"],
        created_at=row["created_at"].astimezone(client.zone),
        author=author,
        author_name=row.get("author_name") if row.get("author_name") != author else None,
        text=text,
        # Only web links become hrefs: a javascript: or data: URL from a platform must not be clickable.
        url=row["url"] if re.match(r"https?://", row.get("url") or "", flags=re.IGNORECASE) else None,
        sentiment=row.get("brand_sentiment") or "neutral",
        engagement=int(row.get("interactions") or 0),
    )


def headline(con: duckdb.DuckDBPyConnection, client: Client, start: datetime, end: datetime) -> Headline:
    own = con.execute(
        f"""SELECT count(*), count(DISTINCT coalesce(author_id, author_handle)),
                   count(*) FILTER (WHERE brand_sentiment = 'positive'),
                   count(*) FILTER (WHERE brand_sentiment = 'negative'),
                   coalesce(sum(interactions), 0)
            FROM ({OWN_MENTIONS})""",
        {"brands": own_brands(client), "start": start, "end": end},
    ).fetchone()
    competitors = [b.name for b in client.competitors]
    competitor_mentions = con.execute(
        f"SELECT count(*) FROM ({OWN_MENTIONS})", {"brands": competitors, "start": start, "end": end}
    ).fetchone()[0] if competitors else 0
    return Headline(*(int(v) for v in own), competitor_mentions=int(competitor_mentions))


def daily_volume(con: duckdb.DuckDBPyConnection, client: Client, week: IsoWeek) -> list[DayVolume]:
    start, end = week.bounds(client)
    rows = con.execute(
        f"""SELECT (created_at AT TIME ZONE $zone)::DATE AS day,
                   count(*) FILTER (WHERE brand_sentiment = 'positive'),
                   count(*) FILTER (WHERE brand_sentiment NOT IN ('positive', 'negative')),
                   count(*) FILTER (WHERE brand_sentiment = 'negative')
            FROM ({OWN_MENTIONS}) GROUP BY day""",
        {"brands": own_brands(client), "start": start, "end": end, "zone": client.timezone},
    ).fetchall()
    by_day = {row[0]: row[1:] for row in rows}
    return [DayVolume(day, *by_day.get(day, (0, 0, 0))) for day in week.days]


def brand_shares(con: duckdb.DuckDBPyConnection, client: Client, week: IsoWeek) -> list[BrandShare]:
    start, end = week.bounds(client)
    prev_start, _ = week.shifted(-1).bounds(client)
    rows = con.execute(
        f"""SELECT brand,
                   count(*) FILTER (WHERE created_at >= $mid) AS mentions,
                   count(*) FILTER (WHERE created_at < $mid) AS previous,
                   count(*) FILTER (WHERE created_at >= $mid AND brand_sentiment = 'positive')
                   - count(*) FILTER (WHERE created_at >= $mid AND brand_sentiment = 'negative') AS net
            FROM ({OWN_MENTIONS}) GROUP BY brand""",
        {"brands": all_brands(client), "start": prev_start, "end": end, "mid": start},
    ).fetchall()
    counts = {brand: (mentions, previous, net) for brand, mentions, previous, net in rows}
    total = sum(c[0] for c in counts.values())
    own = set(own_brands(client))
    shares = []
    for name in all_brands(client):
        mentions, previous, net = counts.get(name, (0, 0, 0))
        shares.append(
            BrandShare(name, name in own, mentions, previous, mentions / total if total else 0.0,
                       net / mentions if mentions else None)
        )
    return sorted(shares, key=lambda s: (-s.mentions, not s.own, s.brand))


def themes(con: duckdb.DuckDBPyConnection, client: Client, week: IsoWeek) -> list[Theme]:
    """Theme counts this week against the mean of the previous four; emerging = one-sided Poisson test."""
    start, end = week.bounds(client)
    base_start, _ = week.shifted(-THEME_BASELINE_WEEKS).bounds(client)
    rows = con.execute(
        f"""SELECT theme,
                   count(DISTINCT id) FILTER (WHERE created_at >= $mid) AS now,
                   count(DISTINCT id) FILTER (WHERE created_at < $mid) AS before
            FROM ({OWN_MENTIONS}), unnest(themes) AS t(theme)
            GROUP BY theme""",
        {"brands": own_brands(client), "start": base_start, "end": end, "mid": start},
    ).fetchall()
    found = []
    for theme, now, before in rows:
        if not now:
            continue
        baseline = before / THEME_BASELINE_WEEKS
        # P(X >= now) under a Poisson with the baseline rate (half a post when the theme was absent).
        p_value = poisson.sf(now - 1, max(baseline, 0.5))
        found.append(Theme(theme, int(now), baseline, bool(now >= 3 and p_value < EMERGING_P_VALUE)))
    return sorted(found, key=lambda t: (not t.emerging, -t.mentions, t.theme))[: TOP * 2]


def _robust_threshold(history: list[float]) -> tuple[float, float]:
    centre = median(history)
    mad = median(abs(v - centre) for v in history)
    return centre, centre + SPIKE_MADS * max(1.4826 * mad, 1.0 if max(history) > 1 else 0.05)


def _signals_built(con: duckdb.DuckDBPyConnection) -> bool:
    """The signal tables are in use once a rebuild has run (an empty spikes table then means no spike)."""
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'signal_rebuilds'").fetchone()[0]
    return bool(exists) and con.execute("SELECT count(*) FROM signal_rebuilds").fetchone()[0] > 0


def spikes(con: duckdb.DuckDBPyConnection, client: Client, first: date, last: date,
           min_volume: int | None = None) -> list[Spike]:
    """Spikes of own-brand volume and negative share on the client's local days ``first``..``last``:
    from ``signal_spikes`` once the signals are built, else computed here from the core tables."""
    min_volume = client.alerts.min_volume if min_volume is None else min_volume
    if _signals_built(con):
        return _stored_spikes(con, client, first, last, min_volume)
    zone = client.zone
    hist_start = datetime.combine(first - timedelta(days=BASELINE_DAYS), time(), zone)
    end = datetime.combine(last + timedelta(days=1), time(), zone)
    rows = con.execute(
        f"""SELECT brand, (created_at AT TIME ZONE $zone)::DATE AS day, count(*) AS volume,
                   count(*) FILTER (WHERE brand_sentiment = 'negative') AS negative
            FROM ({OWN_MENTIONS}) GROUP BY ALL""",
        {"brands": own_brands(client), "start": hist_start, "end": end, "zone": client.timezone},
    ).fetchall()
    series: dict[str, dict[date, tuple[int, int]]] = {}
    for brand, day, volume, negative in rows:
        series.setdefault(brand, {})[day] = (volume, negative)
    found = []
    for brand, days in series.items():
        day = first
        while day <= last:
            volume, negative = days.get(day, (0, 0))
            history = [days.get(day - timedelta(days=i), (0, 0)) for i in range(1, BASELINE_DAYS + 1)]
            if volume >= min_volume:
                centre, threshold = _robust_threshold([float(v) for v, _ in history])
                if volume > threshold:
                    found.append(Spike(client.slug, brand, day, "volume", volume, centre, volume))
                shares = [n / v for v, n in history if v]
                if len(shares) >= 7:
                    centre, threshold = _robust_threshold(shares)
                    if negative / volume > threshold:
                        found.append(Spike(client.slug, brand, day, "negative", negative / volume, centre, volume))
            day += timedelta(days=1)
    return [_explain(con, client, spike) for spike in sorted(found, key=lambda s: (s.day, s.brand, s.kind))]


def _stored_spikes(con: duckdb.DuckDBPyConnection, client: Client, first: date, last: date,
                   min_volume: int) -> list[Spike]:
    rows = _rows(
        con,
        """SELECT * FROM signal_spikes
           WHERE client = $client AND list_contains($brands, brand) AND day BETWEEN $first AND $last
             AND mentions >= $min_volume
           ORDER BY day, brand, metric""",
        client=client.slug, brands=own_brands(client), first=first, last=last, min_volume=min_volume,
    )
    found = []
    for row in rows:
        posts = _rows(
            con,
            """SELECT p.*, coalesce(p.likes, 0) + coalesce(p.replies, 0) + coalesce(p.shares, 0) AS interactions,
                      (SELECT any_value(sentiment_label) FROM mentions m
                       WHERE m.post_id = p.id AND m.brand = $brand) AS brand_sentiment
               FROM posts p WHERE list_contains($ids, p.id)
               ORDER BY list_position($ids, p.id)""",
            ids=row["top_post_ids"][:3], brand=row["brand"],
        )
        kind = "negative" if row["metric"] == "negative_share" else "volume"
        found.append(Spike(client.slug, row["brand"], row["day"], kind, row["value"], row["baseline"],
                           row["mentions"], [_post_ref(p, client) for p in posts], list(row["top_terms"][:3])))
    return found


def _explain(con: duckdb.DuckDBPyConnection, client: Client, spike: Spike) -> Spike:
    """Attach the posts and themes that drove a spike: the day's most engaging posts and top themes."""
    start = datetime.combine(spike.day, time(), client.zone)
    params = {"brands": [spike.brand], "start": start, "end": start + timedelta(days=1)}
    sentiment = "AND brand_sentiment = 'negative'" if spike.kind == "negative" else ""
    posts = _rows(con, f"SELECT * FROM ({OWN_MENTIONS}) WHERE true {sentiment} "
                       "ORDER BY interactions DESC, created_at LIMIT 3", **params)
    terms = con.execute(
        f"""SELECT theme FROM ({OWN_MENTIONS}) , unnest(themes) AS t(theme) WHERE true {sentiment}
            GROUP BY theme ORDER BY count(*) DESC, theme LIMIT 3""",
        params,
    ).fetchall()
    return Spike(**{**spike.__dict__, "posts": [_post_ref(r, client) for r in posts],
                    "terms": [t for (t,) in terms]})


def relationship(con: duckdb.DuckDBPyConnection, client: Client, week: IsoWeek, now: datetime) -> Relationship:
    start, end = week.bounds(client)
    params = {"brands": own_brands(client), "start": start, "end": end, "handles": own_handles(client),
              "intents": ASKING_INTENTS}
    rows = _rows(
        con,
        f"""WITH asked AS (
                SELECT DISTINCT ON (id) * FROM ({OWN_MENTIONS})
                WHERE len(list_intersect(intents, $intents)) > 0
                  AND NOT list_contains($handles, lower(coalesce(author_handle, '')))
                ORDER BY id
            )
            SELECT a.*, min(r.created_at) AS first_reply_at
            FROM asked a
            LEFT JOIN posts r ON r.parent_id = a.id AND list_contains($handles, lower(r.author_handle))
            GROUP BY ALL ORDER BY a.created_at""",
        **params,
    )
    waits = [r["first_reply_at"] - r["created_at"] for r in rows if r["first_reply_at"] is not None]
    waits.sort()
    unanswered = [r for r in rows if r["first_reply_at"] is None]
    return Relationship(
        asked=len(rows),
        answered=len(waits),
        median_response=median(waits) if waits else None,
        p90_response=waits[min(len(waits) - 1, int(0.9 * len(waits)))] if waits else None,
        oldest_unanswered=[Waiting(_post_ref(r, client), now - r["created_at"]) for r in unanswered[:TOP]],
    )


def carriers(con: duckdb.DuckDBPyConnection, client: Client, week: IsoWeek) -> list[Carrier]:
    start, end = week.bounds(client)
    rows = con.execute(
        f"""WITH own AS (SELECT DISTINCT ON (id) * FROM ({OWN_MENTIONS}) ORDER BY id),
            reactions AS (
                SELECT o.id, coalesce(r.author_id, r.author_handle) AS reactor
                FROM own o JOIN posts r
                  ON o.id IN (r.parent_id, r.quoted_id, r.reposted_id)
                WHERE coalesce(r.author_id, r.author_handle) IS DISTINCT FROM coalesce(o.author_id, o.author_handle)
                  AND NOT list_contains($handles, lower(coalesce(r.author_handle, '')))
            )
            SELECT coalesce(o.author_handle, o.author_name) AS author, any_value(o.author_name),
                   max(o.author_followers), count(DISTINCT o.id), count(DISTINCT x.reactor) AS participants
            FROM own o LEFT JOIN reactions x ON x.id = o.id
            WHERE NOT list_contains($handles, lower(coalesce(o.author_handle, '')))
            GROUP BY 1 HAVING participants > 0
            ORDER BY participants DESC, 4 DESC, author LIMIT $top""",
        {"brands": own_brands(client), "start": start, "end": end, "handles": own_handles(client), "top": TOP},
    ).fetchall()
    return [Carrier(a, n, f, int(p), int(c)) for a, n, f, p, c in rows]


def notable_posts(con: duckdb.DuckDBPyConnection, client: Client, week: IsoWeek, sentiment: str) -> list[PostRef]:
    start, end = week.bounds(client)
    rows = _rows(
        con,
        f"""SELECT * FROM ({OWN_MENTIONS}) WHERE brand_sentiment = $sentiment
            ORDER BY interactions DESC, created_at DESC LIMIT 3""",
        brands=own_brands(client), start=start, end=end, sentiment=sentiment,
    )
    return [_post_ref(r, client) for r in rows]


def load_week(con: duckdb.DuckDBPyConnection, client: Client, week: IsoWeek, now: datetime) -> WeekData:
    start, end = week.bounds(client)
    previous = week.shifted(-1).bounds(client)
    return WeekData(
        client=client,
        week=week,
        headline=headline(con, client, start, end),
        previous=headline(con, client, *previous),
        days=daily_volume(con, client, week),
        shares=brand_shares(con, client, week),
        themes=themes(con, client, week),
        spikes=spikes(con, client, week.days[0], week.days[-1]),
        relationship=relationship(con, client, week, now),
        carriers=carriers(con, client, week),
        positive_posts=notable_posts(con, client, week, "positive"),
        negative_posts=notable_posts(con, client, week, "negative"),
    )


def latest_full_week(con: duckdb.DuckDBPyConnection, client: Client) -> IsoWeek | None:
    """The last ISO week (client-local) that has ended and holds a mention of the client's brands."""
    last = con.execute(
        "SELECT max(p.created_at) FROM mentions m JOIN posts p ON p.id = m.post_id WHERE list_contains($b, m.brand)",
        {"b": all_brands(client)},
    ).fetchone()[0]
    if last is None:
        return None
    week = IsoWeek.containing(last.astimezone(client.zone).date())
    today = IsoWeek.containing(datetime.now(client.zone).date())
    return week if week < today else week.shifted(-1)
