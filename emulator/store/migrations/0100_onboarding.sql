-- Onboarding: OAuth states, per-project onboarding state (keyword bank, readiness), media
-- (app media, library uploads), lease requests, the GitHub installation.
CREATE TABLE oauth_states (
    id TEXT PRIMARY KEY,                 -- st_<ULID>; unique across tenants (the consent page finds its tenant by it)
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    status TEXT NOT NULL,                -- pending | completed | failed
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX oauth_states_tenant ON oauth_states(tenant_id, created_at, id);

CREATE TABLE project_onboarding (
    id TEXT PRIMARY KEY,                 -- the project id
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL                   -- keyword bank, refreshedAt, readiness flags
);

CREATE TABLE media (
    id TEXT PRIMARY KEY,                 -- med_<ULID>
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,                -- active | deleted (replaced)
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX media_project ON media(tenant_id, project_id, kind, created_at, id);

CREATE TABLE media_uploads (
    id TEXT PRIMARY KEY,                 -- upl_<ULID>; unique across tenants (the PUT URL finds its tenant by it)
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    status TEXT NOT NULL,                -- presigned | uploaded | finalized | expired
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX media_uploads_project ON media_uploads(tenant_id, project_id, created_at, id);

CREATE TABLE lease_requests (
    id TEXT PRIMARY KEY,                 -- lreq_<ULID>
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX lease_requests_project ON lease_requests(tenant_id, project_id, created_at, id);

CREATE TABLE github_installations (
    id TEXT PRIMARY KEY,                 -- the tenant id (one installation per organization)
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
