-- Name: network
-- Table: signal_network_carriers, signal_network_bridges, signal_network_edges
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
-- Late data: every client-local week containing a rebuilt day is recomputed whole.
--
-- The query below lists the week's interactions; signals/network.py builds the graphs from it.
-- Parameters: $client, $week (DATE, a Monday).
WITH client_posts AS (
    SELECT DISTINCT post_id, thread_id FROM signal_mention_facts
    WHERE client = $client AND day >= $week - 7 AND day < $week + 7
),
week_bounds AS (
    -- the client-local week as UTC instants: comparing instants is cheaper than converting each post
    SELECT timezone(timezone, CAST($week AS TIMESTAMP)) AS lo, timezone(timezone, CAST($week + 7 AS TIMESTAMP)) AS hi
    FROM clients WHERE client = $client
),
week_posts AS (
    SELECT p.id, coalesce(lower(p.author_handle), p.author_id, p.id) AS author,
           p.parent_id, p.quoted_id, p.reposted_id, p.text
    FROM posts p JOIN week_bounds w ON p.created_at >= w.lo AND p.created_at < w.hi
    WHERE p.created_at >= CAST($week - 1 AS TIMESTAMPTZ) AND p.created_at < CAST($week + 8 AS TIMESTAMPTZ)
      AND (coalesce(p.thread_id, p.id) IN (SELECT thread_id FROM client_posts)
           OR p.id IN (SELECT post_id FROM client_posts)
           OR p.quoted_id IN (SELECT post_id FROM client_posts)
           OR p.reposted_id IN (SELECT post_id FROM client_posts))
),
links AS (
    SELECT id, author, 'reply' AS kind, parent_id AS target_id FROM week_posts WHERE parent_id IS NOT NULL
    UNION ALL
    SELECT id, author, 'quote', quoted_id FROM week_posts WHERE quoted_id IS NOT NULL
    UNION ALL
    SELECT id, author, 'repost', reposted_id FROM week_posts WHERE reposted_id IS NOT NULL
)
SELECT l.id AS post_id, l.author, l.kind, l.target_id,
       coalesce(lower(t.author_handle), t.author_id, t.id) AS target_author
FROM links l LEFT JOIN posts t ON t.id = l.target_id
UNION ALL
SELECT id, author, 'mention', NULL, unnest(list_distinct(regexp_extract_all(lower(text), '@[\w.]*\w')))
FROM week_posts
ORDER BY post_id, kind, target_author;
