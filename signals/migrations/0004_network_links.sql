-- The network's per-post interaction links (filled by signals/network_links.sql, read by the
-- weekly network query), so that a daily rebuild reads a week's links by time range instead of
-- walking the week's posts and looking every target up in the whole posts table per client.
-- No key, like the other large per-post tables (see 0002); rows are inserted in created_at order.
CREATE TABLE signal_network_links (
    created_at     TIMESTAMPTZ NOT NULL,     -- the linking post's UTC instant
    post_id        VARCHAR NOT NULL,         -- the linking post
    author         VARCHAR NOT NULL,         -- its author (lower-case handle, else author id, else post id)
    thread_id      VARCHAR NOT NULL,         -- its conversation (thread_id, else the post id)
    quoted_id      VARCHAR,
    reposted_id    VARCHAR,
    kind           VARCHAR NOT NULL,         -- reply | quote | repost | mention
    target_id      VARCHAR,                  -- the post replied to, quoted or reposted; NULL for a mention
    target_author  VARCHAR                   -- its author (NULL if that post is not stored), or the @handle
);

-- Existing warehouses: the links of every stored post, as of this migration (a frozen copy of
-- signals/network_links.sql without its range, so that weeks rebuilt later read complete links).
INSERT INTO signal_network_links
WITH stored_posts AS (
    SELECT id, created_at, coalesce(lower(author_handle), author_id, id) AS author,
           coalesce(thread_id, id) AS thread_id, parent_id, quoted_id, reposted_id, text
    FROM posts
),
links AS (
    SELECT *, 'reply' AS kind, parent_id AS target_id FROM stored_posts WHERE parent_id IS NOT NULL
    UNION ALL
    SELECT *, 'quote', quoted_id FROM stored_posts WHERE quoted_id IS NOT NULL
    UNION ALL
    SELECT *, 'repost', reposted_id FROM stored_posts WHERE reposted_id IS NOT NULL
)
SELECT l.created_at, l.id, l.author, l.thread_id, l.quoted_id, l.reposted_id, l.kind, l.target_id,
       coalesce(lower(t.author_handle), t.author_id, t.id)
FROM links l LEFT JOIN posts t ON t.id = l.target_id
UNION ALL
SELECT created_at, id, author, thread_id, quoted_id, reposted_id, 'mention', NULL,
       unnest(list_distinct(regexp_extract_all(lower(text), '@[\w.]*\w')))
FROM stored_posts
ORDER BY created_at;
