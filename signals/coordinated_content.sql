-- Name: coordinated_content
-- Table: signal_coordinated_clusters, signal_coordinated_posts (and signal_post_keys)
-- Meaning: near-identical texts posted by many accounts within a short time - campaigns, bots,
--   copy-paste waves. A post's text is normalised (lower case; links, @handles, punctuation, emoji
--   and extra spaces removed) and hashed; a content key used by at least 3 distinct authors within
--   one coordination window, the UTC ISO week, is a coordinated cluster, and every post carrying it
--   that week is flagged.
-- Grain: signal_coordinated_clusters: one row per content key and UTC ISO week (across all
--   clients); signal_coordinated_posts: one row per flagged post.
-- Columns:
--   content_key: md5 of the normalised text
--   week: Monday of the UTC ISO week the cluster's posts fall in
--   posts: posts carrying the key that week
--   authors: distinct authors carrying the key that week
--   first_seen, last_seen: UTC instants of the week's first and last such post
--   sample_post_id, sample_text: the earliest post of the cluster and its text
--   created_at (signal_coordinated_posts): the flagged post's UTC instant
-- Excluded from: interest flows (terms_daily, theme_brand_daily, interest_trends) and the top
--   posts of spike explanations. Volume and sentiment still count them, and report them in the
--   coordinated_mentions column, because they are real public talk.
-- Caveats: exact match after normalisation; paraphrased campaigns are not caught. Texts shorter
--   than 40 normalised characters are never keyed (short replies such as "grazie!" repeat
--   naturally). A wave that straddles Sunday midnight UTC is judged in each week apart, and a
--   text repeated by strangers weeks apart is not a campaign.
-- Late data: a late copy can turn an older text of the same week into a cluster; the rebuild
--   finds every post whose flag changed and recomputes the client-local days of those posts too.
CREATE OR REPLACE TEMP TABLE scope_keys AS
WITH scoped AS (
    SELECT id, created_at,
           coalesce(lower(author_handle), author_id, id) AS author,
           trim(regexp_replace(
               regexp_replace(lower(coalesce(title || ' ', '') || text), '(https?://\S+)|(@[\w.]+)', ' ', 'g'),
               '[^\pL\pN]+', ' ', 'g')) AS normalised
    FROM posts
    WHERE created_at >= getvariable('rebuild_lo') AND created_at < getvariable('rebuild_hi')
)
SELECT id AS post_id, created_at, author,
       CASE WHEN length(normalised) >= 40 THEN md5(normalised) END AS content_key
FROM scoped;

-- The coordination windows (UTC weeks) the rebuilt range touches, as constants for row-group
-- pruning: a key's posts are looked up in these weeks only.
SET VARIABLE coordination_lo = CAST(date_trunc('week', getvariable('rebuild_lo')) AS TIMESTAMPTZ);
SET VARIABLE coordination_hi =
    CAST(date_trunc('week', getvariable('rebuild_hi') - INTERVAL 1 MICROSECOND) AS TIMESTAMPTZ) + INTERVAL 7 DAY;

-- The (key, week) pairs to judge again: the scope's keys, and the keys its posts carried before.
CREATE OR REPLACE TEMP TABLE touched_keys AS
SELECT content_key, CAST(date_trunc('week', created_at) AS DATE) AS week FROM scope_keys WHERE content_key IS NOT NULL
UNION
SELECT k.content_key, CAST(date_trunc('week', k.created_at) AS DATE) FROM signal_post_keys k JOIN scope_keys s USING (post_id)
WHERE k.content_key IS NOT NULL
  AND k.created_at >= getvariable('rebuild_lo') AND k.created_at < getvariable('rebuild_hi');

-- A key row carries its post's created_at, so the scope's rows lie in the scope's time range.
DELETE FROM signal_post_keys
WHERE created_at >= getvariable('rebuild_lo') AND created_at < getvariable('rebuild_hi')
  AND post_id IN (SELECT post_id FROM scope_keys);
INSERT INTO signal_post_keys SELECT post_id, created_at, author, content_key FROM scope_keys ORDER BY created_at;

-- Every post carrying a touched key in its week: one read of the touched weeks' keys, shared by
-- the inserts below.
CREATE OR REPLACE TEMP TABLE touched_key_posts AS
SELECT k.*, CAST(date_trunc('week', k.created_at) AS DATE) AS week
FROM signal_post_keys k
SEMI JOIN touched_keys t ON t.content_key = k.content_key AND t.week = CAST(date_trunc('week', k.created_at) AS DATE)
WHERE k.created_at >= getvariable('coordination_lo') AND k.created_at < getvariable('coordination_hi');

CREATE OR REPLACE TEMP TABLE touched_clusters AS
SELECT content_key, week, count(*) AS posts, count(DISTINCT author) AS authors,
       min(created_at) AS first_seen, max(created_at) AS last_seen,
       arg_min(post_id, (created_at, post_id)) AS sample_post_id
FROM touched_key_posts
GROUP BY content_key, week
HAVING count(DISTINCT author) >= 3;

CREATE OR REPLACE TEMP TABLE coordinated_before AS
SELECT c.post_id, c.created_at FROM signal_coordinated_posts c
SEMI JOIN touched_keys t ON t.content_key = c.content_key AND t.week = CAST(date_trunc('week', c.created_at) AS DATE)
WHERE c.created_at >= getvariable('coordination_lo') AND c.created_at < getvariable('coordination_hi');

DELETE FROM signal_coordinated_clusters c USING touched_keys t
WHERE c.content_key = t.content_key AND c.week = t.week
  AND c.week >= CAST(getvariable('coordination_lo') AS DATE) AND c.week < CAST(getvariable('coordination_hi') AS DATE);
DELETE FROM signal_coordinated_posts
WHERE created_at >= getvariable('coordination_lo') AND created_at < getvariable('coordination_hi')
  AND post_id IN (SELECT post_id FROM coordinated_before);

INSERT INTO signal_coordinated_clusters
SELECT c.content_key, c.week, c.posts, c.authors, c.first_seen, c.last_seen, c.sample_post_id, p.text
FROM touched_clusters c JOIN posts p ON p.id = c.sample_post_id
WHERE p.created_at >= getvariable('coordination_lo') AND p.created_at < getvariable('coordination_hi');

CREATE OR REPLACE TEMP TABLE coordinated_after AS
SELECT k.post_id, k.content_key, k.created_at
FROM touched_key_posts k SEMI JOIN touched_clusters c ON c.content_key = k.content_key AND c.week = k.week;

-- In time order, so that the range reads of this table (here and in mention_facts) skip row groups.
INSERT INTO signal_coordinated_posts SELECT * FROM coordinated_after ORDER BY created_at;

-- Posts whose flag flipped, with their instant: the rebuild adds their days to the days it
-- recomputes.
CREATE OR REPLACE TEMP TABLE coordinated_changed AS
(SELECT post_id, created_at FROM coordinated_before EXCEPT SELECT post_id, created_at FROM coordinated_after)
UNION
(SELECT post_id, created_at FROM coordinated_after EXCEPT SELECT post_id, created_at FROM coordinated_before);
