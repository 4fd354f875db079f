-- Core tables of the Rete warehouse. All timestamps are TIMESTAMPTZ holding UTC instants; the
-- connection's TimeZone is set to UTC, and signals convert to each client's zone explicitly.

-- One row per post, comment, reply or feed item, upserted by id (platform:native_id).
CREATE TABLE posts (
    id               VARCHAR PRIMARY KEY,
    platform         VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,      -- workspace source that last fetched it
    native_id        VARCHAR NOT NULL,
    url              VARCHAR,
    author_id        VARCHAR,
    author_handle    VARCHAR,               -- with leading @ where the platform has handles
    author_name      VARCHAR,
    author_followers BIGINT,
    title            VARCHAR,
    text             VARCHAR NOT NULL,
    source_lang      VARCHAR,               -- language given by the platform, if any
    created_at       TIMESTAMPTZ NOT NULL,
    parent_id        VARCHAR,               -- post this one replies to
    thread_id        VARCHAR,               -- root of the conversation
    quoted_id        VARCHAR,
    reposted_id      VARCHAR,
    likes            BIGINT,
    replies          BIGINT,
    shares           BIGINT,
    views            BIGINT,
    fetched_at       TIMESTAMPTZ NOT NULL,
    first_seen_at    TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    content_hash     VARCHAR NOT NULL,      -- md5 of title+text: enrichment is redone when it changes
    raw              JSON
);

-- Each source's resume point, written in the same transaction as the posts it covers.
CREATE TABLE cursors (
    source     VARCHAR PRIMARY KEY,
    cursor     JSON NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- One row per fetch of a source, for health and `rete sources status`.
CREATE TABLE source_runs (
    source        VARCHAR NOT NULL,
    run_id        VARCHAR NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ NOT NULL,
    status        VARCHAR NOT NULL,        -- ok | partial (some records skipped) | failed
    posts_fetched INTEGER NOT NULL,
    posts_new     INTEGER NOT NULL,
    error         VARCHAR,
    problems      INTEGER NOT NULL,
    problem_samples VARCHAR[],
    PRIMARY KEY (source, run_id)
);

-- The workspace's clients and which brands they watch, refreshed from workspace.yaml on each run.
CREATE TABLE clients (
    client   VARCHAR PRIMARY KEY,              -- slug
    name     VARCHAR NOT NULL,
    language VARCHAR NOT NULL,
    timezone VARCHAR NOT NULL
);

CREATE TABLE client_brands (
    client  VARCHAR NOT NULL,
    brand   VARCHAR NOT NULL,
    role    VARCHAR NOT NULL,                  -- own | competitor
    handles VARCHAR[] NOT NULL,                -- the brand's own accounts, lower-case with @
    PRIMARY KEY (client, brand)
);

-- NLP output per post. config_hash identifies the model + brand/theme configuration that produced
-- it, so a change of either re-enriches.
CREATE TABLE enrichments (
    post_id         VARCHAR PRIMARY KEY,
    content_hash    VARCHAR NOT NULL,
    config_hash     VARCHAR NOT NULL,
    lang            VARCHAR NOT NULL,
    sentiment_label VARCHAR NOT NULL,
    sentiment_score DOUBLE NOT NULL,
    intents         VARCHAR[] NOT NULL,
    themes          VARCHAR[] NOT NULL,
    enriched_at     TIMESTAMPTZ NOT NULL
);

-- One row per brand mention found in a post, with the sentiment aimed at that brand.
CREATE TABLE mentions (
    post_id         VARCHAR NOT NULL,
    brand           VARCHAR NOT NULL,
    start_char      INTEGER NOT NULL,
    end_char        INTEGER NOT NULL,
    matched_text    VARCHAR NOT NULL,
    sentiment_label VARCHAR NOT NULL,
    sentiment_score DOUBLE NOT NULL,
    PRIMARY KEY (post_id, brand, start_char)
);

-- UTC days whose signals must be rebuilt, added when posts on them are (re-)enriched and
-- consumed by the signal rebuild in its own transaction, so a failed rebuild is retried next run.
CREATE TABLE pending_signal_days (
    day DATE PRIMARY KEY
);

CREATE VIEW source_health AS
WITH ordered AS (
    SELECT *,
           row_number() OVER (PARTITION BY source ORDER BY finished_at DESC) AS recency
    FROM source_runs
),
streak AS (
    -- failures since the latest non-failed run
    SELECT o.source, count(*) AS consecutive_failures
    FROM ordered o
    WHERE o.status = 'failed'
      AND o.finished_at > coalesce(
          (SELECT max(finished_at) FROM source_runs s WHERE s.source = o.source AND s.status <> 'failed'),
          TIMESTAMPTZ '1970-01-01 00:00:00+00')
    GROUP BY o.source
)
SELECT r.source,
       max(r.finished_at) FILTER (WHERE r.status <> 'failed') AS last_success_at,
       max(r.finished_at) FILTER (WHERE r.status = 'failed')  AS last_error_at,
       arg_max(r.error, r.finished_at) FILTER (WHERE r.error IS NOT NULL) AS last_error,
       coalesce(any_value(s.consecutive_failures), 0)          AS consecutive_failures,
       sum(r.posts_fetched)                                    AS posts_fetched_total,
       coalesce(any_value(s.consecutive_failures), 0) < 3      AS healthy
FROM source_runs r
LEFT JOIN streak s USING (source)
GROUP BY r.source;
