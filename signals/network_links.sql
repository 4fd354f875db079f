-- The network's per-post state, signal_network_links, run by signals/network.py before
-- network.sql: every interaction a post makes - reply, quote, repost (with the target post's
-- author) and @mention - stored once per post on its UTC instant, for all clients. Only the
-- rebuilt time range is refreshed; a week then reads its links by time range, instead of walking
-- the week's posts and looking their targets up in the whole posts table once per client and week.
-- Late data: a post stored or edited in the rebuilt range may be the target of older links:
-- their target_author is refreshed and their weeks are added to rebuild_weeks.
DELETE FROM signal_network_links
WHERE created_at >= getvariable('rebuild_lo') AND created_at < getvariable('rebuild_hi');

-- The range's replies, quotes and reposts first, as a table of known size: planned as one query
-- with the posts lookup below, DuckDB misjudged the sides and hashed the whole posts table.
CREATE OR REPLACE TEMP TABLE range_links AS
SELECT * FROM (
    SELECT created_at, id AS post_id, coalesce(lower(author_handle), author_id, id) AS author,
           coalesce(thread_id, id) AS thread_id, quoted_id, reposted_id,
           unnest(['reply', 'quote', 'repost']) AS kind, unnest([parent_id, quoted_id, reposted_id]) AS target_id
    FROM posts
    WHERE created_at >= getvariable('rebuild_lo') AND created_at < getvariable('rebuild_hi')
      AND (parent_id IS NOT NULL OR quoted_id IS NOT NULL OR reposted_id IS NOT NULL)
)
WHERE target_id IS NOT NULL;

INSERT INTO signal_network_links
SELECT l.*, coalesce(lower(t.author_handle), t.author_id, t.id)
FROM range_links l LEFT JOIN posts t ON t.id = l.target_id
UNION ALL
SELECT created_at, id, coalesce(lower(author_handle), author_id, id), coalesce(thread_id, id), quoted_id, reposted_id,
       'mention', NULL, unnest(list_distinct(regexp_extract_all(lower(text), '@[\w.]*\w')))
FROM posts
WHERE created_at >= getvariable('rebuild_lo') AND created_at < getvariable('rebuild_hi')
ORDER BY created_at;

-- Older links to a post stored or edited in the range get its author, and their weeks are
-- recomputed too (for every client: the week query decides whether the link concerns one).
CREATE OR REPLACE TEMP TABLE retargeted_links AS
SELECT l.created_at, l.post_id, l.kind, l.target_id, p.author AS target_author
FROM signal_network_links l JOIN (
    SELECT id, coalesce(lower(author_handle), author_id, id) AS author FROM posts
    WHERE created_at >= getvariable('rebuild_lo') AND created_at < getvariable('rebuild_hi')
) p ON l.target_id = p.id
WHERE l.target_author IS DISTINCT FROM p.author;

UPDATE signal_network_links l SET target_author = r.target_author
FROM retargeted_links r
WHERE l.post_id = r.post_id AND l.kind = r.kind AND l.target_id = r.target_id;

INSERT INTO rebuild_weeks
SELECT DISTINCT c.client, CAST(date_trunc('week', timezone(c.timezone, r.created_at)) AS DATE)
FROM retargeted_links r, clients c
EXCEPT SELECT client, week FROM rebuild_weeks;
