-- Name: theme_brand_daily
-- Table: signal_theme_brand_daily
-- Meaning: co-occurrence of themes with brands: which themes the talk about each brand carries,
--   per client-local day (e.g. how much of the talk about a competitor is about sustainability).
-- Grain: one row per client, brand, day, theme with at least one post.
-- Columns:
--   posts: posts mentioning the brand that carry the theme
--   share_of_brand_posts: posts / the brand's posts that day (coordinated and brand-account
--     posts excluded from both)
-- Late data: per day; recomputed for the rebuilt days only.
DELETE FROM signal_theme_brand_daily t USING rebuild_days r WHERE t.client = r.client AND t.day = r.day;

INSERT INTO signal_theme_brand_daily
WITH brand_posts AS (
    SELECT f.client, f.brand, f.day, f.post_id, f.themes,
           count(*) OVER (PARTITION BY f.client, f.brand, f.day) AS brand_posts
    FROM signal_mention_facts f
    JOIN rebuild_days r ON r.client = f.client AND r.day = f.day
    WHERE NOT f.by_brand_account AND NOT f.coordinated AND f.day BETWEEN getvariable('rebuild_first_day') AND getvariable('rebuild_last_day')
)
SELECT client, brand, day, theme, count(*), count(*) / any_value(brand_posts)
FROM (SELECT client, brand, day, brand_posts, unnest(themes) AS theme FROM brand_posts)
GROUP BY client, brand, day, theme;
