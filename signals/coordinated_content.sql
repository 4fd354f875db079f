-- Name: coordinated_content
-- Table: signal_coordinated_clusters, signal_coordinated_posts (and signal_post_keys)
-- Meaning: near-identical texts posted by many accounts - campaigns, bots, copy-paste. A post's
--   text is normalised (lower case; links, @handles, punctuation, emoji and extra spaces removed)
--   and hashed; a content key used by at least 3 distinct authors is a coordinated cluster and
--   every post carrying it is flagged.
-- Grain: signal_coordinated_clusters: one row per content key (across all clients and time);
--   signal_coordinated_posts: one row per flagged post.
-- Columns:
--   content_key: md5 of the normalised text
--   posts: posts carrying the key
--   authors: distinct authors carrying the key
--   first_seen, last_seen: UTC instants of the first and last such post
--   sample_post_id, sample_text: the earliest post of the cluster and its text
-- Excluded from: interest flows (terms_daily, theme_brand_daily, interest_trends) and the top
--   posts of spike explanations. Volume and sentiment still count them, and report them in the
--   coordinated_mentions column, because they are real public talk.
-- Caveats: exact match after normalisation; paraphrased campaigns are not caught. Texts shorter
--   than 40 normalised characters are never keyed (short replies such as "grazie!" repeat
--   naturally).
-- Late data: a late copy can turn an older text into a cluster; the rebuild finds every post whose
--   flag changed and recomputes the client-local days of those posts as well.
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

CREATE OR REPLACE TEMP TABLE touched_keys AS
SELECT content_key FROM scope_keys WHERE content_key IS NOT NULL
UNION
SELECT k.content_key FROM signal_post_keys k JOIN scope_keys s USING (post_id)
WHERE k.content_key IS NOT NULL
  AND k.created_at >= getvariable('rebuild_lo') AND k.created_at < getvariable('rebuild_hi');

-- A key row carries its post's created_at, so the scope's rows lie in the scope's time range.
DELETE FROM signal_post_keys
WHERE created_at >= getvariable('rebuild_lo') AND created_at < getvariable('rebuild_hi')
  AND post_id IN (SELECT post_id FROM scope_keys);
INSERT INTO signal_post_keys SELECT post_id, created_at, author, content_key FROM scope_keys ORDER BY created_at;

CREATE OR REPLACE TEMP TABLE coordinated_before AS
SELECT post_id FROM signal_coordinated_posts WHERE content_key IN (SELECT content_key FROM touched_keys);

DELETE FROM signal_coordinated_clusters WHERE content_key IN (SELECT content_key FROM touched_keys);
DELETE FROM signal_coordinated_posts WHERE content_key IN (SELECT content_key FROM touched_keys);

-- Every post carrying a touched key, at any time: the one lookup by key over all of
-- signal_post_keys (no time range applies to a hash), which the two inserts below share.
CREATE OR REPLACE TEMP TABLE touched_key_posts AS
SELECT * FROM signal_post_keys WHERE content_key IN (SELECT content_key FROM touched_keys);

INSERT INTO signal_coordinated_clusters
WITH clusters AS (
    SELECT content_key, count(*) AS posts, count(DISTINCT author) AS authors,
           min(created_at) AS first_seen, max(created_at) AS last_seen,
           arg_min(post_id, (created_at, post_id)) AS sample_post_id
    FROM touched_key_posts
    GROUP BY content_key
    HAVING count(DISTINCT author) >= 3
)
SELECT c.*, p.text FROM clusters c JOIN posts p ON p.id = c.sample_post_id;

INSERT INTO signal_coordinated_posts
SELECT k.post_id, k.content_key
FROM touched_key_posts k
WHERE k.content_key IN (SELECT content_key FROM signal_coordinated_clusters);

-- Posts whose flag flipped: the rebuild adds their days to the days it recomputes.
CREATE OR REPLACE TEMP TABLE coordinated_changed AS
(SELECT post_id FROM coordinated_before
 EXCEPT SELECT post_id FROM signal_coordinated_posts)
UNION
(SELECT c.post_id FROM signal_coordinated_posts c
 WHERE c.content_key IN (SELECT content_key FROM touched_keys)
 EXCEPT SELECT post_id FROM coordinated_before);
