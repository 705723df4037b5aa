-- Sub-organizations: a child organization is a tenant with a parent link; its control-plane
-- record (status, metadata, billing email, credit config) lives in `organizations`, owned by
-- the parent tenant (tenant_id = parent, id = the child tenant id).
ALTER TABLE tenants ADD COLUMN parent_id TEXT;
CREATE INDEX tenants_parent ON tenants(parent_id);

CREATE TABLE organizations (
    id TEXT PRIMARY KEY,                 -- org_<uuid>, the child tenant's id
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,  -- the parent
    status TEXT NOT NULL,                -- active | suspended | archived
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL                   -- the org object (+ _creditConfig, _suspendedAt)
);
CREATE INDEX organizations_parent ON organizations(tenant_id, created_at, id);
CREATE INDEX organizations_status ON organizations(tenant_id, status);

-- Credit allocations parent → child (the transfer resource) and their idempotency keys.
CREATE TABLE credit_transfers (
    id TEXT PRIMARY KEY,                 -- txn_<uuid>
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,  -- the parent
    org_id TEXT NOT NULL,                -- the child
    idem_key TEXT,                       -- Idempotency-Key (null for auto-refills)
    body_hash TEXT,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE UNIQUE INDEX credit_transfers_idem ON credit_transfers(tenant_id, org_id, idem_key);
