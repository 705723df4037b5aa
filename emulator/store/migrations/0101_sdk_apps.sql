-- SDK apps (one project may have several; created directly or by a GitHub ingest).
CREATE TABLE sdk_apps (
    id TEXT PRIMARY KEY,                 -- app_<24 hex>
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    key_hash TEXT,                       -- sha256 of the current SDK key
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX sdk_apps_project ON sdk_apps(tenant_id, project_id, created_at, id);
