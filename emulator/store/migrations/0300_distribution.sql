-- Distribution (03xx): installed project layers, their command runs, and the per-layer
-- command schedule state. Slots themselves are `scheduled_posts` rows with `layer_id` set.
CREATE TABLE project_layers (
    id TEXT PRIMARY KEY,                 -- pl_<ULID>
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    template_id TEXT NOT NULL,
    status TEXT NOT NULL,                -- active | paused | deleted
    social_account_id TEXT,              -- config.social.socialAccountId (social-distribution)
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX project_layers_tenant ON project_layers(tenant_id, created_at, id);
CREATE INDEX project_layers_project ON project_layers(tenant_id, project_id, template_id);
-- One live Social Distribution layer per social account.
CREATE UNIQUE INDEX project_layers_one_per_account ON project_layers(tenant_id, social_account_id)
    WHERE template_id = 'social-distribution' AND status != 'deleted';

-- Every command execution (manual, scheduled, config change, install, retry) is a run.
CREATE TABLE layer_runs (
    id TEXT PRIMARY KEY,                 -- run_<ULID>
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    layer_id TEXT NOT NULL,
    command_id TEXT NOT NULL,
    status TEXT NOT NULL,                -- running | completed | failed | canceled
    trigger TEXT NOT NULL,
    started_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX layer_runs_layer ON layer_runs(tenant_id, layer_id, started_at);
CREATE INDEX layer_runs_running ON layer_runs(tenant_id, layer_id, command_id, status);

-- Per-layer recurring command state. The fire itself is a timer row (kind command.<name>);
-- this keeps the cadence, the counters (idle fires are counted here, not stored as runs)
-- and the last run, so nothing lives only in APScheduler.
CREATE TABLE layer_commands (
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    layer_id TEXT NOT NULL,
    command_id TEXT NOT NULL,
    cron TEXT NOT NULL,                  -- the effective cron (UTC)
    counted_until TEXT,                  -- cadence fires up to here are in `fires`
    fires INTEGER NOT NULL DEFAULT 0,    -- cadence fires while the layer was active
    runs INTEGER NOT NULL DEFAULT 0,     -- fires that had work and created a run
    skipped INTEGER NOT NULL DEFAULT 0,  -- fires skipped because a run was still running
    last_run_id TEXT,
    last_run_at TEXT,
    PRIMARY KEY (tenant_id, layer_id, command_id)
);

-- attach-to-schedule guards: a container sits in at most one live row of a layer, and an
-- instant holds at most one empty slot of a layer.
CREATE UNIQUE INDEX scheduled_posts_layer_container ON scheduled_posts(layer_id, container_id)
    WHERE layer_id IS NOT NULL AND container_id IS NOT NULL AND status != 'canceled';
CREATE UNIQUE INDEX scheduled_posts_layer_empty_slot ON scheduled_posts(layer_id, scheduled_at)
    WHERE layer_id IS NOT NULL AND status = 'pending';
CREATE INDEX scheduled_posts_account_status ON scheduled_posts(tenant_id, social_account_id, status);

-- Wake hints. process-due and recover-overdue coalesce idle fires: each schedules its next
-- timer at the first instant it can have work. Any write that makes a layer row publishable
-- (whoever writes it: attach, content completing, approval, reschedule) drops a process-due
-- wake timer at the row's minute; a row that fails, or turns ready only after its 5-minute
-- window closed, drops a recover-overdue wake. The handlers re-align to their cadence and
-- recompute. (A row still ready when its window closes is handed over by process-due.)
CREATE TRIGGER scheduled_posts_wake_insert AFTER INSERT ON scheduled_posts
WHEN NEW.layer_id IS NOT NULL AND NEW.status IN ('ready', 'pending_assets', 'failed')
BEGIN
    INSERT INTO timers(tenant_id, due_at, kind, ref, payload)
    SELECT NEW.tenant_id, w.due, 'command.process-due', NEW.layer_id, '{"wake":true}'
    FROM (SELECT strftime('%Y-%m-%dT%H:%M:00.000Z',
                          max(NEW.scheduled_at, coalesce(json_extract(NEW.data, '$.updatedAt'), NEW.scheduled_at)),
                          '+59.999 seconds') AS due) w
    WHERE NEW.status != 'failed' AND NOT EXISTS (
        SELECT 1 FROM timers t WHERE t.tenant_id = NEW.tenant_id AND t.kind = 'command.process-due'
        AND t.ref = NEW.layer_id AND t.due_at <= w.due);
    INSERT INTO timers(tenant_id, due_at, kind, ref, payload)
    SELECT NEW.tenant_id, w.due, 'command.recover-overdue', NEW.layer_id, '{"wake":true}'
    FROM (SELECT max(strftime('%Y-%m-%dT%H:%M:%fZ', NEW.scheduled_at, '+300 seconds'),
                     coalesce(json_extract(NEW.data, '$.updatedAt'), NEW.scheduled_at)) AS due) w
    WHERE (NEW.status = 'failed' OR coalesce(json_extract(NEW.data, '$.updatedAt'), '')
                                    >= strftime('%Y-%m-%dT%H:%M:%fZ', NEW.scheduled_at, '+300 seconds'))
    AND NOT EXISTS (
        SELECT 1 FROM timers t WHERE t.tenant_id = NEW.tenant_id AND t.kind = 'command.recover-overdue'
        AND t.ref = NEW.layer_id AND t.due_at <= w.due);
END;

CREATE TRIGGER scheduled_posts_wake_update AFTER UPDATE OF status, scheduled_at ON scheduled_posts
WHEN NEW.layer_id IS NOT NULL AND NEW.status IN ('ready', 'pending_assets', 'failed')
     AND (OLD.status IS NOT NEW.status OR OLD.scheduled_at IS NOT NEW.scheduled_at)
BEGIN
    INSERT INTO timers(tenant_id, due_at, kind, ref, payload)
    SELECT NEW.tenant_id, w.due, 'command.process-due', NEW.layer_id, '{"wake":true}'
    FROM (SELECT strftime('%Y-%m-%dT%H:%M:00.000Z',
                          max(NEW.scheduled_at, coalesce(json_extract(NEW.data, '$.updatedAt'), NEW.scheduled_at)),
                          '+59.999 seconds') AS due) w
    WHERE NEW.status != 'failed' AND NOT EXISTS (
        SELECT 1 FROM timers t WHERE t.tenant_id = NEW.tenant_id AND t.kind = 'command.process-due'
        AND t.ref = NEW.layer_id AND t.due_at <= w.due);
    INSERT INTO timers(tenant_id, due_at, kind, ref, payload)
    SELECT NEW.tenant_id, w.due, 'command.recover-overdue', NEW.layer_id, '{"wake":true}'
    FROM (SELECT max(strftime('%Y-%m-%dT%H:%M:%fZ', NEW.scheduled_at, '+300 seconds'),
                     coalesce(json_extract(NEW.data, '$.updatedAt'), NEW.scheduled_at)) AS due) w
    WHERE (NEW.status = 'failed' OR coalesce(json_extract(NEW.data, '$.updatedAt'), '')
                                    >= strftime('%Y-%m-%dT%H:%M:%fZ', NEW.scheduled_at, '+300 seconds'))
    AND NOT EXISTS (
        SELECT 1 FROM timers t WHERE t.tenant_id = NEW.tenant_id AND t.kind = 'command.recover-overdue'
        AND t.ref = NEW.layer_id AND t.due_at <= w.due);
END;
