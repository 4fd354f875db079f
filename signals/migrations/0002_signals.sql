-- Signal tables, rebuilt incrementally by signals/rebuild.py from the SQL files in signals/.
-- Every `day` is a CLIENT-LOCAL calendar day (created_at converted with clients.timezone); every
-- `week` is the Monday of a client-local ISO week. The meaning of each table and column is in the
-- header of the SQL file that fills it (`rete signals describe NAME`) and in signals/README.md.

-- Normalised-text key of every post, the basis of coordinated/duplicate detection.
-- The large per-post tables (this one, signal_mention_facts, signal_relationship_requests) have no
-- key constraints: DuckDB rewrites a table's ART indexes at every checkpoint, and the joins that
-- read these tables are hash joins that never use them. The rebuild's DELETE+INSERT by scope keeps
-- them unique.
CREATE TABLE signal_post_keys (
    post_id      VARCHAR NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    author       VARCHAR NOT NULL,
    content_key  VARCHAR                       -- NULL when the normalised text is too short to judge
);

CREATE TABLE signal_coordinated_clusters (
    content_key  VARCHAR PRIMARY KEY,
    posts        INTEGER NOT NULL,
    authors      INTEGER NOT NULL,
    first_seen   TIMESTAMPTZ NOT NULL,
    last_seen    TIMESTAMPTZ NOT NULL,
    sample_post_id VARCHAR NOT NULL,
    sample_text  VARCHAR NOT NULL
);

CREATE TABLE signal_coordinated_posts (
    post_id      VARCHAR PRIMARY KEY,
    content_key  VARCHAR NOT NULL
);

CREATE TABLE signal_mention_facts (
    client           VARCHAR NOT NULL,
    brand            VARCHAR NOT NULL,
    role             VARCHAR NOT NULL,
    day              DATE NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    post_id          VARCHAR NOT NULL,
    author           VARCHAR NOT NULL,
    by_brand_account BOOLEAN NOT NULL,
    coordinated      BOOLEAN NOT NULL,
    sentiment_label  VARCHAR NOT NULL,
    sentiment_score  DOUBLE NOT NULL,
    engagement       BIGINT NOT NULL,
    intents          VARCHAR[] NOT NULL,
    themes           VARCHAR[] NOT NULL,
    thread_id        VARCHAR NOT NULL,
    url              VARCHAR
);

CREATE TABLE signal_brand_daily (
    client           VARCHAR NOT NULL,
    brand            VARCHAR NOT NULL,
    role             VARCHAR NOT NULL,
    day              DATE NOT NULL,
    mentions         INTEGER NOT NULL,
    unique_authors   INTEGER NOT NULL,
    positive         INTEGER NOT NULL,
    negative         INTEGER NOT NULL,
    neutral          INTEGER NOT NULL,
    mixed            INTEGER NOT NULL,
    net_sentiment    DOUBLE,
    positive_share   DOUBLE,
    negative_share   DOUBLE,
    share_of_voice   DOUBLE,
    coordinated_mentions INTEGER NOT NULL,
    PRIMARY KEY (client, brand, day)
);

CREATE TABLE signal_brand_weekly (
    client           VARCHAR NOT NULL,
    brand            VARCHAR NOT NULL,
    role             VARCHAR NOT NULL,
    week             DATE NOT NULL,
    mentions         INTEGER NOT NULL,
    unique_authors   INTEGER NOT NULL,
    positive         INTEGER NOT NULL,
    negative         INTEGER NOT NULL,
    neutral          INTEGER NOT NULL,
    mixed            INTEGER NOT NULL,
    net_sentiment    DOUBLE,
    positive_share   DOUBLE,
    negative_share   DOUBLE,
    share_of_voice   DOUBLE,
    coordinated_mentions INTEGER NOT NULL,
    PRIMARY KEY (client, brand, week)
);

CREATE TABLE signal_participation_daily (
    client              VARCHAR NOT NULL,
    brand               VARCHAR NOT NULL,
    day                 DATE NOT NULL,
    unique_authors      INTEGER NOT NULL,
    new_authors         INTEGER NOT NULL,
    returning_authors   INTEGER NOT NULL,
    posts               INTEGER NOT NULL,
    engagement          BIGINT NOT NULL,
    engagement_per_post DOUBLE,
    threads             INTEGER NOT NULL,
    avg_thread_posts    DOUBLE,
    max_thread_depth    INTEGER,
    avg_thread_depth    DOUBLE,
    PRIMARY KEY (client, brand, day)
);

