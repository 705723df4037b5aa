-- Webhooks: endpoints, deliveries (one row per event per endpoint, retries counted on the row)
-- and every HTTP attempt made (the control inbox).
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,                 -- bare UUID
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT,                     -- NULL = org-wide
    status TEXT NOT NULL,                -- active | paused | auto_paused
    created_at TEXT NOT NULL,
    data TEXT NOT NULL                   -- the endpoint object + _secrets
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints(tenant_id, created_at, id);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,                 -- bare UUID
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    endpoint_id TEXT NOT NULL,
    event_id TEXT NOT NULL,              -- evt_<ULID>, stable across retries
    event_type TEXT NOT NULL,
    status TEXT NOT NULL,                -- pending | delivering | delivered | failed | abandoned
    created_at TEXT NOT NULL,
    data TEXT NOT NULL                   -- the delivery object + _body (exact bytes sent)
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(tenant_id, endpoint_id, created_at);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries(tenant_id, event_id);

CREATE TABLE webhook_attempts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    endpoint_id TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    at TEXT NOT NULL,                    -- tenant clock at the attempt
    data TEXT NOT NULL
);
CREATE INDEX webhook_attempts_tenant ON webhook_attempts(tenant_id, seq);
