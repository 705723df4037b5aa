-- Resources that several areas read and write: declared once here so onboarding, content,
-- publishing and distribution build on one shape. Each row keeps its full object in `data`
-- (JSON); the columns exist for the queries and indexes.
CREATE TABLE social_accounts (
    id TEXT PRIMARY KEY,                 -- sa_<uuid>
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    platform TEXT NOT NULL,              -- tiktok | instagram
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX social_accounts_project ON social_accounts(tenant_id, project_id, created_at, id);

CREATE TABLE influencers (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX influencers_project ON influencers(tenant_id, project_id, created_at, id);

CREATE TABLE containers (
    id TEXT PRIMARY KEY,                 -- cnt_<uuid>
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    status TEXT NOT NULL,                -- generation status
    approval_status TEXT,
    created_at TEXT NOT NULL,
    completed_at TEXT,
    data TEXT NOT NULL
);
CREATE INDEX containers_project ON containers(tenant_id, project_id, created_at, id);
CREATE INDEX containers_ready ON containers(tenant_id, project_id, status, completed_at);

-- Partner scheduled posts AND Social Distribution slots (layer_id set) share this table.
CREATE TABLE scheduled_posts (
    id TEXT PRIMARY KEY,                 -- sp_<uuid>
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    layer_id TEXT,                       -- pl_... for layer slots, NULL for partner posts
    social_account_id TEXT,
    container_id TEXT,
    status TEXT NOT NULL,                -- internal: pending, pending_assets, ready, draft, posting,
                                         -- posted, failed, pending_manual, canceled
    scheduled_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX scheduled_posts_project ON scheduled_posts(tenant_id, project_id, scheduled_at, id);
CREATE INDEX scheduled_posts_due ON scheduled_posts(tenant_id, status, scheduled_at);
CREATE INDEX scheduled_posts_layer ON scheduled_posts(layer_id, scheduled_at);
CREATE INDEX scheduled_posts_container ON scheduled_posts(container_id);
