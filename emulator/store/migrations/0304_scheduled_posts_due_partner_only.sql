-- scheduled_posts_due serves the partner publisher (layer_id IS NULL rows due by status and
-- time). Layer rows have their own (layer_id, status, scheduled_at) index, and kept this one up to
-- date on every status change for nothing.
DROP INDEX scheduled_posts_due;
CREATE INDEX scheduled_posts_due ON scheduled_posts(tenant_id, status, scheduled_at) WHERE layer_id IS NULL;
