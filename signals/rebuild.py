"""Incremental rebuild of the signal tables (the SQL files listed in signals.catalog).

Scope of a rebuild, built as temp tables the SQL files read:
- the UTC days to rebuild: the given ``days`` plus everything in pending_signal_days;
- rebuild_days(client, day): each client's local days those UTC days overlap, plus the local days
  of posts whose coordinated flag changed;
- rebuild_day_bounds(client, day, lo, hi, utc_day): each rebuilt local day as UTC instants [lo, hi),
  once per UTC day number (days since 1970) it overlaps, so that a post's local day comes from an
  equi-join on its UTC day number and a comparison of instants (a time-zone conversion per post is
  slow, and a pure range join must hold all posts in memory);
- rebuild_bounds(client, lo, hi): UTC instants around rebuild_days, to read posts by created_at;
- history_days(client, day): rebuild_days plus the HORIZON_DAYS days after each (up to the client's
  last day with data or with a trend row), and the days without posts just before them (since the
  client's last day with posts, up to HORIZON_DAYS after it), for signals whose baseline looks back
  (participation, interest, spikes): the days a full rebuild gives rows;
- history_day_bounds(client, day, lo, hi): each history day as UTC instants [lo, hi);
- rebuild_weeks(client, week): the Monday of every client-local ISO week containing a rebuilt day
  (the network adds the weeks of older links to a post stored late: see network_links.sql);
- looked_up_posts(id, created_at, author): the stored posts that the signals look up by id, whatever
  their age: the rebuilt range's reply, quote and repost targets (network_links.sql) and the
  conversation roots of the history days' mentions (participation_daily.sql); see _look_up_posts.
The same scopes are also set as DuckDB variables, the overall range across clients:
rebuild_lo/rebuild_hi and history_lo/history_hi (UTC instants), rebuild_first_day/rebuild_last_day
and history_first_day/history_last_day (local days). The SQL files repeat them as plain range
predicates next to their joins with the temp tables: DuckDB skips a table's row groups by their
min/max only for predicates against constants (getvariable() is one, folded when a query is
bound), so the daily update reads the new days' row groups instead of whole tables. The large
per-post tables are inserted in time order to keep those row groups' ranges narrow.
Each signal DELETEs and re-INSERTs exactly its scope, all in one transaction with the removal of
the consumed pending days: a failed rebuild leaves the pending days for the next run, and a rerun
produces the same rows.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
from scipy.stats import fisher_exact

from signals.bulk import insert_rows
from signals.catalog import signals
from signals.network import rebuild_network
from signals.search import refresh_index
from signals.warehouse import Warehouse

log = logging.getLogger(__name__)

# Longest look-back of any signal (spikes: 8 weeks of same-weekday baseline).
HORIZON_DAYS = 56
# Posts looked up by id (_look_up_posts) are first read from this many days before the rebuilt range
# on (most replies and quotes come within hours of their target); only the ids not found there are
# looked up in the whole table: through the primary-key index up to MAX_INDEXED_IDS ids (bound
# parameters beat the scan of the id column only below a few hundred: bench/bench_id_lookup.py),
# else by one scan.
RECENT_LOOKUP_DAYS = 7
MAX_INDEXED_IDS = 200
# interest_trends: tested when the baseline has this many posts, on this many of its 28 days (a week's
# worth): against a warehouse's or a new client's first two or three days, every term of an ordinary week
# would look emerging. Then the emerging thresholds.
MIN_BASELINE_POSTS = 30
MIN_BASELINE_DAYS = 7
MIN_EMERGING_POSTS = 5
MIN_EMERGING_GROWTH = 2.0
EMERGING_P_VALUE = 0.01


@dataclass
class RebuildSummary:
    utc_days: list[date] = field(default_factory=list)
    local_days: int = 0
    history_days: int = 0
    weeks: int = 0
    seconds: float = 0.0
    step_seconds: dict[str, float] = field(default_factory=dict)

    # Why every day was recomputed, when it was (the signal code or the clients' settings changed).
    everything_because: str | None = None

    def __str__(self) -> str:
        if not self.utc_days:
            return "signals: nothing to rebuild"
        why = f" (every day: {self.everything_because})" if self.everything_because else ""
        return (f"signals: rebuilt {self.local_days} client-days ({self.history_days} with history) and "
                f"{self.weeks} client-weeks from {len(self.utc_days)} UTC days "
                f"{self.utc_days[0]}..{self.utc_days[-1]}{why} in {self.seconds:.1f}s")


def rebuild_signals(warehouse: Warehouse, days: set[date] | None = None, *,
                    refresh_search: bool = True) -> RebuildSummary:
    """Rebuild the signals of ``days`` (UTC dates) and of every pending day, in one transaction."""
    started = time.monotonic()
    with warehouse.write() as con:
        con.execute("SET enable_progress_bar = false")
        con.execute("BEGIN TRANSACTION")
        try:
            fingerprint = signals_fingerprint(con)
            everything_because = _changed_since_last_rebuild(con, fingerprint)
            if everything_because:
                _forget_removed_clients(con)
                days = set(days or ()) | _stored_post_days(con)
            summary = _rebuild(con, set(days or ()))
            summary.everything_because = everything_because
            if summary.utc_days:
                summary.seconds = time.monotonic() - started
                con.execute(
                    "INSERT INTO signal_rebuilds VALUES (now(), ?, ?, ?, ?, ?, ?)",
                    [summary.utc_days, summary.local_days, summary.history_days, summary.weeks, summary.seconds,
                     fingerprint],
                )
            committing = time.monotonic()
            con.execute("COMMIT")
            summary.step_seconds["commit"] = time.monotonic() - committing
        except BaseException:
            con.execute("ROLLBACK")
            raise
        if summary.utc_days and refresh_search:
            refresh_index(con)
    summary.seconds = time.monotonic() - started
    log.info("%s", summary)
    return summary


def all_post_days(warehouse: Warehouse) -> set[date]:
    """Every UTC day holding a post: the scope of a full rebuild."""
    with warehouse.read() as con:
        return _stored_post_days(con)


def _stored_post_days(con: duckdb.DuckDBPyConnection) -> set[date]:
    return {row[0] for row in con.execute("SELECT DISTINCT CAST(created_at AS DATE) FROM posts").fetchall()}


# What the signals are computed from besides the posts and their enrichments (which queue their own days).
SIGNAL_CODE = ("*.sql", "rebuild.py", "network.py")
CLIENT_SETTINGS = ("clients", "client_brands")


def signals_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """A digest of the signal code and of the clients' settings as the loader last synced them."""
    digest = hashlib.sha256()
    folder = Path(__file__).parent
    for path in sorted(found for pattern in SIGNAL_CODE for found in folder.glob(pattern)):
        digest.update(f"{path.name}\0".encode())
        digest.update(path.read_bytes())
    for table in CLIENT_SETTINGS:
        digest.update(repr(con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()).encode())
    return digest.hexdigest()


