-- Name: relationship_requests
-- Table: signal_relationship_requests
-- Meaning: posts that ask a brand something or complain to it, and whether the brand's own
--   accounts answered in the conversation. A request is a post mentioning the brand whose intents
--   include question, complaint or support_request, not written by a client's brand account.
--   It is answered when an account listed in the brand's handles (client_brands.handles) posts in
--   the same thread (thread_id, or a direct reply) after it; the first such post is the response.
-- Grain: one row per client, brand, request post.
-- Columns:
--   day: client-local day of the request; created_at: its UTC instant
--   post_id, url, text, author, thread_id: the request
--   kind: complaint if the post complains, else support_request, else question
--   intents: all intents of the post
--   answered: a brand account replied in the thread after the request
--   first_response_at, first_response_post_id: the first such reply
--   response_minutes: minutes from the request to the first response
-- Caveats: only replies stored in the warehouse count; an answer by DM or phone is invisible.
--   Competitors' requests are kept too (role = competitor) to compare responsiveness.
-- Late data: requests of the rebuilt days are recomputed, and so are stored requests in every
--   conversation that received a post during the rebuilt days (a late answer updates the
--   request's own, older day; relationship_daily follows those days).
CREATE OR REPLACE TEMP TABLE touched_requests AS
SELECT f.client, f.brand, f.post_id, f.day, f.created_at
FROM signal_mention_facts f
JOIN rebuild_days r ON r.client = f.client AND r.day = f.day
WHERE NOT f.by_brand_account
  AND f.day BETWEEN getvariable('rebuild_first_day') AND getvariable('rebuild_last_day')
  AND list_has_any(f.intents, ['question', 'complaint', 'support_request'])
UNION
SELECT q.client, q.brand, q.post_id, q.day, q.created_at
FROM signal_relationship_requests q
-- the stored requests of every client's conversations that got a post in its rebuilt days (by
-- thread, or as the post replied to): a request can be of any age, so this reads the whole table;
-- a semi-join with those (client, conversation) pairs, not a subquery per request's client, which
-- cost twice as much
SEMI JOIN (
    SELECT b.client, unnest([coalesce(p.thread_id, p.id), p.parent_id]) AS thread_id
    FROM posts p JOIN rebuild_bounds b ON p.created_at >= b.lo AND p.created_at < b.hi
    WHERE p.created_at >= getvariable('rebuild_lo') AND p.created_at < getvariable('rebuild_hi')
) t ON t.client = q.client AND t.thread_id = q.thread_id;

-- The touched requests' time range: their facts and posts lie in it, and their answers after it.
SET VARIABLE requests_first_day = (SELECT min(day) FROM touched_requests);
SET VARIABLE requests_last_day = (SELECT max(day) FROM touched_requests);
SET VARIABLE requests_first_at = (SELECT min(created_at) FROM touched_requests);
SET VARIABLE requests_last_at = (SELECT max(created_at) FROM touched_requests);

-- Days whose relationship_daily must be recomputed: the touched requests' days, old and new.
CREATE OR REPLACE TEMP TABLE relationship_days AS
SELECT DISTINCT q.client, q.day FROM signal_relationship_requests q
JOIN touched_requests t USING (client, brand, post_id)
UNION
SELECT client, day FROM rebuild_days;

DELETE FROM signal_relationship_requests q USING touched_requests t
WHERE q.client = t.client AND q.brand = t.brand AND q.post_id = t.post_id;

INSERT INTO signal_relationship_requests
WITH requests AS (
    SELECT f.* FROM signal_mention_facts f
    JOIN touched_requests t USING (client, brand, post_id)
    WHERE NOT f.by_brand_account
      AND f.day BETWEEN getvariable('requests_first_day') AND getvariable('requests_last_day')
      AND list_has_any(f.intents, ['question', 'complaint', 'support_request'])
),
brand_posts AS (
    -- posts by brand accounts in the requests' conversations; two equi-joins, not one OR-join,
    -- so DuckDB can hash-join them
    SELECT p.id, p.created_at, lower(p.author_handle) AS handle, coalesce(p.thread_id, p.id) AS thread_id,
           p.parent_id
    FROM posts p
    WHERE p.created_at > getvariable('requests_first_at')  -- an answer comes after its request
      AND lower(p.author_handle) IN (SELECT unnest(handles) FROM client_brands)
      AND (coalesce(p.thread_id, p.id) IN (SELECT thread_id FROM requests)
           OR p.parent_id IN (SELECT post_id FROM requests))
),
candidates AS (
    SELECT q.client, q.brand, q.post_id, q.created_at AS asked_at, b.id, b.created_at, b.handle
    FROM requests q JOIN brand_posts b ON b.thread_id = q.thread_id
    UNION
    SELECT q.client, q.brand, q.post_id, q.created_at, b.id, b.created_at, b.handle
    FROM requests q JOIN brand_posts b ON b.parent_id = q.post_id
),
responses AS (
    SELECT c.client, c.brand, c.post_id,
           arg_min(c.id, (c.created_at, c.id)) AS response_id,
           min(c.created_at) AS response_at
    FROM candidates c
    JOIN client_brands cb ON cb.client = c.client AND cb.brand = c.brand
    WHERE c.created_at > c.asked_at AND list_contains(cb.handles, c.handle)
    GROUP BY ALL
)
SELECT q.client, q.brand, q.role, q.day, q.post_id, q.created_at, q.author,
       CASE WHEN list_contains(q.intents, 'complaint') THEN 'complaint'
            WHEN list_contains(q.intents, 'support_request') THEN 'support_request'
            ELSE 'question' END,
       q.intents, q.thread_id, q.url, p.text,
       r.response_id IS NOT NULL,
       r.response_at, r.response_id,
       date_diff('second', q.created_at, r.response_at) / 60.0
FROM requests q
JOIN posts p ON p.id = q.post_id
    AND p.created_at BETWEEN getvariable('requests_first_at') AND getvariable('requests_last_at')
LEFT JOIN responses r USING (client, brand, post_id)
ORDER BY q.day, q.created_at;
