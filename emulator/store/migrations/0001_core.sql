-- Core platform: tenants, keys, time-driven work, the timeline, idempotency, jobs, projects.
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE tenants (
    id TEXT PRIMARY KEY,                 -- org_<uuid>
    identity TEXT NOT NULL UNIQUE,       -- what provisioned it (key id or key hash)
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,            -- tenant clock at creation
    clock_mode TEXT NOT NULL,            -- virtual | real
    clock_start TEXT,                    -- virtual start (for reset)
    clock_now TEXT,                      -- virtual now
    clock_offset_us INTEGER NOT NULL DEFAULT 0,  -- real: offset from the wall clock
    id_counter INTEGER NOT NULL DEFAULT 0,
    settings TEXT NOT NULL DEFAULT '{}'  -- rate limits, metered credits, forced job outcomes...
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,                 -- key_<uuid>
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    keyid TEXT NOT NULL,                 -- the public 16-char part (or a digest for odd shapes)
    secret_hash TEXT NOT NULL UNIQUE,    -- sha256 of the full key string
    created_at TEXT NOT NULL,
    data TEXT NOT NULL                   -- the key object (name, prefix, scopes, status, ...)
);
CREATE INDEX api_keys_tenant ON api_keys(tenant_id);
CREATE INDEX api_keys_keyid ON api_keys(keyid);

-- Credentials that once worked and must now answer 401 rather than provision a new tenant.
CREATE TABLE retired_credentials (
    secret_hash TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    retired_at TEXT NOT NULL
);

-- Every piece of future work (job stages, transitions, command fires, deliveries) is a timer.
CREATE TABLE timers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    due_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    ref TEXT,                            -- the resource the timer is about (dedupe / cancel)
    payload TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX timers_due ON timers(tenant_id, due_at, id);
CREATE INDEX timers_ref ON timers(tenant_id, kind, ref);
CREATE INDEX timers_global_due ON timers(due_at);

-- The tenant's timeline: requests, transitions, command runs, publishes, webhook attempts.
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,                    -- evt_<ULID>
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,                  -- request | transition | command | publish | webhook | event | ...
    type TEXT,                           -- dotted event type (job.completed, post.published, ...)
    project_id TEXT,
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_tenant ON events(tenant_id, seq);
CREATE INDEX events_tenant_kind ON events(tenant_id, kind, seq);
CREATE INDEX events_tenant_at ON events(tenant_id, at);

CREATE TABLE idempotency (
    api_key_id TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    key TEXT NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    body_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (api_key_id, endpoint, key)
);
CREATE INDEX idempotency_tenant ON idempotency(tenant_id);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    project_id TEXT,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX jobs_tenant ON jobs(tenant_id, created_at, id);
CREATE INDEX jobs_tenant_status ON jobs(tenant_id, status);

CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    name TEXT NOT NULL,
    customer_external_id TEXT,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX projects_tenant ON projects(tenant_id, created_at, id);
CREATE INDEX projects_tenant_cust ON projects(tenant_id, customer_external_id);

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    project_id TEXT,
    occurred_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX audit_tenant ON audit_log(tenant_id, seq);

CREATE TABLE credit_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT,
    event_type TEXT NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX credit_events_tenant ON credit_events(tenant_id, created_at, seq);
