"""Everything the report and the alerts read from the warehouse, in one module.

Reports read the signal layer's stable views (``signals/README.md``), so every figure a client sees is
the number a consultant gets from ``rete query`` on the same view: volume, sentiment and share of voice
from ``v_brand_weekly`` / ``v_brand_daily``, themes from ``v_interest_trends``, spikes from ``v_spikes``,
requests and answers from ``v_relationship_requests`` / ``v_relationship_queue``, carriers from
``v_network_carriers``. Only what no view holds (post text and links of notable posts, the first
collected post of a client) is read from the core tables.

Definitions are the signals' (each SQL file's header); in short, per client and client-local ISO week:
- a *mention* is a (post, brand) pair, posts by the client's own brand accounts not counted;
- net sentiment = (positive − negative) / mentions of the client's own brands;
- share of voice = own-brand mentions / mentions of own brands and competitors;
- a theme is *emerging* when the signal's Fisher exact test says so, and only when the warehouse holds the
  test's whole 28-day baseline (``HISTORY_DAYS``) before the week: earlier, the report says it cannot tell;
- a week-on-week change is shown only when collection had begun before the previous week started.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import duckdb

from rete.config import Client
from rete.post import web_url

TOP = 5
# interest_trends compares a 7-day window with the 28 days before it (D-34..D-7): the test is honest
# only when collection had begun by then.
HISTORY_DAYS = 35


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
    neutral: int  # neutral and mixed
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
    kind: str  # theme | hashtag
    term: str
    posts: int
    baseline: float | None  # weekly mean over the 4 weeks before; None when history is too short
    growth: float | None
    emerging: bool


@dataclass(frozen=True)
class Answer:
    """The first reply of one of the client's accounts to a request."""

    author: str
    after: timedelta


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
    answer: Answer | None = None


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
    waiting: int  # requests of the week and the three before still unanswered
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
    reach: int  # distinct other people in the cascades of their posts
    responders: int  # distinct other people who replied to, quoted or reposted them directly


@dataclass(frozen=True)
class WeekData:
    client: Client
    week: IsoWeek
    headline: Headline
    previous: Headline
    first_day: date | None  # client-local day of the first collected post
    previous_complete: bool  # collection had begun by the previous week's Monday: changes are meaningful
    history_complete: bool  # the 28-day theme baseline before the week is fully collected
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


def _rows(con: duckdb.DuckDBPyConnection, sql: str, **params: object) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def display_name(name: str | None, handle: str) -> str | None:
    """The author's name when it says more than the handle ("pastaiolo_torinese" beside @pastaiolo_torinese does not)."""
    return name if name and name.strip().lower() not in (handle.lower(), handle.lstrip("@").lower()) else None


def post_text(title: str | None, text: str | None) -> str:
    """Title and body; a title that only repeats the body's start (Reddit, RSS) is shown once."""
    title, text = (title or "").strip(), (text or "").strip()
    if title and text.startswith(title.rstrip(" .…")):
        return text
    return " ".join(filter(None, [title, text]))


def _post_ref(row: dict, client: Client, answer: Answer | None = None) -> PostRef:
    author = row.get("author_handle") or row.get("author_name") or "?"
    return PostRef(
        post_id=row["id"],
        created_at=row["created_at"].astimezone(client.zone),
        author=author,
        author_name=display_name(row.get("author_name"), author),
        text=post_text(row.get("title"), row.get("text")),
        # Checked again: rows stored before the post record refused other URLs may still hold one.
        url=web_url(row.get("url")),
        sentiment=row.get("brand_sentiment") or "neutral",
        engagement=int(row.get("interactions") or 0),
        answer=answer,
    )


