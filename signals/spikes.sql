-- Name: spikes
-- Table: signal_spikes
-- Meaning: days on which a brand's volume or negative share is far above its usual level, each
--   with the posts, authors and terms that drive it. The weekly report and the alert e-mail read
--   this table.
-- Grain: one row per client, brand, client-local day, metric (volume | negative_share) that spiked.
-- Columns:
--   value: the day's mentions (volume) or negative / mentions (negative_share)
--   baseline, baseline_spread: median of the baseline days and the robust spread
--     max(1.4826 * MAD, floor); the floor is max(sqrt(median), 1) for volume (Poisson noise) and
--     0.05 for negative_share, so that a flat history does not make every wiggle a spike
--   baseline_kind: same_weekday_8w = the same weekday in the previous 8 weeks (used when at least 4
--     of them lie after the client's first data day); else trailing_28d = the previous 28 days
--     (needs at least 5, so that a crisis in a warehouse's second week is still caught: a day with
--     5x the usual volume after 5 quiet days must be reported; the spread floors below keep a short,
--     flat history from making ordinary days spikes); days without mentions count as 0 for volume
--     and are skipped for negative_share
--   robust_z: (value - baseline) / baseline_spread; a spike when robust_z >= 3.5
--   mentions: the day's mentions (a spike needs at least 10; alerts apply the client's own
--     alerts.min_volume on top)
--   top_post_ids, top_post_urls: up to 3 most engaging posts of the day (negative ones for a
--     negative_share spike), coordinated posts left out
--   top_authors: up to 3 authors with most such posts; top_terms: up to 5 most frequent themes and
--     hashtags in them
--   explanation: one sentence saying all that, for e-mails
-- Late data: the baseline of day D uses D-56..D-1, so a late post on D is propagated by
--   recomputing the rebuilt days plus the following 56 days (history_days).
DELETE FROM signal_spikes t USING history_days r WHERE t.client = r.client AND t.day = r.day;

