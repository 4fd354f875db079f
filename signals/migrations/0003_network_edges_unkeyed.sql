-- signal_network_edges loses its primary key, like the other large signal tables (see 0002): the
-- ART index over five text columns made every weekly DELETE+INSERT and every commit of the daily
-- rebuild pay for the whole table (seconds at 10 M mentions). signals/network.py replaces a
-- (client, week) whole, which keeps the rows unique. DuckDB cannot drop a key in place, so the
-- table is rebuilt, in week order so that a week's rows sit together.
CREATE TABLE signal_network_edges_unkeyed (
    client   VARCHAR NOT NULL,
    week     DATE NOT NULL,
    source   VARCHAR NOT NULL,                  -- the author who replied / quoted / reposted / mentioned
    target   VARCHAR NOT NULL,                  -- the author addressed
    kind     VARCHAR NOT NULL,                  -- reply | quote | repost | mention
    weight   INTEGER NOT NULL
);
INSERT INTO signal_network_edges_unkeyed SELECT * FROM signal_network_edges ORDER BY week, client;
DROP VIEW v_network_edges;
DROP TABLE signal_network_edges;
ALTER TABLE signal_network_edges_unkeyed RENAME TO signal_network_edges;
CREATE VIEW v_network_edges AS SELECT * FROM signal_network_edges;
