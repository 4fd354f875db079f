-- Name: brand_weekly
-- Table: signal_brand_weekly
-- Meaning: brand_daily per client-local ISO week (Monday to Sunday), with authors counted once per
--   week. This is the table the weekly report reads.
-- Grain: one row per client, brand, ISO week (week = the Monday) with at least one mention.
-- Columns:
--   week: Monday of the client-local ISO week
--   mentions, unique_authors, positive, negative, neutral, mixed, net_sentiment, positive_share,
--   negative_share, share_of_voice, coordinated_mentions: as in brand_daily, over the week
-- Late data: every week containing a rebuilt day is recomputed whole.
DELETE FROM signal_brand_weekly t USING rebuild_weeks r WHERE t.client = r.client AND t.week = r.week;

INSERT INTO signal_brand_weekly
WITH counts AS (
    SELECT f.client, f.brand, f.role, r.week,
           count(*) AS mentions,
           count(DISTINCT f.author) AS unique_authors,
           count(*) FILTER (WHERE f.sentiment_label = 'positive') AS positive,
           count(*) FILTER (WHERE f.sentiment_label = 'negative') AS negative,
           count(*) FILTER (WHERE f.sentiment_label = 'neutral') AS neutral,
           count(*) FILTER (WHERE f.sentiment_label = 'mixed') AS mixed,
           count(*) FILTER (WHERE f.coordinated) AS coordinated_mentions
    FROM signal_mention_facts f
    JOIN rebuild_weeks r ON r.client = f.client AND f.day >= r.week AND f.day < r.week + 7
    WHERE NOT f.by_brand_account
      AND f.day BETWEEN CAST(date_trunc('week', getvariable('rebuild_first_day')) AS DATE)
                    AND CAST(date_trunc('week', getvariable('rebuild_last_day')) AS DATE) + 6
    GROUP BY ALL
)
SELECT client, brand, role, week, mentions, unique_authors, positive, negative, neutral, mixed,
       (positive - negative) / mentions,
       positive / mentions,
       negative / mentions,
       mentions / sum(mentions) OVER (PARTITION BY client, week),
       coordinated_mentions
FROM counts;
