-- Name: participation_daily
-- Table: signal_participation_daily
-- Meaning: who takes part in the talk about each brand and how deep the conversations go, per
--   client-local day.
-- Grain: one row per client, brand, client-local day with at least one mention.
-- Columns:
--   unique_authors: distinct authors mentioning the brand that day (brand accounts excluded)
--   new_authors: of those, authors with no mention of the brand in the 28 days before
--   returning_authors: unique_authors - new_authors
--   posts: posts mentioning the brand
--   engagement: likes + replies + shares of those posts
--   engagement_per_post: engagement / posts
--   threads: distinct conversations (thread_id) the posts belong to
--   avg_thread_posts: mean number of stored posts in those conversations
--   max_thread_depth, avg_thread_depth: longest reply chain (root = 0, a reply to it = 1, ...) of
--     those conversations, max and mean
-- Caveats: "new" means new within 28 days, so an author back after a long silence counts as new;
--   the first 28 days of a warehouse count everyone as new. Thread size and depth are measured on
--   the posts stored so far (replies fetched later deepen an older day's threads), from the time of
--   the conversation's root post on (a reply dated before its root is not counted); for a
--   conversation whose root is not stored, from 28 days before the earliest rebuilt post in it.
-- Late data: a late post on day D changes new/returning on D..D+28, so this signal is recomputed
--   over the rebuilt days plus the following 56 days (history_days).
DELETE FROM signal_participation_daily t USING history_days r WHERE t.client = r.client AND t.day = r.day;

-- Where the scope's conversations can start: their root posts' time (thread_id is the root's id),
-- so that the thread walk reads posts from then on, not every post ever stored. The roots, of any
-- age, come from looked_up_posts (signals/rebuild.py), not from a join with the whole posts table.
SET VARIABLE threads_since = (
    WITH threads AS (
        SELECT f.thread_id, min(f.created_at) AS first_rebuilt_at
        FROM signal_mention_facts f JOIN history_days h USING (client, day)
        WHERE NOT f.by_brand_account
          AND f.day BETWEEN getvariable('history_first_day') AND getvariable('history_last_day')
        GROUP BY f.thread_id
    ),
    roots AS (SELECT id, created_at FROM looked_up_posts WHERE id IN (SELECT thread_id FROM threads))
    SELECT min(least(t.first_rebuilt_at, coalesce(r.created_at, t.first_rebuilt_at - INTERVAL 28 DAY)))
    FROM threads t LEFT JOIN roots r ON r.id = t.thread_id
);

INSERT INTO signal_participation_daily
WITH RECURSIVE scope AS (
    SELECT f.* FROM signal_mention_facts f
    JOIN history_days h ON h.client = f.client AND h.day = f.day
    WHERE NOT f.by_brand_account
      AND f.day BETWEEN getvariable('history_first_day') AND getvariable('history_last_day')
),
authors_day AS (SELECT DISTINCT client, brand, day, author FROM scope),
returning_authors AS (
    -- a semi-join probed by the scope's authors: cheaper than the distinct (author, day) pairs of
    -- the whole 28-day window it reads
    SELECT a.client, a.brand, a.day, a.author
    FROM authors_day a
    WHERE EXISTS (
        SELECT 1 FROM signal_mention_facts p
        WHERE p.client = a.client AND p.brand = a.brand AND p.author = a.author
          AND p.day < a.day AND p.day >= a.day - 28 AND NOT p.by_brand_account
          AND p.day >= getvariable('history_first_day') - 28 AND p.day < getvariable('history_last_day'))
),
thread_posts AS (
    SELECT p.id, p.parent_id, coalesce(p.thread_id, p.id) AS thread_id
    FROM posts p
    WHERE p.created_at >= getvariable('threads_since')
      AND coalesce(p.thread_id, p.id) IN (SELECT thread_id FROM scope)
),
walk(id, thread_id, depth) AS (
    SELECT id, thread_id, 0 FROM thread_posts
    WHERE parent_id IS NULL OR parent_id NOT IN (SELECT id FROM thread_posts)
    UNION ALL
    -- the depth guard stops hostile data whose parent links form a cycle
    SELECT c.id, c.thread_id, w.depth + 1
    FROM thread_posts c JOIN walk w ON c.parent_id = w.id
    WHERE w.depth < 100
),
thread_shape AS (
    SELECT t.thread_id, count(DISTINCT t.id) AS posts, coalesce(max(w.depth), 0) AS depth
    FROM thread_posts t LEFT JOIN walk w ON w.id = t.id
    GROUP BY t.thread_id
),
per_day AS (
    SELECT client, brand, day,
           count(DISTINCT author) AS unique_authors,
           count(*) AS posts,
           sum(engagement) AS engagement
    FROM scope GROUP BY ALL
),
threads_day AS (
    SELECT s.client, s.brand, s.day,
           count(*) AS threads, avg(ts.posts) AS avg_thread_posts,
           max(ts.depth) AS max_thread_depth, avg(ts.depth) AS avg_thread_depth
    FROM (SELECT DISTINCT client, brand, day, thread_id FROM scope) s
    JOIN thread_shape ts USING (thread_id)
    GROUP BY ALL
),
returning_day AS (
    SELECT client, brand, day, count(*) AS returning FROM returning_authors GROUP BY ALL
)
SELECT d.client, d.brand, d.day, d.unique_authors,
       d.unique_authors - coalesce(r.returning, 0),
       coalesce(r.returning, 0),
       d.posts, d.engagement, d.engagement / d.posts,
       t.threads, t.avg_thread_posts, t.max_thread_depth, t.avg_thread_depth
FROM per_day d
JOIN threads_day t USING (client, brand, day)
LEFT JOIN returning_day r USING (client, brand, day);
