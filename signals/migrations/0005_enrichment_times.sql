-- enrichments and mentions carry their post's created_at, so that a daily rebuild reads the
-- rebuilt days' rows by time range (DuckDB skips row groups by their min/max) instead of probing
-- the whole tables with the days' post ids: ids from several platforms span the whole id range,
-- so no id range prunes anything. Kept equal to posts.created_at by the enrich step
-- (rete/pipeline.py) and by the loader when a stored post moves (signals/load.py).
ALTER TABLE enrichments ADD COLUMN created_at TIMESTAMPTZ;
ALTER TABLE mentions ADD COLUMN created_at TIMESTAMPTZ;
UPDATE enrichments e SET created_at = p.created_at FROM posts p WHERE p.id = e.post_id;
UPDATE mentions m SET created_at = p.created_at FROM posts p WHERE p.id = m.post_id;
