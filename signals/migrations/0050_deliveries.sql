-- Ledger of e-mails Rete sends (weekly reports, spike alerts), so that none is ever sent twice.
-- Grain: one row per (kind, client, key) — key is the ISO week of a report or the spike's
-- day:kind:brand. message_id is deterministic, so a resend after an unknown outcome carries the same
-- Message-ID and receiving mail systems can drop the duplicate.
-- status: sending (claimed, outcome unknown until updated) | sent | failed (error holds why).
CREATE TABLE deliveries (
    kind        VARCHAR NOT NULL,             -- weekly_report | spike_alert
    client      VARCHAR NOT NULL,
    key         VARCHAR NOT NULL,
    message_id  VARCHAR NOT NULL,
    recipients  VARCHAR[] NOT NULL,
    status      VARCHAR NOT NULL,
    attempts    INTEGER NOT NULL,
    error       VARCHAR,
    claimed_at  TIMESTAMPTZ NOT NULL,
    sent_at     TIMESTAMPTZ,
    PRIMARY KEY (kind, client, key)
);
