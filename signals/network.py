"""The weekly network signal (see network.sql for its meaning). The per-post links
(network_links.sql) are refreshed for the rebuilt time range only; network.sql then reads the links
of every rebuilt week by time range, in one pass, and computes the edges and the carriers (a
recursive query over the cascades). The bridges need community detection and betweenness, which
networkx provides: they are measured here, on each week's author pairs that can form a 2-core."""

from __future__ import annotations

from itertools import groupby

import duckdb
import networkx as nx

from signals.bulk import insert_rows
from signals.catalog import signal, sql_file

TOP_BRIDGES = 50
BETWEENNESS_PIVOTS = 200
SEED = 42  # community detection and sampled betweenness are randomised: fix them so reruns agree


def rebuild_network(con: duckdb.DuckDBPyConnection) -> int:
    """Recompute every (client, week) in the temp table rebuild_weeks; returns the weeks done."""
    con.execute(sql_file("network_links"))
    con.execute(signal("network").sql)
    pairs = con.execute("SELECT client, week, a, b, weight FROM network_author_pairs ORDER BY client, week, a, b")
    bridges = []
    for (client, week), week_pairs in groupby(pairs.fetchall(), key=lambda row: row[:2]):
        bridges.extend((client, week, *row) for row in measure_bridges([row[2:] for row in week_pairs]))
    insert_rows(con, "signal_network_bridges", bridges)
    return con.execute("SELECT count(*) FROM rebuild_weeks").fetchone()[0]


def measure_bridges(pairs: list[tuple[str, str, int]]) -> list[tuple]:
    """From a week's undirected author pairs (a, b, weight), in a fixed order, to its bridges:
    (author, community, communities_touched, betweenness, rank)."""
    authors = nx.Graph()
    authors.add_weighted_edges_from(pairs)
    # Bridges are looked for in the 2-core: authors who talk with a single other author (most of
    # them) cannot link communities, and leaving them out keeps Louvain and betweenness fast.
    authors = nx.k_core(authors, 2)
    if not authors.number_of_edges():
        return []
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
    return [(*row, rank) for rank, row in enumerate(candidates[:TOP_BRIDGES], start=1)]
