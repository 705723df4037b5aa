-- metric_posts(tenant_id, next_sync_at) served the stored sync ticks that 0402 retired: numbers are
-- computed when read and next_sync_at stays NULL. No query reads it; every published post still
-- wrote an entry.
DROP INDEX metric_posts_sync;
