-- Lookups of one kind of timer for one resource (`next_timer`, the scheduled-posts wake
-- triggers) ask for (tenant, kind, ref) and a due-time bound. With due_at in the index SQLite
-- answers them from it, instead of walking every timer of the tenant through timers_due.
DROP INDEX timers_ref;
CREATE INDEX timers_ref ON timers(tenant_id, kind, ref, due_at);
