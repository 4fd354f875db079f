-- Name: network
-- Table: signal_network_carriers, signal_network_bridges, signal_network_edges (and the links: network_links.sql)
-- Meaning: the weekly interaction graph around a client's brand set and the people who carry
--   participation through it. The conversations are the threads of the week's posts mentioning
--   the client's brands (own or competitor), plus quotes and reposts of those posts. An edge goes
--   from the author who replies to, quotes, reposts or @mentions someone to that someone.
--   Carriers: for every post, its cascade is every post that descends from it by replies, quotes
--   and reposts within the week (a recursive query here); an author's cascade_reach is the number
--   of distinct OTHER authors in the cascades of all their posts. Bridges (signals/network.py): the 2-core of the undirected author graph (authors
--   linked to at least two others, repeatedly; one-contact authors cannot bridge) is split into
--   communities (networkx Louvain, fixed seed); bridges are authors linked to more than one
--   community, ranked by betweenness centrality (networkx; sampled over 200 pivots with a fixed
--   seed when the graph has more than 200 authors).
-- Grain: one row per client, client-local ISO week (week = the Monday) and author (top 100
--   carriers, top 50 bridges); edges: one row per client, week, source, target, kind.
-- Columns:
--   posts: the author's posts that take part in an interaction of the week (they respond,
--     mention, or are responded to)
--   cascade_reach: distinct other authors whose posts descend from the author's posts
--   direct_responders: distinct other authors who replied to, quoted or reposted them directly
--   rank: 1 = largest cascade_reach (carriers) / highest betweenness (bridges); ties by name
--   community: the author's Louvain community (numbered by size, 0 = largest)
--   communities_touched: communities among the author's neighbours and their own
--   betweenness: normalised betweenness centrality in the undirected author graph
--   source, target, kind, weight: who addressed whom, how (reply | quote | repost | mention),
--     how many times
-- Caveats: only stored posts count; platforms that hide reposts or quotes under-count them.
--   @mentions of accounts that never posted in the week are edges to outside the conversation.
-- Late data: every client-local week containing a rebuilt day is recomputed whole, from the
--   per-post links of signal_network_links (signals/network_links.sql refreshes the rebuilt range
--   of those first), and so is every week with a link to a post stored or edited late.
--
-- The statements below list the interactions of every week in rebuild_weeks, for all clients at
-- once, into the temp table network_week_links, replace those weeks' edges and carriers, and list
-- the author pairs that can belong to a 2-core (network_author_pairs), from which
-- signals/network.py finds the bridges.
-- Constant ranges for row-group pruning (see rebuild.py): the client posts' days, and UTC
-- instants a day wider than the weeks on both sides (no zone is a day off UTC).
SET VARIABLE network_first_day = (SELECT min(week) - 7 FROM rebuild_weeks);
SET VARIABLE network_last_day = (SELECT max(week) + 6 FROM rebuild_weeks);
SET VARIABLE network_lo = (SELECT CAST(min(week) - 1 AS TIMESTAMPTZ) FROM rebuild_weeks);
SET VARIABLE network_hi = (SELECT CAST(max(week) + 8 AS TIMESTAMPTZ) FROM rebuild_weeks);

-- Every client's links of the rebuilt weeks, before choosing which concern the client.
CREATE OR REPLACE TEMP TABLE network_window_links AS
WITH week_bounds AS (
    -- the client-local week as UTC instants: comparing instants is cheaper than converting each post
    SELECT w.client, w.week, timezone(c.timezone, CAST(w.week AS TIMESTAMP)) AS lo,
           timezone(c.timezone, CAST(w.week + 7 AS TIMESTAMP)) AS hi
    FROM rebuild_weeks w JOIN clients c USING (client)
)
SELECT w.client, w.week, l.*
FROM week_bounds w JOIN signal_network_links l ON l.created_at >= w.lo AND l.created_at < w.hi
WHERE l.created_at >= getvariable('network_lo') AND l.created_at < getvariable('network_hi');

