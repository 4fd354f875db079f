-- Name: relationship_daily
-- Table: signal_relationship_daily
-- Meaning: how many requests (questions, complaints, support requests) each brand received per
--   client-local day, the share its own accounts answered, and how fast.
-- Grain: one row per client, brand, client-local day with at least one request.
-- Columns:
--   requests, questions, complaints, support_requests: requests of the day by kind
--   answered: requests answered by the brand's accounts (at any time so far)
--   share_answered: answered / requests
--   median_response_minutes, p90_response_minutes: first-response time of the answered requests
--     (exact quantiles, linear interpolation)
-- Caveats: recent days look worse than they will: their requests may still be answered.
--   Unanswered requests are not in the response-time quantiles; read them with share_answered.
-- Late data: recomputed for the days of every request touched by the rebuild (see
--   relationship_requests), so an answer arriving days later updates the request's day.
DELETE FROM signal_relationship_daily t USING relationship_days r WHERE t.client = r.client AND t.day = r.day;

INSERT INTO signal_relationship_daily
SELECT q.client, q.brand, q.role, q.day,
       count(*),
       count(*) FILTER (WHERE kind = 'question'),
       count(*) FILTER (WHERE kind = 'complaint'),
       count(*) FILTER (WHERE kind = 'support_request'),
       count(*) FILTER (WHERE answered),
       count(*) FILTER (WHERE answered) / count(*),
       quantile_cont(response_minutes, 0.5),
       quantile_cont(response_minutes, 0.9)
FROM signal_relationship_requests q
JOIN relationship_days r ON r.client = q.client AND r.day = q.day
GROUP BY ALL;
