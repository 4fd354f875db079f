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
--   the first 28 days of a warehouse count everyone as new. Thread size and depth are those of the
--   conversation as it stood at the end of the day: its root post, of any age, and its posts from
--   28 days before the day's first post in it to the day's end. A reply to an older post other than
--   the root starts a chain of its own (depth 0), so the depth of a conversation that runs for more
--   than four weeks is that of its recent part.
-- Late data: a late post on day D changes new/returning authors and the conversations measured on
--   D..D+28, so this signal is recomputed over the rebuilt days plus the following 56 days
--   (history_days).
DELETE FROM signal_participation_daily t USING history_days r WHERE t.client = r.client AND t.day = r.day;

-- The window each of the scope's conversations is measured on, per day it is talked about in: from 28
-- days before the day's first post in it to the day's end. The window, like the 28 days of new
-- authors, keeps a daily update's reads to the recent posts however old its conversations are, and
-- makes a day's figures a function of the posts up to its end: a daily update and a full rebuild
-- give the same rows. The roots, of any age, come from looked_up_posts (signals/rebuild.py), not
-- from the whole posts table.
CREATE OR REPLACE TEMP TABLE scope_threads AS
SELECT f.client, f.brand, f.day, f.thread_id, min(f.created_at) - INTERVAL 28 DAY AS since,
       any_value(timezone(c.timezone, CAST(f.day + 1 AS TIMESTAMP))) AS until
FROM signal_mention_facts f JOIN history_days h USING (client, day) JOIN clients c USING (client)
WHERE NOT f.by_brand_account
  AND f.day BETWEEN getvariable('history_first_day') AND getvariable('history_last_day')
GROUP BY f.client, f.brand, f.day, f.thread_id;
SET VARIABLE threads_since = (SELECT min(since) FROM scope_threads);
SET VARIABLE threads_until = (SELECT max(until) FROM scope_threads);

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
measured_threads AS (SELECT DISTINCT thread_id, since, until FROM scope_threads),
thread_posts AS (
    -- the root, of any age, once whatever its own thread_id says; then the window's other posts
    SELECT r.id, CAST(NULL AS VARCHAR) AS parent_id, m.thread_id, m.since, m.until
    FROM measured_threads m JOIN looked_up_posts r ON r.id = m.thread_id AND r.created_at < m.until
    UNION ALL
    SELECT p.id, p.parent_id, m.thread_id, m.since, m.until
    FROM posts p
    JOIN measured_threads m ON m.thread_id = coalesce(p.thread_id, p.id)
        AND p.created_at >= m.since AND p.created_at < m.until AND p.id <> m.thread_id
    WHERE p.created_at >= getvariable('threads_since') AND p.created_at < getvariable('threads_until')
),
walk(id, thread_id, since, until, depth) AS (
    SELECT id, thread_id, since, until, 0 FROM thread_posts t
    WHERE parent_id IS NULL
       OR NOT EXISTS (SELECT 1 FROM thread_posts p
                      WHERE p.id = t.parent_id AND p.thread_id = t.thread_id AND p.since = t.since
                        AND p.until = t.until)
    UNION ALL
    -- the depth guard stops hostile data whose parent links form a cycle
    SELECT c.id, c.thread_id, c.since, c.until, w.depth + 1
    FROM thread_posts c
    JOIN walk w ON c.parent_id = w.id AND c.thread_id = w.thread_id AND c.since = w.since AND c.until = w.until
    WHERE w.depth < 100
),
thread_shape AS (
    SELECT t.thread_id, t.since, t.until, count(DISTINCT t.id) AS posts, coalesce(max(w.depth), 0) AS depth
    FROM thread_posts t LEFT JOIN walk w USING (id, thread_id, since, until)
    GROUP BY t.thread_id, t.since, t.until
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
    FROM scope_threads s
    JOIN thread_shape ts USING (thread_id, since, until)
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
