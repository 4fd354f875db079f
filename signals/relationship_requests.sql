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
-- Late data: the requests of the rebuilt days are recomputed. A stored request of another day gets
--   its answer refreshed when its conversation received a post in the rebuilt range, or when its
--   answer lies there (that post may have changed or left the conversation); the request's day
--   then follows in relationship_daily. Only posts from the rebuilt range's start on are read: the
--   posts before it did not change, so an answer stored from before it stands, and any other answer
--   lies in the range or after it. A daily update thus reads its own day, however old the requests.

-- The requests of the rebuilt days, from their mention facts.
CREATE OR REPLACE TEMP TABLE rebuilt_requests AS
SELECT f.client, f.brand, f.role, f.day, f.post_id, f.created_at, f.author, f.intents, f.thread_id, f.url
FROM signal_mention_facts f
JOIN rebuild_days r ON r.client = f.client AND r.day = f.day
WHERE NOT f.by_brand_account
  AND f.day BETWEEN getvariable('rebuild_first_day') AND getvariable('rebuild_last_day')
  AND list_has_any(f.intents, ['question', 'complaint', 'support_request']);

-- Each client's conversations that got a post in its rebuilt days: by thread, or as the post replied to.
CREATE OR REPLACE TEMP TABLE touched_conversations AS
SELECT DISTINCT b.client, unnest([coalesce(p.thread_id, p.id), p.parent_id]) AS conversation
FROM posts p JOIN rebuild_bounds b ON p.created_at >= b.lo AND p.created_at < b.hi
WHERE p.created_at >= getvariable('rebuild_lo') AND p.created_at < getvariable('rebuild_hi');

-- Stored requests of other days whose answer may come from the rebuilt range. The requests table is
-- read once, whole (a request can be of any age, and requests are a small share of posts), each
-- request probed by its conversation and by its own id.
CREATE OR REPLACE TEMP TABLE reopened_requests AS
SELECT DISTINCT q.* EXCLUDE (conversation)
FROM (
    SELECT client, brand, post_id, day, created_at, thread_id, first_response_at, first_response_post_id,
           unnest(list_distinct([thread_id, post_id])) AS conversation
    FROM signal_relationship_requests
    WHERE first_response_at IS NULL OR first_response_at >= getvariable('rebuild_lo')
) q
WHERE (q.first_response_at < getvariable('rebuild_hi')
       OR EXISTS (SELECT 1 FROM touched_conversations t WHERE t.client = q.client AND t.conversation = q.conversation))
  AND NOT EXISTS (SELECT 1 FROM rebuild_days r WHERE r.client = q.client AND r.day = q.day);

-- The first answer of each of those requests from the range's start on.
CREATE OR REPLACE TEMP TABLE range_responses AS
WITH requests AS (
    SELECT client, brand, post_id, created_at, thread_id FROM rebuilt_requests
    UNION ALL
    SELECT client, brand, post_id, created_at, thread_id FROM reopened_requests
),
brand_posts AS (
    -- posts by brand accounts in the requests' conversations; two equi-joins, not one OR-join,
    -- so DuckDB can hash-join them
    SELECT p.id, p.created_at, lower(p.author_handle) AS handle, coalesce(p.thread_id, p.id) AS thread_id,
           p.parent_id
    FROM posts p
    WHERE p.created_at >= getvariable('rebuild_lo')
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
)
SELECT c.client, c.brand, c.post_id,
       arg_min(c.id, (c.created_at, c.id)) AS response_id,
       min(c.created_at) AS response_at,
       date_diff('second', any_value(c.asked_at), min(c.created_at)) / 60.0 AS response_minutes
FROM candidates c
JOIN client_brands cb ON cb.client = c.client AND cb.brand = c.brand
WHERE c.created_at > c.asked_at AND list_contains(cb.handles, c.handle)
GROUP BY ALL;

-- The reopened requests whose answer changed, and with it their day's relationship_daily row.
CREATE OR REPLACE TEMP TABLE changed_answers AS
SELECT q.client, q.brand, q.post_id, q.day, r.response_at, r.response_id, r.response_minutes
FROM reopened_requests q
LEFT JOIN range_responses r USING (client, brand, post_id)
WHERE r.response_id IS DISTINCT FROM q.first_response_post_id
   OR r.response_at IS DISTINCT FROM q.first_response_at;

CREATE OR REPLACE TEMP TABLE relationship_days AS
SELECT client, day FROM changed_answers
UNION
SELECT client, day FROM rebuild_days;

UPDATE signal_relationship_requests q
SET answered = c.response_id IS NOT NULL,
    first_response_at = c.response_at,
    first_response_post_id = c.response_id,
    response_minutes = c.response_minutes
FROM changed_answers c
WHERE q.client = c.client AND q.brand = c.brand AND q.post_id = c.post_id;

DELETE FROM signal_relationship_requests q USING rebuild_days r
WHERE q.client = r.client AND q.day = r.day
  AND q.day BETWEEN getvariable('rebuild_first_day') AND getvariable('rebuild_last_day');

INSERT INTO signal_relationship_requests
SELECT q.client, q.brand, q.role, q.day, q.post_id, q.created_at, q.author,
       CASE WHEN list_contains(q.intents, 'complaint') THEN 'complaint'
            WHEN list_contains(q.intents, 'support_request') THEN 'support_request'
            ELSE 'question' END,
       q.intents, q.thread_id, q.url, p.text,
       r.response_id IS NOT NULL,
       r.response_at, r.response_id, r.response_minutes
FROM rebuilt_requests q
JOIN posts p ON p.id = q.post_id
    AND p.created_at >= getvariable('rebuild_lo') AND p.created_at < getvariable('rebuild_hi')
LEFT JOIN range_responses r USING (client, brand, post_id)
ORDER BY q.day, q.created_at;