def _changed_since_last_rebuild(con: duckdb.DuckDBPyConnection, fingerprint: str) -> str | None:
    """Why the stored signals are stale as a whole, or None (also for a warehouse never rebuilt: its
    loads queued every day they touched)."""
    last = con.execute("SELECT fingerprint FROM signal_rebuilds ORDER BY rebuilt_at DESC LIMIT 1").fetchone()
    if last is None or last[0] == fingerprint:
        return None
    reason = "the signal code or the clients' settings changed since the last rebuild"
    log.info("%s: recomputing every day", reason)
    return reason


def _forget_removed_clients(con: duckdb.DuckDBPyConnection) -> None:
    """Delete the signal rows of clients no longer in workspace.yaml: a rebuild only rewrites the clients
    it knows, so theirs would stay in the views and reports forever."""
    tables = [row[0] for row in con.execute("""
        SELECT c.table_name FROM information_schema.columns c
        JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.column_name = 'client' AND t.table_type = 'BASE TABLE' AND starts_with(c.table_name, 'signal_')
        ORDER BY 1
    """).fetchall()]
    for table in tables:  # names from the catalog, not from input
        con.execute(f"DELETE FROM {table} WHERE client NOT IN (SELECT client FROM clients)")


def _rebuild(con: duckdb.DuckDBPyConnection, days: set[date]) -> RebuildSummary:
    pending = {row[0] for row in con.execute("SELECT day FROM pending_signal_days").fetchall()}
    utc_days = sorted(days | pending)
    summary = RebuildSummary(utc_days=utc_days)
    if not utc_days:
        return summary
    con.execute("CREATE OR REPLACE TEMP TABLE rebuild_utc_days (day DATE)")
    insert_rows(con, "rebuild_utc_days", [(d,) for d in utc_days])
    # The client-local days a UTC day overlaps: those of its first and last instant (a day spans at
    # most two local days in any zone).
    con.execute("""
        CREATE OR REPLACE TEMP TABLE rebuild_days AS
        SELECT DISTINCT c.client, CAST(timezone(c.timezone, CAST(u.day AS TIMESTAMPTZ) + e.edge) AS DATE) AS day
        FROM clients c, rebuild_utc_days u,
             (VALUES (INTERVAL 0 SECOND), (INTERVAL 1 DAY - INTERVAL 1 MICROSECOND)) e(edge)
    """)
    _bounds(con)
    catalog = signals()
    step = _stopwatch(summary)
    con.execute(catalog["coordinated_content"].sql)
    step("coordinated_content")
    # A post that became (or stopped being) coordinated changes the interest counts of its own day.
    con.execute("""
        INSERT INTO rebuild_days
        SELECT DISTINCT c.client, CAST(timezone(c.timezone, x.created_at) AS DATE)
        FROM coordinated_changed x, clients c
        EXCEPT SELECT client, day FROM rebuild_days
    """)
    _bounds(con)
    con.execute(catalog["mention_facts"].sql)
    step("mention_facts")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE history_days AS
        WITH last_days AS (
            -- only a last day after a rebuilt day extends the history: read the days from there on.
            -- Trend rows also exist for days without posts (a full rebuild writes every local day a
            -- UTC day overlaps, and a window trails its day): those days are refreshed too.
            SELECT client, max(day) AS last_day FROM (
                SELECT client, day FROM signal_mention_facts WHERE day >= getvariable('rebuild_first_day')
                UNION ALL
                SELECT client, day FROM signal_interest_trends WHERE day >= getvariable('rebuild_first_day')
            ) GROUP BY client
        )
        , quiet_spells AS (
            -- before each rebuilt day, the days without posts since the client's last day with posts:
            -- a full rebuild writes their trailing-window rows (as that day's history), so the first
            -- update after a quiet spell writes them too. The per-day post counts are a small table.
            SELECT r.client, p.day AS day_before, r.day AS rebuilt
            FROM (SELECT DISTINCT client, day FROM rebuild_days) r
            ASOF JOIN signal_client_posts_daily p ON p.client = r.client AND p.day < r.day
        )
        SELECT DISTINCT r.client, r.day + CAST(n.n AS INTEGER) AS day
        FROM rebuild_days r
        CROSS JOIN range(0, {HORIZON_DAYS + 1}) n(n)
        LEFT JOIN last_days l USING (client)
        WHERE n.n = 0 OR r.day + CAST(n.n AS INTEGER) <= l.last_day
        UNION
        SELECT q.client, q.day_before + CAST(n.n AS INTEGER)
        FROM quiet_spells q CROSS JOIN range(1, {HORIZON_DAYS + 1}) n(n)
        WHERE q.day_before + CAST(n.n AS INTEGER) < q.rebuilt
    """)
    con.execute("SET VARIABLE history_first_day = (SELECT min(day) FROM history_days)")
    con.execute("SET VARIABLE history_last_day = (SELECT max(day) FROM history_days)")
    con.execute(f"CREATE OR REPLACE TEMP TABLE history_day_bounds AS {_local_day_bounds('history_days')}")
    con.execute("SET VARIABLE history_lo = (SELECT min(lo) FROM history_day_bounds)")
    con.execute("SET VARIABLE history_hi = (SELECT max(hi) FROM history_day_bounds)")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE rebuild_weeks AS
        SELECT DISTINCT client, CAST(date_trunc('week', day) AS DATE) AS week FROM rebuild_days
    """)
    _look_up_posts(con)
    step("lookups")
    for name, signal in catalog.items():
        if name in ("coordinated_content", "mention_facts", "network"):
            continue
        con.execute(signal.sql)
        if name == "interest_trends":
            _test_emerging(con)
        step(name)
    rebuild_network(con)
    step("network")
    con.execute("DELETE FROM pending_signal_days WHERE day IN (SELECT day FROM rebuild_utc_days)")
    summary.local_days, summary.history_days, summary.weeks = (
        con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("rebuild_days", "history_days", "rebuild_weeks")
    )
    return summary