INSERT INTO signal_spikes
WITH first_days AS (
    SELECT client, min(day) AS first_day FROM signal_brand_daily GROUP BY client
),
series AS (
    -- every brand x every day since the client's first data day, zeros included
    SELECT cb.client, cb.brand, d.day,
           coalesce(b.mentions, 0) AS mentions,
           b.negative / nullif(b.mentions, 0) AS negative_share
    FROM client_brands cb
    JOIN first_days f ON f.client = cb.client
    CROSS JOIN LATERAL (
        SELECT CAST(unnest(generate_series(
            greatest(f.first_day, (SELECT min(day) - 56 FROM history_days h WHERE h.client = cb.client)),
            (SELECT max(day) FROM history_days h WHERE h.client = cb.client),
            INTERVAL 1 DAY)) AS DATE) AS day
    ) d
    LEFT JOIN signal_brand_daily b ON b.client = cb.client AND b.brand = cb.brand AND b.day = d.day
),
targets AS (
    SELECT s.* FROM series s JOIN history_days h USING (client, day) WHERE s.mentions >= 10
),
baselines AS (
    SELECT t.client, t.brand, t.day, t.mentions, t.negative_share,
           list(s.mentions) FILTER (WHERE (t.day - s.day) % 7 = 0) AS volume_weekday,
           list(s.mentions) FILTER (WHERE t.day - s.day <= 28) AS volume_trailing,
           list(s.negative_share) FILTER (WHERE (t.day - s.day) % 7 = 0 AND s.negative_share IS NOT NULL) AS negative_weekday,
           list(s.negative_share) FILTER (WHERE t.day - s.day <= 28 AND s.negative_share IS NOT NULL) AS negative_trailing
    FROM targets t
    JOIN series s ON s.client = t.client AND s.brand = t.brand AND s.day < t.day AND s.day >= t.day - 56
    GROUP BY ALL
),
candidates AS (
    SELECT client, brand, day, mentions, 'volume' AS metric, CAST(mentions AS DOUBLE) AS value,
           CASE WHEN len(volume_weekday) >= 4 THEN volume_weekday ELSE volume_trailing END AS history,
           CASE WHEN len(volume_weekday) >= 4 THEN 'same_weekday_8w' ELSE 'trailing_28d' END AS baseline_kind
    FROM baselines
    UNION ALL
    SELECT client, brand, day, mentions, 'negative_share', negative_share,
           CASE WHEN len(negative_weekday) >= 4 THEN negative_weekday ELSE negative_trailing END,
           CASE WHEN len(negative_weekday) >= 4 THEN 'same_weekday_8w' ELSE 'trailing_28d' END
    FROM baselines
),
scored AS (
    SELECT *,
           list_median(history) AS baseline,
           greatest(1.4826 * list_median(list_transform(history, x -> abs(x - list_median(history)))),
                    CASE WHEN metric = 'volume' THEN greatest(sqrt(list_median(history)), 1) ELSE 0.05 END
           ) AS baseline_spread
    FROM candidates
    WHERE len(history) >= CASE WHEN baseline_kind = 'same_weekday_8w' THEN 4 ELSE 5 END
),
spikes AS (
    SELECT *, (value - baseline) / baseline_spread AS robust_z FROM scored
    WHERE (value - baseline) / baseline_spread >= 3.5
),
driving_posts AS (
    SELECT s.client, s.brand, s.day, s.metric, f.post_id, f.url, f.author, f.engagement, f.themes
    FROM spikes s
    JOIN signal_mention_facts f ON f.client = s.client AND f.brand = s.brand AND f.day = s.day
    WHERE NOT f.by_brand_account AND NOT f.coordinated
      AND (s.metric = 'volume' OR f.sentiment_label = 'negative')
      -- constant ranges, so that only the history days' row groups are read (see rebuild.py)
      AND f.day BETWEEN getvariable('history_first_day') AND getvariable('history_last_day')
),
top_posts AS (
    SELECT client, brand, day, metric,
           list(post_id ORDER BY engagement DESC, post_id)[1:3] AS ids,
           list(coalesce(url, '') ORDER BY engagement DESC, post_id)[1:3] AS urls
    FROM driving_posts GROUP BY ALL
),
top_authors AS (
    SELECT client, brand, day, metric, list(author ORDER BY n DESC, author)[1:3] AS authors
    FROM (SELECT client, brand, day, metric, author, count(*) AS n FROM driving_posts GROUP BY ALL)
    GROUP BY ALL
),
top_terms AS (
    SELECT client, brand, day, metric, list(term ORDER BY n DESC, term)[1:5] AS terms
    FROM (
        SELECT client, brand, day, metric, term, count(DISTINCT post_id) AS n FROM (
            SELECT d.client, d.brand, d.day, d.metric, d.post_id, unnest(d.themes) AS term FROM driving_posts d
            UNION ALL
            SELECT d.client, d.brand, d.day, d.metric, d.post_id,
                   unnest(list_distinct(regexp_extract_all(lower(p.text), '#[\pL\pN_]+')))
            FROM driving_posts d JOIN posts p ON p.id = d.post_id
            WHERE p.created_at >= getvariable('history_lo') AND p.created_at < getvariable('history_hi'))
        GROUP BY ALL)
    GROUP BY ALL
)
SELECT s.client, s.brand, s.day, s.metric, s.value, s.baseline, s.baseline_spread, s.baseline_kind,
       s.robust_z, s.mentions,
       coalesce(tp.ids, []), coalesce(tp.urls, []), coalesce(ta.authors, []), coalesce(tt.terms, []),
       CASE WHEN s.metric = 'volume'
            THEN format('{} mentions of {} against a usual {} ({}, robust z {:.1f})', CAST(s.value AS INTEGER), s.brand,
                        round(s.baseline, 1), replace(s.baseline_kind, '_', ' '), s.robust_z)
            ELSE format('{:.0f}% negative mentions of {} against a usual {:.0f}% ({}, robust z {:.1f})',
                        100 * s.value, s.brand, 100 * s.baseline, replace(s.baseline_kind, '_', ' '), s.robust_z)
       END
       || CASE WHEN len(coalesce(tt.terms, [])) > 0 THEN '; driven by ' || array_to_string(tt.terms, ', ') ELSE '' END
       || CASE WHEN len(coalesce(ta.authors, [])) > 0 THEN '; top authors ' || array_to_string(ta.authors, ', ') ELSE '' END
FROM spikes s
LEFT JOIN top_posts tp USING (client, brand, day, metric)
LEFT JOIN top_authors ta USING (client, brand, day, metric)
LEFT JOIN top_terms tt USING (client, brand, day, metric);
