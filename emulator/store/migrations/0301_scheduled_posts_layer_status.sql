-- A layer's rows in one status (its pending_assets rows, its ready rows), in time order. Without
-- it SQLite answered from scheduled_posts_due, walking that status's rows of every layer of the
-- organization: a thousand automatic projects made each lookup a thousand times slower.
CREATE INDEX scheduled_posts_layer_status ON scheduled_posts(layer_id, status, scheduled_at);
