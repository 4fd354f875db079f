-- Name: brand_daily
-- Table: signal_brand_daily
-- Meaning: volume and sentiment of each brand of a client's brand set (own brands and
--   competitors) per client-local day, and its share of voice within that set.
-- Grain: one row per client, brand, client-local day with at least one mention.
-- Columns:
--   mentions: posts mentioning the brand (posts by the client's brand accounts excluded)
--   unique_authors: distinct authors of those posts
--   positive, negative, neutral, mixed: mentions by the sentiment aimed at the brand
--   net_sentiment: (positive - negative) / mentions, -1..1
--   positive_share, negative_share: positive / mentions, negative / mentions
--   share_of_voice: mentions / all mentions of the client's brand set that day (0..1)
--   coordinated_mentions: how many of the mentions are coordinated/duplicate content (counted
--     in mentions; subtract to discount campaigns)
-- Caveats: a post mentioning two brands counts for both, so shares of voice sum to 1 per day but
--   mentions do not sum to posts.
-- Late data: per day; recomputed for the rebuilt days only.
DELETE FROM signal_brand_daily t USING rebuild_days r WHERE t.client = r.client AND t.day = r.day;

INSERT INTO signal_brand_daily
WITH counts AS (
    SELECT f.client, f.brand, f.role, f.day,
           count(*) AS mentions,
           count(DISTINCT f.author) AS unique_authors,
           count(*) FILTER (WHERE f.sentiment_label = 'positive') AS positive,
           count(*) FILTER (WHERE f.sentiment_label = 'negative') AS negative,
           count(*) FILTER (WHERE f.sentiment_label = 'neutral') AS neutral,
           count(*) FILTER (WHERE f.sentiment_label = 'mixed') AS mixed,
           count(*) FILTER (WHERE f.coordinated) AS coordinated_mentions
    FROM signal_mention_facts f
    JOIN rebuild_days r ON r.client = f.client AND r.day = f.day
    WHERE NOT f.by_brand_account AND f.day BETWEEN getvariable('rebuild_first_day') AND getvariable('rebuild_last_day')
    GROUP BY ALL
)
SELECT client, brand, role, day, mentions, unique_authors, positive, negative, neutral, mixed,
       (positive - negative) / mentions,
       positive / mentions,
       negative / mentions,
       mentions / sum(mentions) OVER (PARTITION BY client, day),
       coordinated_mentions
FROM counts;
