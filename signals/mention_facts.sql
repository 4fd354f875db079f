-- Name: mention_facts
-- Table: signal_mention_facts
-- Meaning: the shared base of the brand signals: one row per post that mentions a brand of a
--   client's brand set (own or competitor), on the client-local day of the post. Several mentions
--   of one brand in one post count once.
-- Grain: one row per client, brand, post.
-- Columns:
--   client, brand, role: the client, the brand and whether it is the client's own or a competitor
--   day: client-local date of created_at (clients.timezone)
--   created_at: UTC instant of the post
--   post_id, url, thread_id: the post, its link, and its conversation (thread_id, else the post id)
--   author: lower-case handle, else author id
--   by_brand_account: the author is one of the client's brand accounts (client_brands.handles);
--     such posts are left out of volume, sentiment, participation and requests
--   coordinated: the post belongs to a coordinated/duplicate cluster (coordinated_content)
--   sentiment_label: the mention's label if all mentions of the brand in the post agree, else mixed
--   sentiment_score: mean score of the post's mentions of the brand (-1..1)
--   engagement: likes + replies + shares (0 when unknown)
--   intents, themes: from the post's enrichment (empty when the post is not enriched)
-- Late data: per day; recomputed for the rebuilt days only.
DELETE FROM signal_mention_facts f USING rebuild_days r
WHERE f.client = r.client AND f.day = r.day AND f.day BETWEEN getvariable('rebuild_first_day') AND getvariable('rebuild_last_day');

CREATE OR REPLACE TEMP TABLE rebuilt_facts AS
WITH scoped AS (
    -- the local day by the day's UTC bounds: the same date as converting created_at, far cheaper
    SELECT d.client, p.*, d.day, coalesce(lower(p.author_handle), p.author_id, p.id) AS author
    FROM rebuild_day_bounds d
    JOIN posts p ON epoch_us(p.created_at) // 86400000000 = d.utc_day
                AND p.created_at >= d.lo AND p.created_at < d.hi
    WHERE p.created_at >= getvariable('rebuild_lo') AND p.created_at < getvariable('rebuild_hi')
),
brand_accounts AS (
    SELECT client, list_distinct(flatten(list(handles))) AS handles FROM client_brands GROUP BY client
)
SELECT s.client, m.brand, cb.role, s.day, s.created_at, s.id, s.author,
       list_contains(any_value(ba.handles), s.author) AS by_brand_account,
       s.id IN (SELECT post_id FROM signal_coordinated_posts
                WHERE created_at >= getvariable('rebuild_lo') AND created_at < getvariable('rebuild_hi')) AS coordinated,
       -- min = max: all mentions agree (cheaper than a DISTINCT count over every post)
       CASE WHEN min(m.sentiment_label) = max(m.sentiment_label) THEN min(m.sentiment_label) ELSE 'mixed' END,
       avg(m.sentiment_score),
       coalesce(s.likes, 0) + coalesce(s.replies, 0) + coalesce(s.shares, 0),
       coalesce(any_value(e.intents), []::VARCHAR[]),
       coalesce(any_value(e.themes), []::VARCHAR[]),
       coalesce(s.thread_id, s.id),
       s.url
FROM scoped s
-- mentions and enrichments carry their post's created_at (migration 0005): the same range reads
-- only the rebuilt days' row groups of those large tables
JOIN mentions m ON m.post_id = s.id
    AND m.created_at >= getvariable('rebuild_lo') AND m.created_at < getvariable('rebuild_hi')
JOIN client_brands cb ON cb.client = s.client AND cb.brand = m.brand
JOIN brand_accounts ba ON ba.client = s.client
LEFT JOIN enrichments e ON e.post_id = s.id
    AND e.created_at >= getvariable('rebuild_lo') AND e.created_at < getvariable('rebuild_hi')
GROUP BY s.client, m.brand, cb.role, s.day, s.created_at, s.id, s.author, s.likes, s.replies, s.shares,
         s.thread_id, s.url;

-- In day order, so that every row group covers a few days and the day ranges of the steps that
-- read this table skip the rest (a full rebuild's rows would otherwise lie in hash order, each
-- row group spanning every day, and each later daily run would read the whole table). Sorted
-- once materialised: sorting inside the aggregation above ran out of memory at 10 M mentions.
INSERT INTO signal_mention_facts SELECT * FROM rebuilt_facts ORDER BY day;
DROP TABLE rebuilt_facts;