# Posts by id, with the sentiment towards ``$brands`` and the first answer of a client's account when
# the post is a request; ``$ids`` keeps its order.
POSTS_BY_ID = """
    SELECT p.*, coalesce(p.likes, 0) + coalesce(p.replies, 0) + coalesce(p.shares, 0) AS interactions,
           (SELECT any_value(m.sentiment_label) FROM mentions m
            WHERE m.post_id = p.id AND list_contains($brands, m.brand)) AS brand_sentiment,
           a.author_handle AS answer_author, q.response_minutes
    FROM posts p
    LEFT JOIN (SELECT post_id, any_value(first_response_post_id) AS first_response_post_id,
                      min(response_minutes) AS response_minutes
               FROM v_relationship_requests WHERE client = $client AND answered GROUP BY post_id) q
           ON q.post_id = p.id
    LEFT JOIN posts a ON a.id = q.first_response_post_id
    WHERE list_contains($ids, p.id)
    ORDER BY list_position($ids, p.id)
"""


def _posts(con: duckdb.DuckDBPyConnection, client: Client, ids: list[str], brands: list[str]) -> list[PostRef]:
    if not ids:
        return []
    refs = []
    for row in _rows(con, POSTS_BY_ID, ids=ids, brands=brands, client=client.slug):
        answer = None
        if row["response_minutes"] is not None:
            answer = Answer(row["answer_author"] or "?", timedelta(minutes=float(row["response_minutes"])))
        refs.append(_post_ref(row, client, answer))
    return refs


def first_data_day(con: duckdb.DuckDBPyConnection, client: Client) -> date | None:
    """The client-local day of the first collected post mentioning any of the client's brands: before it,
    "no posts" means "not collected", not zero. Days, like the signals: that day counts as covered."""
    first = con.execute(
        "SELECT min(p.created_at) FROM mentions m JOIN posts p ON p.id = m.post_id WHERE list_contains($b, m.brand)",
        {"b": all_brands(client)},
    ).fetchone()[0]
    return first.astimezone(client.zone).date() if first is not None else None


def headline(con: duckdb.DuckDBPyConnection, client: Client, week: IsoWeek) -> Headline:
    """Own brands' week from v_brand_weekly (authors are summed per brand), competitors' mentions, and
    the engagement of the own-brand posts (v_brand_daily has it per post: times mentions = the sum)."""
    row = con.execute(
        """SELECT coalesce(sum(mentions) FILTER (WHERE role = 'own'), 0),
                  coalesce(sum(unique_authors) FILTER (WHERE role = 'own'), 0),
                  coalesce(sum(positive) FILTER (WHERE role = 'own'), 0),
                  coalesce(sum(negative) FILTER (WHERE role = 'own'), 0),
                  coalesce(sum(mentions) FILTER (WHERE role = 'competitor'), 0)
           FROM v_brand_weekly WHERE client = $client AND week = $week""",
        {"client": client.slug, "week": week.monday},
    ).fetchone()
    engagement = con.execute(
        """SELECT coalesce(round(sum(engagement_per_post * mentions)), 0) FROM v_brand_daily
           WHERE client = $client AND role = 'own' AND day BETWEEN $first AND $last""",
        {"client": client.slug, "first": week.days[0], "last": week.days[-1]},
    ).fetchone()[0]
    mentions, authors, positive, negative, competitors = (int(v) for v in row)
    return Headline(mentions, authors, positive, negative, int(engagement), competitors)


def daily_volume(con: duckdb.DuckDBPyConnection, client: Client, week: IsoWeek) -> list[DayVolume]:
    rows = con.execute(
        """SELECT day, sum(positive), sum(neutral + mixed), sum(negative) FROM v_brand_daily
           WHERE client = $client AND role = 'own' AND day BETWEEN $first AND $last GROUP BY day""",
        {"client": client.slug, "first": week.days[0], "last": week.days[-1]},
    ).fetchall()
    by_day = {row[0]: tuple(int(v) for v in row[1:]) for row in rows}
    return [DayVolume(day, *by_day.get(day, (0, 0, 0))) for day in week.days]


