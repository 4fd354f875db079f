"""The weekly network signal (see network.sql for its meaning): interactions come from SQL, graph
measures from networkx. The per-post links (network_links.sql) are refreshed for the rebuilt time
range only; network.sql then reads the links of every rebuilt week by time range, in one pass."""

from __future__ import annotations

from collections import defaultdict

import duckdb
import networkx as nx

from signals.bulk import insert_rows
from signals.catalog import signal, sql_file

TOP_CARRIERS = 100
TOP_BRIDGES = 50
BETWEENNESS_PIVOTS = 200
SEED = 42  # community detection and sampled betweenness are randomised: fix them so reruns agree
NETWORK_TABLES = ("signal_network_carriers", "signal_network_bridges", "signal_network_edges")
INSERT_BATCH = 100_000  # measured rows held before they are written (a full rebuild has many weeks)
WEEK_LINKS = """
    SELECT post_id, author, kind, target_id, target_author FROM network_week_links
    WHERE client = ? AND week = ? ORDER BY post_id, kind, target_author
"""


def rebuild_network(con: duckdb.DuckDBPyConnection) -> int:
    """Recompute every (client, week) in the temp table rebuild_weeks; returns the weeks done."""
    con.execute(sql_file("network_links"))
    con.execute(signal("network").sql)
    for table in NETWORK_TABLES:
        con.execute(f"DELETE FROM {table} t USING rebuild_weeks r WHERE t.client = r.client AND t.week = r.week")
    weeks = con.execute("SELECT client, week FROM rebuild_weeks ORDER BY client, week").fetchall()
    measured: dict[str, list[tuple]] = {table: [] for table in NETWORK_TABLES}
    for n, (client, week) in enumerate(weeks, start=1):
        for table, found in zip(NETWORK_TABLES, measure_week(con.execute(WEEK_LINKS, [client, week]).fetchall())):
            measured[table].extend((client, week, *row) for row in found)
        if n == len(weeks) or sum(map(len, measured.values())) >= INSERT_BATCH:
            for table, rows in measured.items():
                insert_rows(con, table, rows)
                rows.clear()
    return len(weeks)


def measure_week(rows: list[tuple]) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """From (post_id, author, kind, target_post_id, target_author) rows, in that order, to carriers,
    bridges and edges (the order of NETWORK_TABLES)."""
    post_author: dict[str, str] = {}
    cascade = nx.DiGraph()  # responded-to post -> responding post
    authors = nx.Graph()  # only authors with an interaction: the isolated ones cannot be bridges
    edge_weights: dict[tuple[str, str, str], int] = defaultdict(int)
    for post_id, author, kind, target_id, target_author in rows:
        post_author[post_id] = author
        cascade.add_node(post_id)
        if target_id is not None:
            cascade.add_edge(target_id, post_id)
            if target_author is not None:
                post_author.setdefault(target_id, target_author)
        if target_author is not None and target_author != author:
            edge_weights[(author, target_author, kind)] += 1
            previous = authors.get_edge_data(author, target_author, {"weight": 0})["weight"]
            authors.add_edge(author, target_author, weight=previous + 1)

    reach: dict[str, set[str]] = defaultdict(set)
    direct: dict[str, set[str]] = defaultdict(set)
    posts_by: dict[str, int] = defaultdict(int)
    for post_id, author in post_author.items():
        posts_by[author] += 1
        if cascade.out_degree(post_id):  # most posts set nothing off: skip the graph walk
            reach[author] |= {post_author.get(d) for d in nx.descendants(cascade, post_id)}
            direct[author] |= {post_author.get(d) for d in cascade.successors(post_id)}
    carrier_rows = sorted(
        ((a, posts_by[a], len(reach[a] - {a, None}), len(direct[a] - {a, None})) for a in reach),
        key=lambda r: (-r[2], -r[3], r[0]),
    )
    carriers = [(*row, rank) for rank, row in enumerate(carrier_rows[:TOP_CARRIERS], start=1)
                if row[2] > 0]

    bridges: list[tuple] = []
    # Bridges are looked for in the 2-core: authors who talk with a single other author (most of
    # them) cannot link communities, and leaving them out keeps Louvain and betweenness fast.
    authors = nx.k_core(authors, 2)
    if authors.number_of_edges():
        communities = sorted(
            nx.community.louvain_communities(authors, weight="weight", seed=SEED),
            key=lambda c: (-len(c), min(c)),
        )
        community_of = {a: i for i, members in enumerate(communities) for a in members}
        pivots = BETWEENNESS_PIVOTS if authors.number_of_nodes() > BETWEENNESS_PIVOTS else None
        betweenness = nx.betweenness_centrality(authors, k=pivots, seed=SEED)
        candidates = []
        for author in authors:
            touched = {community_of[author]} | {community_of[n] for n in authors.neighbors(author)}
            if len(touched) > 1 and betweenness[author] > 0:
                candidates.append((author, community_of[author], len(touched), betweenness[author]))
        candidates.sort(key=lambda r: (-r[3], r[0]))
        bridges = [(*row, rank) for rank, row in enumerate(candidates[:TOP_BRIDGES], start=1)]

    edges = sorted((s, t, k, w) for (s, t, k), w in edge_weights.items())
    return carriers, bridges, edges