def _stopwatch(summary: RebuildSummary):
    """Record the seconds since the previous call under a step's name (for logs and the bench)."""
    last = [time.monotonic()]

    def step(name: str) -> None:
        now = time.monotonic()
        summary.step_seconds[name] = now - last[0]
        last[0] = now

    return step


def _local_day_bounds(days_table: str) -> str:
    """A query giving each (client, day) of ``days_table`` as UTC instants [lo, hi). A local day runs
    from its midnight to the next one; consecutive days share that instant, so the days tile time
    without gaps or overlaps, as the local date of each instant would. Per day, never per post: a
    named time zone costs an ICU conversion a call."""
    return f"""
        SELECT d.client, d.day, timezone(c.timezone, CAST(d.day AS TIMESTAMP)) AS lo,
               timezone(c.timezone, CAST(d.day + 1 AS TIMESTAMP)) AS hi
        FROM {days_table} d JOIN clients c USING (client)
    """


def _bounds(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE rebuild_day_bounds AS
        WITH bounds AS ({_local_day_bounds('rebuild_days')})
        SELECT *, unnest(range(epoch_us(lo) // 86400000000, (epoch_us(hi) - 1) // 86400000000 + 1)) AS utc_day
        FROM bounds
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE rebuild_bounds AS
        SELECT client, min(lo) AS lo, max(hi) AS hi FROM rebuild_day_bounds GROUP BY client
    """)
    con.execute("SET VARIABLE rebuild_lo = (SELECT min(lo) FROM rebuild_bounds)")
    con.execute("SET VARIABLE rebuild_hi = (SELECT max(hi) FROM rebuild_bounds)")
    con.execute("SET VARIABLE rebuild_first_day = (SELECT min(day) FROM rebuild_days)")
    con.execute("SET VARIABLE rebuild_last_day = (SELECT max(day) FROM rebuild_days)")


def _look_up_posts(con: duckdb.DuckDBPyConnection) -> None:
    """Fill looked_up_posts with the stored posts among the ids the signals look up (see the module
    docstring). Targets and roots can be of any age, and a hash join on id reads the id column of
    the whole posts table; most of them are recent, so they are read by time range first, and the
    rest, usually a few old posts and targets never stored, by the primary-key index. An id is
    stored at most once, so the result is that of one join with the whole table. This step is
    Python, not a SQL file, because DuckDB scans the index only for an IN list of constants (here
    bound parameters), which a query cannot build from a table."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE wanted_posts AS
        SELECT DISTINCT id FROM (
            SELECT unnest([parent_id, quoted_id, reposted_id]) AS id FROM posts
            WHERE created_at >= getvariable('rebuild_lo') AND created_at < getvariable('rebuild_hi')
            UNION ALL
            SELECT f.thread_id FROM signal_mention_facts f JOIN history_days h USING (client, day)
            WHERE NOT f.by_brand_account
              AND f.day BETWEEN getvariable('history_first_day') AND getvariable('history_last_day')
        )
        WHERE id IS NOT NULL
    """)
    found = "SELECT id, created_at, coalesce(lower(author_handle), author_id, id) AS author FROM posts"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE looked_up_posts AS
        {found}
        WHERE created_at >= getvariable('rebuild_lo') - INTERVAL {RECENT_LOOKUP_DAYS} DAY
          AND created_at < getvariable('history_hi')
          AND id IN (SELECT id FROM wanted_posts)
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE older_wanted_posts AS
        SELECT id FROM wanted_posts ANTI JOIN looked_up_posts USING (id)
    """)
    older = con.execute(f"SELECT id FROM older_wanted_posts LIMIT {MAX_INDEXED_IDS + 1}").fetchall()
    if len(older) > MAX_INDEXED_IDS:
        con.execute(f"INSERT INTO looked_up_posts {found} WHERE id IN (SELECT id FROM older_wanted_posts)")
    elif older:
        # bound parameters, never the ids in the SQL text: they come from the sources
        placeholders = ", ".join("?" * len(older))
        con.execute(f"INSERT INTO looked_up_posts {found} WHERE id IN ({placeholders})", [row[0] for row in older])


def _test_emerging(con: duckdb.DuckDBPyConnection) -> None:
    """Fill p_value / emerging of interest_trends rows in history_days (test stated in its header)."""
    rows = con.execute(
        """
        WITH baseline_days AS (
            -- the days of the baseline window D-34..D-7 holding posts of the client
            SELECT h.client, h.day, count(*) AS days
            FROM history_days h
            JOIN signal_client_posts_daily c ON c.client = h.client AND c.day BETWEEN h.day - 34 AND h.day - 7
            WHERE c.posts > 0
            GROUP BY ALL
        )
        SELECT t.client, t.day, t.kind, t.term, t.posts_7d, t.total_7d, t.growth,
               t.baseline_28d, t.baseline_total_28d
        FROM signal_interest_trends t JOIN baseline_days b USING (client, day)
        WHERE t.baseline_total_28d >= $posts AND t.posts_7d >= $emerging_posts AND b.days >= $days
        """,
        {"posts": MIN_BASELINE_POSTS, "emerging_posts": MIN_EMERGING_POSTS, "days": MIN_BASELINE_DAYS},
    ).fetchall()
    tested = []
    for client, day, kind, term, posts, total, growth, baseline, baseline_total in rows:
        # Both shares are estimates: the baseline's too, which matters while history is short.
        table = [[posts, total - posts], [baseline, baseline_total - baseline]]
        p_value = float(fisher_exact(table, alternative="greater").pvalue)
        emerging = bool(p_value < EMERGING_P_VALUE and growth >= MIN_EMERGING_GROWTH)
        tested.append((client, day, kind, term, p_value, emerging))
    if tested:
        con.execute("CREATE OR REPLACE TEMP TABLE emerging_tests (client VARCHAR, day DATE, kind VARCHAR, "
                    "term VARCHAR, p_value DOUBLE, emerging BOOLEAN)")
        insert_rows(con, "emerging_tests", tested)
        con.execute("""
            UPDATE signal_interest_trends t SET p_value = e.p_value, emerging = e.emerging
            FROM emerging_tests e
            WHERE t.client = e.client AND t.day = e.day AND t.kind = e.kind AND t.term = e.term
        """)
