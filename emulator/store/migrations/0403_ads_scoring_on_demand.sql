-- Organic scoring runs on demand (services/ads_content.py catch_up): per project, the instant
-- its creatives, scores and recommendations were last brought up to date.
CREATE TABLE ads_scoring (
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    through TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id)
);
-- Files written by the timer-driven runs: up to date as of each project's last run.
INSERT INTO ads_scoring(tenant_id, project_id, through)
    SELECT tenant_id, project_id, MAX(scored_at) FROM ads_content WHERE scored_at IS NOT NULL
    GROUP BY tenant_id, project_id;
-- Neither timer exists any more: first syncs and scoring ticks are replayed by the catch-up.
DELETE FROM timers WHERE kind IN ('organic.score', 'metrics.sync');
UPDATE metric_posts SET next_sync_at = NULL;
