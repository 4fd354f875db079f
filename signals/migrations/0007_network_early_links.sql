-- The links that a post stored (or moved) in a rebuilt range can concern although they lie before
-- that range: a reply, quote or repost whose target is not stored, or is dated after it (filled
-- and read by signals/network_links.sql). Every other link is dated at or after its target, so the
-- links to the rebuilt range's posts are the links from the range's start on plus these: the daily
-- rebuild reads those by time range instead of the target_id column of every link ever stored.
-- target_author mirrors the link's row in signal_network_links. No key, like signal_network_links.
CREATE TABLE signal_network_early_links (
    created_at     TIMESTAMPTZ NOT NULL,     -- the linking post's UTC instant
    post_id        VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL,         -- reply | quote | repost
    target_id      VARCHAR NOT NULL,
    target_author  VARCHAR                   -- NULL while the target is not stored
);

-- Existing warehouses: the early links among the stored ones, as of this migration.
INSERT INTO signal_network_early_links
SELECT l.created_at, l.post_id, l.kind, l.target_id, l.target_author
FROM signal_network_links l LEFT JOIN posts t ON t.id = l.target_id
WHERE l.target_id IS NOT NULL AND (t.id IS NULL OR t.created_at > l.created_at)
ORDER BY l.created_at;
