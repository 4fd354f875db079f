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
--   than four weeks is that of its recent part. So does a reply dated before the post it answers
--   (clock skew, hostile data: reply links that loop are cut there). Depth counts at most 100.
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
WITH first_posts AS (
    SELECT f.client, f.brand, f.day, f.thread_id, min(f.created_at) AS first_at
    FROM signal_mention_facts f JOIN history_days h USING (client, day)
    WHERE NOT f.by_brand_account
      AND f.day BETWEEN getvariable('history_first_day') AND getvariable('history_last_day')
    GROUP BY f.client, f.brand, f.day, f.thread_id
)
SELECT t.client, t.brand, t.day, t.thread_id, t.first_at - INTERVAL 28 DAY AS since, d.hi AS until
FROM first_posts t JOIN history_day_bounds d USING (client, day);
SET VARIABLE threads_since = (SELECT min(since) FROM scope_threads);
SET VARIABLE threads_until = (SELECT max(until) FROM scope_threads);

-- Each window's size and depth, on one walk per conversation (bench/bench_conversation_walk.py: a
-- walk per window cost 2.5 times as much on conversations talked about for weeks).
CREATE OR REPLACE TEMP TABLE thread_shape AS
WITH RECURSIVE conversations AS (
    -- each conversation once, over the union of the windows it is measured on
    SELECT thread_id, min(since) AS since, max(until) AS until FROM scope_threads GROUP BY thread_id
),
thread_posts AS (
    -- the root, of any age, once whatever its own thread_id says; then the windows' other posts
    SELECT r.id, CAST(NULL AS VARCHAR) AS parent_id, c.thread_id, r.created_at, true AS is_root
    FROM conversations c JOIN looked_up_posts r ON r.id = c.thread_id AND r.created_at < c.until
    UNION ALL
    SELECT p.id, p.parent_id, c.thread_id, p.created_at, false
    FROM posts p
    JOIN conversations c ON c.thread_id = coalesce(p.thread_id, p.id)
        AND p.created_at >= c.since AND p.created_at < c.until AND p.id <> c.thread_id
    WHERE p.created_at >= getvariable('threads_since') AND p.created_at < getvariable('threads_until')
),
walk(id, thread_id, created_at, rooted, chain_length, chain) AS (
    -- One walk per conversation. A chain follows a reply to its parent only when the parent is older
    -- (by id at the same instant): reply links then cannot loop, whatever hostile data holds, and a
    -- reply dated before its parent starts a chain of its own. chain: the times of the posts from
    -- the top of the chain down to this one, the root left out, the last 101 only (a depth counts
    -- at most 100 posts); their times only grow, so the ones a window holds are the last ones,
    -- which gives the post's depth in any window without walking the conversation again for it.
    SELECT id, thread_id, created_at, is_root, CASE WHEN is_root THEN 0 ELSE 1 END,
           CASE WHEN is_root THEN []::TIMESTAMPTZ[] ELSE [created_at] END
    FROM thread_posts t
    WHERE parent_id IS NULL
       OR NOT EXISTS (SELECT 1 FROM thread_posts p
                      WHERE p.id = t.parent_id AND p.thread_id = t.thread_id
                        AND (p.created_at < t.created_at OR p.created_at = t.created_at AND p.id < t.id))
    UNION ALL
    SELECT c.id, c.thread_id, c.created_at, w.rooted, w.chain_length + 1, list_append(w.chain, c.created_at)[-101:]
    FROM thread_posts c JOIN walk w ON c.parent_id = w.id AND c.thread_id = w.thread_id
    WHERE w.created_at < c.created_at OR w.created_at = c.created_at AND w.id < c.id
),
window_posts AS (
    -- each window's posts; in_window: how many of the last posts of the post's chain lie in the window
    SELECT m.thread_id, m.since, m.until, t.id, w.rooted, w.chain_length,
           len(list_filter(w.chain, lambda posted: posted >= m.since)) AS in_window
    FROM (SELECT DISTINCT thread_id, since, until FROM scope_threads) m
    JOIN thread_posts t ON t.thread_id = m.thread_id AND t.created_at < m.until
        AND (t.is_root OR t.created_at >= m.since)
    JOIN walk w ON w.id = t.id AND w.thread_id = t.thread_id
)
-- depth: the posts above this one in the window, the root counting when the whole chain is in it
SELECT thread_id, since, until, count(DISTINCT id) AS posts,
       max(least(CASE WHEN in_window = chain_length AND rooted THEN in_window ELSE in_window - 1 END, 100))
           AS depth
FROM window_posts
GROUP BY thread_id, since, until;

INSERT INTO signal_participation_daily
WITH scope AS (
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