CREATE TABLE signal_relationship_requests (
    client            VARCHAR NOT NULL,
    brand             VARCHAR NOT NULL,
    role              VARCHAR NOT NULL,
    day               DATE NOT NULL,
    post_id           VARCHAR NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    author            VARCHAR NOT NULL,
    kind              VARCHAR NOT NULL,         -- question | complaint | support_request
    intents           VARCHAR[] NOT NULL,
    thread_id         VARCHAR NOT NULL,
    url               VARCHAR,
    text              VARCHAR NOT NULL,
    answered          BOOLEAN NOT NULL,
    first_response_at TIMESTAMPTZ,
    first_response_post_id VARCHAR,
    response_minutes  DOUBLE
);

CREATE TABLE signal_relationship_daily (
    client                  VARCHAR NOT NULL,
    brand                   VARCHAR NOT NULL,
    role                    VARCHAR NOT NULL,
    day                     DATE NOT NULL,
    requests                INTEGER NOT NULL,
    questions               INTEGER NOT NULL,
    complaints              INTEGER NOT NULL,
    support_requests        INTEGER NOT NULL,
    answered                INTEGER NOT NULL,
    share_answered          DOUBLE,
    median_response_minutes DOUBLE,
    p90_response_minutes    DOUBLE,
    PRIMARY KEY (client, brand, day)
);

CREATE TABLE signal_terms_daily (
    client   VARCHAR NOT NULL,
    day      DATE NOT NULL,
    kind     VARCHAR NOT NULL,                  -- theme | hashtag
    term     VARCHAR NOT NULL,
    posts    INTEGER NOT NULL,
    authors  INTEGER NOT NULL,
    PRIMARY KEY (client, day, kind, term)
);

CREATE TABLE signal_client_posts_daily (
    client   VARCHAR NOT NULL,
    day      DATE NOT NULL,
    posts    INTEGER NOT NULL,                  -- non-coordinated posts mentioning the client's brand set
    PRIMARY KEY (client, day)
);

CREATE TABLE signal_theme_brand_daily (
    client   VARCHAR NOT NULL,
    brand    VARCHAR NOT NULL,
    day      DATE NOT NULL,
    theme    VARCHAR NOT NULL,
    posts    INTEGER NOT NULL,
    share_of_brand_posts DOUBLE NOT NULL,
    PRIMARY KEY (client, brand, day, theme)
);

CREATE TABLE signal_interest_trends (
    client        VARCHAR NOT NULL,
    day           DATE NOT NULL,                -- last day of the 7-day window
    kind          VARCHAR NOT NULL,
    term          VARCHAR NOT NULL,
    posts_7d      INTEGER NOT NULL,
    total_7d      INTEGER NOT NULL,
    baseline_28d  INTEGER NOT NULL,
    baseline_total_28d INTEGER NOT NULL,
    expected_7d   DOUBLE NOT NULL,
    growth        DOUBLE,
    p_value       DOUBLE,
    emerging      BOOLEAN NOT NULL,
    PRIMARY KEY (client, day, kind, term)
);

CREATE TABLE signal_spikes (
    client          VARCHAR NOT NULL,
    brand           VARCHAR NOT NULL,
    day             DATE NOT NULL,
    metric          VARCHAR NOT NULL,           -- volume | negative_share
    value           DOUBLE NOT NULL,
    baseline        DOUBLE NOT NULL,
    baseline_spread DOUBLE NOT NULL,
    baseline_kind   VARCHAR NOT NULL,           -- same_weekday_8w | trailing_28d
    robust_z        DOUBLE NOT NULL,
    mentions        INTEGER NOT NULL,
    top_post_ids    VARCHAR[] NOT NULL,
    top_post_urls   VARCHAR[] NOT NULL,
    top_authors     VARCHAR[] NOT NULL,
    top_terms       VARCHAR[] NOT NULL,
    explanation     VARCHAR NOT NULL,
    PRIMARY KEY (client, brand, day, metric)
);

