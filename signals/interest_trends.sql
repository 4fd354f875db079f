-- Name: interest_trends
-- Table: signal_interest_trends
-- Meaning: growth of each theme and hashtag over a 7-day window against its trailing 28-day
--   baseline, and whether the growth is statistically significant ("emerging").
-- Grain: one row per client, day (the last day of the 7-day window D-6..D), kind, term present in
--   the window. The ISO-week view is the row whose day is a Sunday (v_interest_weekly).
-- Columns:
--   posts_7d: posts with the term in D-6..D; total_7d: all interest posts of the client in D-6..D
--   baseline_28d, baseline_total_28d: the same over the 28 days before the window (D-34..D-7)
--   expected_7d: total_7d * baseline share, the share being (baseline_28d + 0.5) /
--     (baseline_total_28d + 1) so that a term never seen before has a small, non-zero rate
--   growth: posts_7d / expected_7d (1 = as usual; adjusts for the client's overall volume)
--   p_value: one-sided Fisher exact test (scipy.stats.fisher_exact, alternative "greater") of the
--     term's share of interest posts in the window against its share in the baseline: both shares
--     are estimates, so a short or thin baseline widens the doubt instead of being taken as known;
--     NULL when not tested
--   emerging: p_value < 0.01 and posts_7d >= 5 and growth >= 2; tested only when the baseline
--     holds at least 30 posts on at least 7 of its 28 days (a week's worth of the client's data)
-- Caveats: nothing is called emerging before the baseline holds 7 days with the client's posts (a new
--   warehouse or a new client): against two or three days, every term of an ordinary week would look new.
--   Until the client has 5 weeks of data the baseline is shorter than 28 days; Fisher's test weighs
--   its size, but a theme's weekly rhythm may not be in it yet.
--   Coordinated posts are excluded (terms_daily).
-- Late data: a late post on D changes windows ending D..D+34, so this signal is recomputed over
--   the rebuilt days plus the following 56 days (history_days). The p-values are filled by
--   signals/rebuild.py right after this file runs.
DELETE FROM signal_interest_trends t USING history_days r WHERE t.client = r.client AND t.day = r.day;

INSERT INTO signal_interest_trends
WITH windows AS (
    SELECT h.client, h.day, t.kind, t.term,
           sum(t.posts) FILTER (WHERE t.day > h.day - 7) AS posts_7d,
           coalesce(sum(t.posts) FILTER (WHERE t.day <= h.day - 7), 0) AS baseline_28d
    FROM history_days h
    JOIN signal_terms_daily t ON t.client = h.client AND t.day > h.day - 35 AND t.day <= h.day
    GROUP BY ALL
    HAVING posts_7d > 0
),
totals AS (
    SELECT h.client, h.day,
           coalesce(sum(c.posts) FILTER (WHERE c.day > h.day - 7), 0) AS total_7d,
           coalesce(sum(c.posts) FILTER (WHERE c.day <= h.day - 7), 0) AS baseline_total_28d
    FROM history_days h
    JOIN signal_client_posts_daily c ON c.client = h.client AND c.day > h.day - 35 AND c.day <= h.day
    GROUP BY ALL
)
SELECT w.client, w.day, w.kind, w.term, w.posts_7d, t.total_7d, w.baseline_28d, t.baseline_total_28d,
       t.total_7d * (w.baseline_28d + 0.5) / (t.baseline_total_28d + 1) AS expected_7d,
       w.posts_7d / expected_7d,
       NULL, false
FROM windows w JOIN totals t USING (client, day);
