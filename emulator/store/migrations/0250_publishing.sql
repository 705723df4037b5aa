-- Publishing (025x-029x): platform posts created when a scheduled post goes live, stashed
-- schedule intents of containers awaiting approval, and per-project engagement configs.

-- A post live on a (fake) platform. Created by the publisher at publish time; measurement
-- reads these for metrics (seed 004: posts live in platform_posts, id prefix pp_).
CREATE TABLE platform_posts (
    id TEXT PRIMARY KEY,                 -- pp_<ulid>
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    social_account_id TEXT NOT NULL,
    platform TEXT NOT NULL,              -- tiktok | instagram
    external_id TEXT NOT NULL,
    published_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX platform_posts_project ON platform_posts(tenant_id, project_id, published_at, id);
CREATE INDEX platform_posts_account ON platform_posts(tenant_id, social_account_id, published_at);
CREATE INDEX platform_posts_external ON platform_posts(platform, external_id);

-- POST /v1/content/:id/schedule on a pending container: the validated request waits here
-- until approve promotes it into scheduled posts (reject or archive drops it).
CREATE TABLE schedule_intents (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    container_id TEXT NOT NULL,
    status TEXT NOT NULL,                -- stashed | promoted | dropped
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX schedule_intents_container ON schedule_intents(tenant_id, container_id, status);

-- GET/PATCH /v1/projects/:id/engagement: one Social Engagement config per project.
CREATE TABLE engagement_configs (
    id TEXT PRIMARY KEY,                 -- the engagement layer id (pl_...)
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE UNIQUE INDEX engagement_configs_project ON engagement_configs(tenant_id, project_id);