-- A week's conversations: the threads of the client's posts from the week before to the week
-- after (a conversation can start before the week), and those posts themselves. Only the client
-- posts that some link of the week can reach are listed: their thread or their id is a key of a
-- link (the weeks' mention facts are many, their links few).
CREATE OR REPLACE TEMP TABLE network_client_posts AS
WITH facts AS (
    SELECT f.client, w.week, f.post_id, f.thread_id
    FROM signal_mention_facts f JOIN rebuild_weeks w ON f.client = w.client AND f.day >= w.week - 7 AND f.day < w.week + 7
    WHERE f.day BETWEEN getvariable('network_first_day') AND getvariable('network_last_day')
)
SELECT DISTINCT * FROM (
    SELECT * FROM facts SEMI JOIN network_window_links l
        ON l.client = facts.client AND l.week = facts.week AND l.thread_id = facts.thread_id
    UNION ALL
    SELECT * FROM facts SEMI JOIN (
        SELECT client, week, unnest([post_id, quoted_id, reposted_id]) AS post_id FROM network_window_links
    ) l ON l.client = facts.client AND l.week = facts.week AND l.post_id = facts.post_id
);

CREATE OR REPLACE TEMP TABLE network_week_links AS
-- in the conversation, the post itself, or a quote or repost of it: four equi-joins, not one
-- OR-join, so that DuckDB can hash-join them (a link row is unique, so UNION drops only repeats)
SELECT l.* FROM network_window_links l SEMI JOIN network_client_posts p
    ON p.client = l.client AND p.week = l.week AND p.thread_id = l.thread_id
UNION
SELECT l.* FROM network_window_links l SEMI JOIN network_client_posts p
    ON p.client = l.client AND p.week = l.week AND p.post_id = l.post_id
UNION
SELECT l.* FROM network_window_links l SEMI JOIN network_client_posts p
    ON p.client = l.client AND p.week = l.week AND p.post_id = l.quoted_id
UNION
SELECT l.* FROM network_window_links l SEMI JOIN network_client_posts p
    ON p.client = l.client AND p.week = l.week AND p.post_id = l.reposted_id;

DELETE FROM signal_network_edges t USING rebuild_weeks r WHERE t.client = r.client AND t.week = r.week;
DELETE FROM signal_network_carriers t USING rebuild_weeks r WHERE t.client = r.client AND t.week = r.week;
DELETE FROM signal_network_bridges t USING rebuild_weeks r WHERE t.client = r.client AND t.week = r.week;

-- Who addressed whom, how, how often: the edges, and below the undirected author graph.
CREATE OR REPLACE TEMP TABLE network_week_edges AS
SELECT client, week, author AS source, target_author AS target, kind, count(*) AS weight
FROM network_week_links
WHERE target_author IS NOT NULL AND target_author <> author
GROUP BY ALL;

INSERT INTO signal_network_edges SELECT * FROM network_week_edges ORDER BY ALL;

-- The cascade graph: an edge from each responded-to post to the post responding to it, with
-- both posts' authors (a link's target_author is the target post's author, NULL if not stored).
-- Each query below reads one table or joins two: the temp tables have no statistics yet inside
-- the rebuild's transaction, and DuckDB then orders a join of three by guesswork.
CREATE OR REPLACE TEMP TABLE network_cascade_edges AS
SELECT DISTINCT client, week, target_id AS parent, target_author AS parent_author, post_id AS child, author AS child_author
FROM network_week_links WHERE target_id IS NOT NULL;

-- Every post of a cascade and every post it descends from; UNION (not UNION ALL) stops the walk
-- on cycles, which hostile data can form.
CREATE OR REPLACE TEMP TABLE network_descent AS
WITH RECURSIVE descent(client, week, ancestor, ancestor_author, node, node_author) AS (
    SELECT client, week, parent, parent_author, child, child_author FROM network_cascade_edges
    UNION
    SELECT d.client, d.week, d.ancestor, d.ancestor_author, e.child, e.child_author
    FROM descent d JOIN network_cascade_edges e ON e.client = d.client AND e.week = d.week AND e.parent = d.node
)
SELECT * FROM descent;

INSERT INTO signal_network_carriers
WITH measures AS (
    -- one pass over three lists: every post of the week by its author, every (author, descendant's
    -- author) and every (author, direct responder) pair
    SELECT client, week, author,
           count(DISTINCT post) FILTER (WHERE kind = 'post') AS posts,
           count(DISTINCT other) FILTER (WHERE kind = 'descendant' AND other <> author) AS cascade_reach,
           count(DISTINCT other) FILTER (WHERE kind = 'responder' AND other <> author) AS direct_responders
    FROM (
        SELECT client, week, post_id AS post, author, 'post' AS kind, NULL AS other FROM network_week_links
        UNION ALL
        SELECT client, week, target_id, target_author, 'post', NULL FROM network_week_links WHERE target_id IS NOT NULL
        UNION ALL
        SELECT client, week, NULL, ancestor_author, 'descendant', node_author FROM network_descent
        UNION ALL
        SELECT client, week, NULL, parent_author, 'responder', child_author FROM network_cascade_edges
    )
    WHERE author IS NOT NULL
    GROUP BY ALL
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY client, week
                                 ORDER BY cascade_reach DESC, direct_responders DESC, author) AS rank
    FROM measures WHERE cascade_reach > 0
)
SELECT client, week, author, posts, cascade_reach, direct_responders, rank FROM ranked WHERE rank <= 100;

-- The undirected author graph (weights summed over both directions and all kinds), without the
-- authors linked to a single other author: they cannot be in the 2-core.
CREATE OR REPLACE TEMP TABLE network_author_pairs AS
WITH pairs AS (
    SELECT client, week, least(source, target) AS a, greatest(source, target) AS b, sum(weight) AS weight
    FROM network_week_edges
    GROUP BY ALL
),
linked AS (
    SELECT client, week, author FROM (
        SELECT client, week, a AS author FROM pairs UNION ALL SELECT client, week, b FROM pairs
    ) GROUP BY ALL HAVING count(*) >= 2
)
SELECT p.* FROM pairs p
SEMI JOIN linked x ON x.client = p.client AND x.week = p.week AND x.author = p.a
SEMI JOIN linked y ON y.client = p.client AND y.week = p.week AND y.author = p.b
ORDER BY client, week, a, b;
