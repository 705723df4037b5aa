-- Measurement: synced platform posts, their metric snapshots, scored creatives (ads content),
-- promoted creatives (paid ads) and recommendations.

-- One row per published post measurement knows about (pp_ ids from post.published, or UGC
-- injected through the control API). The inputs of the synthetic model live in `data`.
CREATE TABLE metric_posts (
    id TEXT PRIMARY KEY,                 -- pp_<ULID>
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    social_account_id TEXT,
    container_id TEXT,
    layer_id TEXT,
    platform TEXT NOT NULL,              -- tiktok | instagram
    source_type TEXT NOT NULL,           -- content_container | platform_post | manual
    published_at TEXT NOT NULL,
    first_synced_at TEXT,                -- the first posts-sync tick >= published_at
    next_sync_at TEXT,                   -- NULL once the post's numbers are frozen
    data TEXT NOT NULL
);
CREATE INDEX metric_posts_project ON metric_posts(tenant_id, project_id, published_at);
CREATE INDEX metric_posts_sync ON metric_posts(tenant_id, next_sync_at);
CREATE INDEX metric_posts_account ON metric_posts(tenant_id, social_account_id, published_at);
CREATE INDEX metric_posts_layer ON metric_posts(tenant_id, layer_id, published_at);
CREATE INDEX metric_posts_container ON metric_posts(tenant_id, container_id);

-- Cumulative counters of one post as seen by one posts-sync tick.
CREATE TABLE post_metrics (
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    post_id TEXT NOT NULL,
    at TEXT NOT NULL,                    -- the sync instant
    views INTEGER NOT NULL,
    reach INTEGER NOT NULL,
    impressions INTEGER NOT NULL,
    likes INTEGER NOT NULL,
    comments INTEGER NOT NULL,
    shares INTEGER NOT NULL,
    saves INTEGER NOT NULL,
    watch_time_ms INTEGER NOT NULL,
    followers_gained INTEGER NOT NULL,
    PRIMARY KEY (post_id, at)
);
CREATE INDEX post_metrics_tenant_at ON post_metrics(tenant_id, post_id, at);

-- Scored creatives: one per generated / uploaded container and per synced UGC post.
CREATE TABLE ads_content (
    id TEXT PRIMARY KEY,                 -- adc_<ULID>
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    source_type TEXT NOT NULL,
    scoring_pool TEXT NOT NULL,          -- generated | ugc | manual
    container_id TEXT,
    platform_post_id TEXT,
    organic_score REAL,
    scored_at TEXT,
    override TEXT,
    eligible INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX ads_content_project ON ads_content(tenant_id, project_id, created_at);
CREATE INDEX ads_content_container ON ads_content(tenant_id, container_id);
CREATE INDEX ads_content_post ON ads_content(tenant_id, platform_post_id);

-- Promoted creatives: one synthetic ad per (creative, platform) promotion.
CREATE TABLE ad_promotions (
    id TEXT PRIMARY KEY,                 -- ad_<uuid>
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    ads_content_id TEXT NOT NULL,
    platform TEXT NOT NULL,              -- meta_ads | tiktok_ads | apple_ads
    status TEXT NOT NULL,                -- active | paused
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX ad_promotions_project ON ad_promotions(tenant_id, project_id, created_at);
CREATE INDEX ad_promotions_content ON ad_promotions(tenant_id, ads_content_id);

CREATE TABLE recommendations (
    id TEXT PRIMARY KEY,                 -- rec_<uuid>
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    kind TEXT NOT NULL,                  -- value_propositions | refresh_fatigued
    subject_key TEXT NOT NULL,           -- dedupe: one row per (kind, subject)
    status TEXT NOT NULL,                -- open | acknowledged | dismissed | acted_on
    confidence REAL NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX recommendations_project ON recommendations(tenant_id, project_id, created_at);
CREATE UNIQUE INDEX recommendations_subject ON recommendations(tenant_id, project_id, kind, subject_key);
