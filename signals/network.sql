-- Name: network
-- Table: signal_network_carriers, signal_network_bridges, signal_network_edges (and signal_network_links)
-- Meaning: the weekly interaction graph around a client's brand set and the people who carry
--   participation through it. The conversations are the threads of the week's posts mentioning
--   the client's brands (own or competitor), plus quotes and reposts of those posts. An edge goes
--   from the author who replies to, quotes, reposts or @mentions someone to that someone.
--   Carriers: for every post, its cascade is every post that descends from it by replies, quotes
--   and reposts within the week; an author's cascade_reach is the number of distinct OTHER authors
--   in the cascades of all their posts. Bridges: the 2-core of the undirected author graph (authors
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
-- once, into the temp table network_week_links; signals/network.py builds each week's graphs
-- from its rows.
-- Constant ranges for row-group pruning (see rebuild.py): the client posts' days, and UTC
-- instants a day wider than the weeks on both sides (no zone is a day off UTC).
SET VARIABLE network_first_day = (SELECT min(week) - 7 FROM rebuild_weeks);
SET VARIABLE network_last_day = (SELECT max(week) + 6 FROM rebuild_weeks);
SET VARIABLE network_lo = (SELECT CAST(min(week) - 1 AS TIMESTAMPTZ) FROM rebuild_weeks);
SET VARIABLE network_hi = (SELECT CAST(max(week) + 8 AS TIMESTAMPTZ) FROM rebuild_weeks);

-- A week's conversations: the threads of the client's posts from the week before to the week
-- after (a conversation can start before the week), and those posts themselves.
CREATE OR REPLACE TEMP TABLE network_client_posts AS
SELECT DISTINCT w.client, w.week, f.post_id, f.thread_id
FROM signal_mention_facts f JOIN rebuild_weeks w ON f.client = w.client AND f.day >= w.week - 7 AND f.day < w.week + 7
WHERE f.day BETWEEN getvariable('network_first_day') AND getvariable('network_last_day');

CREATE OR REPLACE TEMP TABLE network_week_links AS
WITH week_bounds AS (
    -- the client-local week as UTC instants: comparing instants is cheaper than converting each post
    SELECT w.client, w.week, timezone(c.timezone, CAST(w.week AS TIMESTAMP)) AS lo,
           timezone(c.timezone, CAST(w.week + 7 AS TIMESTAMP)) AS hi
    FROM rebuild_weeks w JOIN clients c USING (client)
),
week_links AS (
    SELECT w.client, w.week, l.*
    FROM week_bounds w JOIN signal_network_links l ON l.created_at >= w.lo AND l.created_at < w.hi
    WHERE l.created_at >= getvariable('network_lo') AND l.created_at < getvariable('network_hi')
)
-- in the conversation, the post itself, or a quote or repost of it: four equi-joins, not one
-- OR-join, so that DuckDB can hash-join them (a link row is unique, so UNION drops only repeats)
SELECT l.* FROM week_links l SEMI JOIN network_client_posts p
    ON p.client = l.client AND p.week = l.week AND p.thread_id = l.thread_id
UNION
SELECT l.* FROM week_links l SEMI JOIN network_client_posts p
    ON p.client = l.client AND p.week = l.week AND p.post_id = l.post_id
UNION
SELECT l.* FROM week_links l SEMI JOIN network_client_posts p
    ON p.client = l.client AND p.week = l.week AND p.post_id = l.quoted_id
UNION
SELECT l.* FROM week_links l SEMI JOIN network_client_posts p
    ON p.client = l.client AND p.week = l.week AND p.post_id = l.reposted_id;