def brand_shares(con: duckdb.DuckDBPyConnection, client: Client, week: IsoWeek) -> list[BrandShare]:
    rows = con.execute(
        """SELECT brand, week, mentions, share_of_voice, net_sentiment FROM v_brand_weekly
           WHERE client = $client AND week IN ($week, $week - 7)""",
        {"client": client.slug, "week": week.monday},
    ).fetchall()
    this = {brand: (mentions, share, net) for brand, w, mentions, share, net in rows if w == week.monday}
    before = {brand: mentions for brand, w, mentions, _, _ in rows if w != week.monday}
    own = set(own_brands(client))
    shares = []
    for name in all_brands(client):
        mentions, share, net = this.get(name, (0, 0.0, None))
        shares.append(BrandShare(name, name in own, int(mentions), int(before.get(name, 0)), share, net))
    return sorted(shares, key=lambda s: (-s.mentions, not s.own, s.brand))


def themes(con: duckdb.DuckDBPyConnection, client: Client, week: IsoWeek, history_complete: bool) -> list[Theme]:
    """The week's themes (v_interest_daily) with the trend test of the 7-day window ending on Sunday
    (v_interest_trends: Monday..Sunday) and, when the baseline is fully collected, the hashtags that test
    calls emerging. A Sunday without posts has no trend row: the counts stand, untested."""
    rows = con.execute(
        """WITH week AS (
               SELECT kind, term, sum(posts) AS posts FROM v_interest_daily
               WHERE client = $client AND day BETWEEN $monday AND $sunday GROUP BY ALL
           )
           SELECT w.kind, w.term, w.posts, t.baseline_28d, t.growth, coalesce(t.emerging, false) AS emerging
           FROM week w
           LEFT JOIN v_interest_trends t
                  ON t.client = $client AND t.day = $sunday AND t.kind = w.kind AND t.term = w.term
           WHERE w.kind = 'theme' OR (t.emerging AND $tested)
           ORDER BY emerging AND $tested DESC, w.kind DESC, w.posts DESC, w.term LIMIT $limit""",
        {"client": client.slug, "monday": week.monday, "sunday": week.days[-1], "tested": history_complete,
         "limit": TOP * 2},
    ).fetchall()
    return [
        Theme(kind, term, int(posts),
              baseline / 4 if history_complete and baseline is not None else None,
              growth if history_complete else None, bool(emerging) and history_complete)
        for kind, term, posts, baseline, growth, emerging in rows
    ]


def spikes(con: duckdb.DuckDBPyConnection, client: Client, first: date, last: date,
           min_volume: int | None = None) -> list[Spike]:
    """Spikes of the client's own brands on local days ``first``..``last`` (v_spikes), with the posts and
    terms that drove them; ``min_volume`` (default: the client's alert setting) on top of the signal's."""
    min_volume = client.alerts.min_volume if min_volume is None else min_volume
    rows = _rows(
        con,
        """SELECT * FROM v_spikes
           WHERE client = $client AND list_contains($brands, brand) AND day BETWEEN $first AND $last
             AND mentions >= $min_volume
           ORDER BY day, brand, metric""",
        client=client.slug, brands=own_brands(client), first=first, last=last, min_volume=min_volume,
    )
    return [
        Spike(client.slug, row["brand"], row["day"], "negative" if row["metric"] == "negative_share" else "volume",
              row["value"], row["baseline"], row["mentions"],
              _posts(con, client, list(row["top_post_ids"][:3]), [row["brand"]]), list(row["top_terms"][:3]))
        for row in rows
    ]


