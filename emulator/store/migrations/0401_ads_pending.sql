-- Ads authority gate: per-campaign axis modes, and the optimizer actions waiting for approval
-- (pending actions, "recommendations" of the ads pages).
CREATE TABLE ads_authority (
    id TEXT PRIMARY KEY,                 -- the campaign id (cmp_...)
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    platform TEXT NOT NULL,              -- meta_ads | tiktok_ads | apple_ads
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);

CREATE TABLE ads_pending (
    id TEXT PRIMARY KEY,                 -- pa_...
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    status TEXT NOT NULL,                -- pending | approved | rejected | dispatched | dispatch_failed
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX ads_pending_project ON ads_pending(tenant_id, project_id, platform, status, created_at);
