-- Each rebuild records the fingerprint of what the signals were computed with besides the posts: the
-- signal code (signals/*.sql, rebuild.py, network.py) and the clients' settings (time zone, language,
-- brands and their roles and handles). A rebuild that finds another fingerprint than the last one
-- recomputes every day and drops the rows of clients that were removed (signals/rebuild.py): without it
-- a client's new time zone, a removed client or an upgraded signal left the old rows in place.
-- Rebuilds from before this migration have none: the first rebuild after it recomputes everything once.
ALTER TABLE signal_rebuilds ADD COLUMN fingerprint VARCHAR;
