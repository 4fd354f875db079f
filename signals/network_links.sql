-- The network's per-post state, signal_network_links, run by signals/network.py before
-- network.sql: every interaction a post makes - reply, quote, repost (with the target post's
-- author) and @mention - stored once per post on its UTC instant, for all clients. Only the
-- rebuilt time range is refreshed; a week then reads its links by time range, instead of walking
-- the week's posts and looking their targets up in the whole posts table once per client and week.
-- Late data: a post stored or edited in the rebuilt range may be the target of links outside it
-- (found by time from the range's start on, and before it in signal_network_early_links, which
-- this step keeps: migration 0007): their target_author is refreshed and their weeks are added to
-- rebuild_weeks.

-- The range runs from the first rebuilt day to the last, and may hold days that are not rebuilt
-- (a backfill with today): a link there whose target changed author is refreshed below, and its
-- week must be recomputed too, so its stored author is kept to compare.
CREATE OR REPLACE TEMP TABLE stored_range_links AS
SELECT post_id, kind, target_id, target_author FROM signal_network_links
WHERE created_at >= getvariable('rebuild_lo') AND created_at < getvariable('rebuild_hi') AND target_id IS NOT NULL;

DELETE FROM signal_network_links
WHERE created_at >= getvariable('rebuild_lo') AND created_at < getvariable('rebuild_hi');
DELETE FROM signal_network_early_links
WHERE created_at >= getvariable('rebuild_lo') AND created_at < getvariable('rebuild_hi');

-- The range's replies, quotes and reposts with their targets: a target can be of any age, so it
-- comes from looked_up_posts (signals/rebuild.py), not from a join with the whole posts table.
CREATE OR REPLACE TEMP TABLE range_links AS
SELECT l.*, t.author AS target_author, t.created_at AS target_created_at
FROM (
    SELECT created_at, id AS post_id, coalesce(lower(author_handle), author_id, id) AS author,
           coalesce(thread_id, id) AS thread_id, quoted_id, reposted_id,
           unnest(['reply', 'quote', 'repost']) AS kind, unnest([parent_id, quoted_id, reposted_id]) AS target_id
    FROM posts
    WHERE created_at >= getvariable('rebuild_lo') AND created_at < getvariable('rebuild_hi')
      AND (parent_id IS NOT NULL OR quoted_id IS NOT NULL OR reposted_id IS NOT NULL)
) l
LEFT JOIN looked_up_posts t ON t.id = l.target_id
WHERE l.target_id IS NOT NULL;

INSERT INTO signal_network_links
SELECT * EXCLUDE (target_created_at) FROM range_links
UNION ALL
SELECT created_at, id, coalesce(lower(author_handle), author_id, id), coalesce(thread_id, id), quoted_id, reposted_id,
       'mention', NULL, unnest(list_distinct(regexp_extract_all(lower(text), '@[\w.]*\w')))
FROM posts
WHERE created_at >= getvariable('rebuild_lo') AND created_at < getvariable('rebuild_hi')
ORDER BY created_at;

-- An early link: its target is not stored, or is dated after it (see migration 0007).
INSERT INTO signal_network_early_links
SELECT created_at, post_id, kind, target_id, target_author FROM range_links
WHERE target_created_at IS NULL OR target_created_at > created_at
ORDER BY created_at;

-- Links from outside the range to a post stored or edited in it: those from the range's start on
-- (a link dated at or after its target), and the early links before it. A moved post's old day is
-- rebuilt too (the loader queues it), so a link that was not early is found from its old time.
CREATE OR REPLACE TEMP TABLE links_to_range AS
SELECT l.created_at, l.post_id, l.kind, l.target_id, l.target_author,
       p.author AS author_now, p.created_at AS target_created_at
FROM (
    SELECT created_at, post_id, kind, target_id, target_author FROM signal_network_links
    WHERE created_at >= getvariable('rebuild_hi') AND target_id IS NOT NULL
    UNION ALL
    SELECT created_at, post_id, kind, target_id, target_author FROM signal_network_early_links
    WHERE created_at < getvariable('rebuild_lo')
) l JOIN (
    SELECT id, created_at, coalesce(lower(author_handle), author_id, id) AS author FROM posts
    WHERE created_at >= getvariable('rebuild_lo') AND created_at < getvariable('rebuild_hi')
) p ON l.target_id = p.id;

-- Such links get the post's author, and their weeks are recomputed too (for every client: the
-- week query decides whether the link concerns one).
CREATE OR REPLACE TEMP TABLE retargeted_links AS
SELECT created_at, post_id, kind, target_id, author_now AS target_author FROM links_to_range
WHERE target_author IS DISTINCT FROM author_now;
-- their time range, so that the update reads those row groups only
SET VARIABLE retargeted_lo = (SELECT min(created_at) FROM retargeted_links);
SET VARIABLE retargeted_hi = (SELECT max(created_at) FROM retargeted_links);

UPDATE signal_network_links l SET target_author = r.target_author
FROM retargeted_links r
WHERE l.post_id = r.post_id AND l.kind = r.kind AND l.target_id = r.target_id
  AND l.created_at BETWEEN getvariable('retargeted_lo') AND getvariable('retargeted_hi');

-- Their early entries follow: a link stays early while its target is dated after it.
DELETE FROM signal_network_early_links e USING links_to_range l
WHERE e.post_id = l.post_id AND e.kind = l.kind AND e.target_id = l.target_id;
INSERT INTO signal_network_early_links
SELECT created_at, post_id, kind, target_id, author_now FROM links_to_range
WHERE target_created_at > created_at
ORDER BY created_at;

INSERT INTO rebuild_weeks
SELECT DISTINCT c.client, CAST(date_trunc('week', timezone(c.timezone, r.created_at)) AS DATE)
FROM (
    SELECT created_at FROM retargeted_links
    UNION ALL
    SELECT r.created_at FROM range_links r JOIN stored_range_links s USING (post_id, kind, target_id)
    WHERE r.target_author IS DISTINCT FROM s.target_author
) r, clients c
EXCEPT SELECT client, week FROM rebuild_weeks;