def relationship(con: duckdb.DuckDBPyConnection, client: Client, week: IsoWeek, now: datetime) -> Relationship:
    """Requests to the client's own brands made during the week and how they were answered (so far), and
    the requests of the week and the three before it still waiting at ``now``, oldest first."""
    params = {"client": client.slug, "first": week.days[0], "last": week.days[-1]}
    asked, answered, median_minutes, p90_minutes = con.execute(
        """SELECT count(DISTINCT post_id), count(DISTINCT post_id) FILTER (WHERE answered),
                  quantile_cont(response_minutes, 0.5), quantile_cont(response_minutes, 0.9)
           FROM v_relationship_requests
           WHERE client = $client AND role = 'own' AND day BETWEEN $first AND $last""",
        params,
    ).fetchone()
    queue = con.execute(
        """SELECT post_id, min(created_at) AS asked_at FROM v_relationship_queue
           WHERE client = $client AND day BETWEEN $first - 21 AND $last
           GROUP BY post_id ORDER BY asked_at, post_id""",
        params,
    ).fetchall()
    waiting = queue[:TOP]
    posts = {p.post_id: p for p in _posts(con, client, [post_id for post_id, _ in waiting], own_brands(client))}
    return Relationship(
        asked=int(asked),
        answered=int(answered),
        median_response=timedelta(minutes=median_minutes) if median_minutes is not None else None,
        p90_response=timedelta(minutes=p90_minutes) if p90_minutes is not None else None,
        waiting=len(queue),
        oldest_unanswered=[Waiting(posts[post_id], now - asked_at) for post_id, asked_at in waiting],
    )


def carriers(con: duckdb.DuckDBPyConnection, client: Client, week: IsoWeek) -> list[Carrier]:
    """The week's top carriers (v_network_carriers) other than the client's own accounts, with the name
    and follower count of their latest post."""
    rows = con.execute(
        """WITH top AS (
               SELECT author, posts, cascade_reach, direct_responders, rank FROM v_network_carriers
               WHERE client = $client AND week = $week AND cascade_reach > 0
                 AND NOT list_contains($handles, author)
               ORDER BY rank LIMIT $top
           ),
           profiles AS (
               SELECT lower(author_handle) AS author, arg_max(author_name, created_at) AS name,
                      arg_max(author_followers, created_at) AS followers
               FROM posts WHERE list_contains((SELECT list(author) FROM top), lower(author_handle))
               GROUP BY 1
           )
           SELECT t.author, p.name, p.followers, t.posts, t.cascade_reach, t.direct_responders
           FROM top t LEFT JOIN profiles p USING (author) ORDER BY t.rank""",
        {"client": client.slug, "week": week.monday, "handles": own_handles(client), "top": TOP},
    ).fetchall()
    return [Carrier(a, display_name(n, a), f, int(p), int(r), int(d)) for a, n, f, p, r, d in rows]


def notable_posts(con: duckdb.DuckDBPyConnection, client: Client, week: IsoWeek, sentiment: str) -> list[PostRef]:
    """The week's most engaging posts with this sentiment towards the client's brands, the client's own
    accounts left out (their answers are in the relationship section)."""
    start, end = week.bounds(client)
    ids = [post_id for (post_id,) in con.execute(
        """SELECT p.id FROM posts p
           WHERE p.created_at >= $start AND p.created_at < $end
             AND NOT list_contains($handles, lower(coalesce(p.author_handle, '')))
             AND EXISTS (SELECT 1 FROM mentions m WHERE m.post_id = p.id AND list_contains($brands, m.brand)
                         AND m.sentiment_label = $sentiment)
           ORDER BY coalesce(p.likes, 0) + coalesce(p.replies, 0) + coalesce(p.shares, 0) DESC,
                    p.created_at DESC, p.id LIMIT 3""",
        {"start": start, "end": end, "handles": own_handles(client), "brands": own_brands(client),
         "sentiment": sentiment},
    ).fetchall()]
    return _posts(con, client, ids, own_brands(client))


def load_week(con: duckdb.DuckDBPyConnection, client: Client, week: IsoWeek, now: datetime) -> WeekData:
    first = first_data_day(con, client)
    previous_complete = first is not None and first <= week.shifted(-1).monday
    history_complete = first is not None and first <= week.days[-1] - timedelta(days=HISTORY_DAYS - 1)
    return WeekData(
        client=client,
        week=week,
        headline=headline(con, client, week),
        previous=headline(con, client, week.shifted(-1)),
        first_day=first,
        previous_complete=previous_complete,
        history_complete=history_complete,
        days=daily_volume(con, client, week),
        shares=brand_shares(con, client, week),
        themes=themes(con, client, week, history_complete),
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
