-- Coordinated content is judged within a coordination window, the UTC ISO week: a cluster is a
-- content key carried by at least 3 distinct authors in one week (signals/coordinated_content.sql).
-- Campaigns, bots and copy-paste waves are bursts; a slogan repeated by strangers months apart is
-- not one. The window also bounds the daily rebuild's lookup of a key's posts to the rebuilt
-- weeks, where "any time" made every run read the keys of the whole history.
-- The tables gain the week (and a flagged post its instant, for the days to recompute); every
-- stored day is queued, so the next rebuild fills them again.
DROP VIEW v_coordinated_clusters;
DROP TABLE signal_coordinated_clusters;
CREATE TABLE signal_coordinated_clusters (
    content_key    VARCHAR NOT NULL,
    week           DATE NOT NULL,               -- Monday of the UTC ISO week
    posts          INTEGER NOT NULL,
    authors        INTEGER NOT NULL,
    first_seen     TIMESTAMPTZ NOT NULL,
    last_seen      TIMESTAMPTZ NOT NULL,
    sample_post_id VARCHAR NOT NULL,
    sample_text    VARCHAR NOT NULL,
    PRIMARY KEY (content_key, week)
);
DROP TABLE signal_coordinated_posts;
CREATE TABLE signal_coordinated_posts (
    post_id      VARCHAR PRIMARY KEY,
    content_key  VARCHAR NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE VIEW v_coordinated_clusters AS
SELECT * FROM signal_coordinated_clusters ORDER BY authors DESC, posts DESC;
INSERT INTO pending_signal_days SELECT DISTINCT CAST(created_at AS DATE) FROM posts ON CONFLICT DO NOTHING;