CREATE TABLE signal_network_edges (
    client   VARCHAR NOT NULL,
    week     DATE NOT NULL,
    source   VARCHAR NOT NULL,                  -- the author who replied / quoted / reposted / mentioned
    target   VARCHAR NOT NULL,                  -- the author addressed
    kind     VARCHAR NOT NULL,                  -- reply | quote | repost | mention
    weight   INTEGER NOT NULL,
    PRIMARY KEY (client, week, source, target, kind)
);

CREATE TABLE signal_network_carriers (
    client            VARCHAR NOT NULL,
    week              DATE NOT NULL,
    author            VARCHAR NOT NULL,
    posts             INTEGER NOT NULL,
    cascade_reach     INTEGER NOT NULL,
    direct_responders INTEGER NOT NULL,
    rank              INTEGER NOT NULL,
    PRIMARY KEY (client, week, author)
);

CREATE TABLE signal_network_bridges (
    client               VARCHAR NOT NULL,
    week                 DATE NOT NULL,
    author               VARCHAR NOT NULL,
    community            INTEGER NOT NULL,
    communities_touched  INTEGER NOT NULL,
    betweenness          DOUBLE NOT NULL,
    rank                 INTEGER NOT NULL,
    PRIMARY KEY (client, week, author)
);

CREATE TABLE signal_rebuilds (
    rebuilt_at   TIMESTAMPTZ NOT NULL,
    utc_days     DATE[] NOT NULL,
    local_days   INTEGER NOT NULL,
    history_days INTEGER NOT NULL,
    weeks        INTEGER NOT NULL,
    seconds      DOUBLE NOT NULL
);

-- Stable views for consultants and BI tools (documented in signals/README.md). Change a view's
-- columns only by adding new ones.
CREATE VIEW v_brand_daily AS
SELECT b.client, b.brand, b.role, b.day, b.mentions, b.unique_authors, b.positive, b.negative,
       b.neutral, b.mixed, b.net_sentiment, b.positive_share, b.negative_share, b.share_of_voice,
       b.coordinated_mentions, p.new_authors, p.returning_authors, p.engagement_per_post,
       p.avg_thread_depth, p.max_thread_depth
FROM signal_brand_daily b
LEFT JOIN signal_participation_daily p USING (client, brand, day);

CREATE VIEW v_brand_weekly AS SELECT * FROM signal_brand_weekly;

CREATE VIEW v_relationship_requests AS SELECT * FROM signal_relationship_requests;

CREATE VIEW v_relationship_queue AS
SELECT client, brand, post_id, created_at, day, author, kind, url, text,
       date_diff('hour', created_at, now()) AS waiting_hours
FROM signal_relationship_requests
WHERE NOT answered AND role = 'own'
ORDER BY created_at;

CREATE VIEW v_relationship_daily AS SELECT * FROM signal_relationship_daily;

CREATE VIEW v_interest_daily AS SELECT * FROM signal_terms_daily;

CREATE VIEW v_interest_trends AS SELECT * FROM signal_interest_trends;

-- The ISO-week reading of interest trends: the 7-day window ending on Sunday is Monday..Sunday.
CREATE VIEW v_interest_weekly AS
SELECT CAST(day - 6 AS DATE) AS week, * EXCLUDE (day) FROM signal_interest_trends WHERE isodow(day) = 7;

CREATE VIEW v_emerging AS
SELECT * FROM signal_interest_trends WHERE emerging ORDER BY client, day, p_value;

CREATE VIEW v_theme_brand_daily AS SELECT * FROM signal_theme_brand_daily;

CREATE VIEW v_spikes AS SELECT * FROM signal_spikes ORDER BY client, day, brand, metric;

CREATE VIEW v_network_carriers AS SELECT * FROM signal_network_carriers ORDER BY client, week, rank;

CREATE VIEW v_network_bridges AS SELECT * FROM signal_network_bridges ORDER BY client, week, rank;

CREATE VIEW v_network_edges AS SELECT * FROM signal_network_edges;

CREATE VIEW v_coordinated_clusters AS
SELECT * FROM signal_coordinated_clusters ORDER BY authors DESC, posts DESC;
