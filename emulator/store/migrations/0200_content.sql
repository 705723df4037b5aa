-- Content area: per-project review policy (and the hooks-bank call counter), and the files of
-- direct-upload sessions (one row per declared file; `id` is the presigned URL's token).
CREATE TABLE content_policies (
    id TEXT PRIMARY KEY,                 -- the project id
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    updated_at TEXT,
    data TEXT NOT NULL
);

CREATE TABLE content_upload_files (
    id TEXT PRIMARY KEY,                 -- upload token (in the presigned PUT URL)
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    container_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX content_upload_files_container ON content_upload_files(tenant_id, container_id, created_at);
