-- Name: terms_daily
-- Table: signal_terms_daily, signal_client_posts_daily
-- Meaning: interest flows: which themes (from the NLP enrichment) and hashtags (#words in the
--   text, lower-cased) appear in the talk about a client's brand set, per client-local day.
-- Grain: signal_terms_daily: one row per client, day, kind (theme | hashtag), term;
--   signal_client_posts_daily: one row per client and day.
-- Columns:
--   posts: distinct posts mentioning any brand of the client's set that carry the term
--   authors: distinct authors of those posts
--   signal_client_posts_daily.posts: all such posts of the day (the denominator of shares)
-- Caveats: coordinated/duplicate posts and posts by the client's brand accounts are excluded,
--   so campaigns and the brand's own hashtags do not inflate interest.
-- Late data: per day; recomputed for the rebuilt days only.
DELETE FROM signal_terms_daily t USING rebuild_days r WHERE t.client = r.client AND t.day = r.day;
DELETE FROM signal_client_posts_daily t USING rebuild_days r WHERE t.client = r.client AND t.day = r.day;

CREATE OR REPLACE TEMP TABLE interest_posts AS
SELECT DISTINCT f.client, f.day, f.post_id, f.author, f.themes
FROM signal_mention_facts f
JOIN rebuild_days r ON r.client = f.client AND r.day = f.day
WHERE NOT f.by_brand_account AND NOT f.coordinated AND f.day BETWEEN getvariable('rebuild_first_day') AND getvariable('rebuild_last_day');

INSERT INTO signal_client_posts_daily
SELECT client, day, count(*) FROM interest_posts GROUP BY ALL;

INSERT INTO signal_terms_daily
WITH terms AS (
    SELECT i.client, i.day, i.post_id, i.author, 'theme' AS kind, unnest(i.themes) AS term
    FROM interest_posts i
    UNION ALL
    SELECT i.client, i.day, i.post_id, i.author, 'hashtag',
           unnest(list_distinct(regexp_extract_all(lower(p.text), '#[\pL\pN_]+')))
    FROM interest_posts i JOIN posts p ON p.id = i.post_id
    -- the rebuilt days' posts, all within the rebuild's time range (mention_facts read them there)
    WHERE p.created_at >= getvariable('rebuild_lo') AND p.created_at < getvariable('rebuild_hi')
)
SELECT client, day, kind, term, count(DISTINCT post_id), count(DISTINCT author)
FROM terms GROUP BY ALL;
