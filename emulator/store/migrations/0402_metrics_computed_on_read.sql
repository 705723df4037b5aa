-- Sync snapshots are computed when read (services/metric_posts.py), not stored.
-- `first_synced_at` now holds the first tick from registration on; `next_sync_at` is non-null
-- only while that first sync (which creates the post's creative) has not run yet.
UPDATE metric_posts SET next_sync_at = NULL WHERE first_synced_at IS NOT NULL;
UPDATE metric_posts SET first_synced_at = next_sync_at WHERE first_synced_at IS NULL;
DROP TABLE post_metrics;
