"""Every statement the hot paths run (a full day of a busy tenant: requests, settles, timers,
layer commands, publishing, webhooks) is captured from the live connection and explained: no
full-table SCAN of a table that grows with use. Small per-tenant configuration tables may be
scanned; every other table needs an index on the columns the query filters on."""
from __future__ import annotations

import re
from typing import Any

from tests.hardening.world import build
from tests.api.layers_helpers import layer as install_layer, pin
from tests.support import Api, emulator_client, new_key

# Tables that grow with time or traffic: never scanned on a hot path.
LARGE = {"timers", "events", "idempotency", "jobs", "projects", "audit_log", "credit_events", "social_accounts",
         "influencers", "containers", "scheduled_posts", "media", "platform_posts", "layer_runs", "metric_posts",
         "webhook_deliveries", "webhook_attempts", "ads_content", "ad_promotions", "api_keys",
         "oauth_states", "schedule_intents", "project_layers", "recommendations", "ads_pending", "tenants"}
SCAN = re.compile(r"^SCAN (\w+)\b(?!.*\bUSING\b)")
# An index narrowed to the tenant alone, while the statement names a row's project, layer,
# account or container: it walks every row of the organization (a thousand projects made such
# lookups a thousand times slower).
SEARCH = re.compile(r"^SEARCH (\w+) USING (?:COVERING )?INDEX \w+ \((.*)\)$")
SELECTIVE = re.compile(r"\b(project_id|layer_id|social_account_id|container_id)\s*=\s*(?:\?|'|\d)")  # traced: values inline


def walks_the_organization(plan: str, sql: str) -> bool:
    """A search of a large table whose index constraints name none of the row-narrowing columns
    the statement filters on by equality."""
    m = SEARCH.match(plan)
    if not m or m.group(1) not in LARGE:
        return False
    narrowing = set(SELECTIVE.findall(sql))
    used = set(re.findall(r"(\w+)[=<>]", m.group(2)))
    return bool(narrowing) and not used & (narrowing | {"id", "rowid"})


def _normalize(sql: str) -> str:
    return re.sub(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b", "?", " ".join(sql.split()))


def _hot_workload(api: Api) -> None:
    build(api)
    pid = api.get("/v1/projects").json()["items"][0]["id"]
    layer = api.get("/api/project-layers").json()["items"][0]["id"]
    for path in ("/v1/projects", f"/v1/projects/{pid}", "/v1/scheduled-posts", f"/v1/projects/{pid}/scheduled-posts",
                 f"/api/project-layers/{layer}/slots", f"/api/project-layers/{layer}/runs", "/api/project-layers",
                 f"/v1/projects/{pid}/content", f"/v1/projects/{pid}/social-accounts", "/v1/webhook-endpoints",
                 "/_emulator/events", f"/v1/projects/{pid}/metrics", "/v1/audit-log", "/v1/jobs"):
        api.get(path, params={"limit": 50})
    api.post("/v1/projects", json={"name": "Idem", "timezone": "UTC"}, headers={"Idempotency-Key": "plan-1"})
    api.post("/v1/projects", json={"name": "Idem", "timezone": "UTC"}, headers={"Idempotency-Key": "plan-1"})
    api.advance(seconds=3 * 3600)
    # automatic generation and posting: the nightly planner, in-flight attaches, publishing
    _, account, created = install_layer(api, distributionMode="automatic", generationMode="automatic", willPublish=True)
    pin(api, account, temperature="hot")
    api.advance(duration="P2D")
    api.get(f"/api/project-layers/{created['id']}/slots", params={"status": "ready"})


def test_an_organization_wide_walk_is_told_from_a_narrow_search() -> None:
    sql = "SELECT data FROM scheduled_posts WHERE tenant_id = 'org_1' AND layer_id = 'pl_1' AND status = 'ready'"
    assert walks_the_organization("SEARCH scheduled_posts USING INDEX scheduled_posts_due (tenant_id=? AND status=?)", sql)
    assert not walks_the_organization(
        "SEARCH scheduled_posts USING INDEX scheduled_posts_layer_status (layer_id=? AND status=?)", sql)
    assert not walks_the_organization("SEARCH scheduled_posts USING INDEX s (tenant_id=?)", "SELECT 1 WHERE tenant_id = ?")


def test_scan_pattern_flags_only_unindexed_scans() -> None:
    assert SCAN.match("SCAN scheduled_posts") and not SCAN.match("SCAN scheduled_posts USING INDEX scheduled_posts_due")
    assert not SCAN.match("SEARCH timers USING INDEX timers_due (tenant_id=? AND due_at<?)")
    assert not SCAN.match("SCAN events USING COVERING INDEX events_tenant")


def test_hot_queries_use_indexes() -> None:
    with emulator_client() as client:
        emu = client.app.state.emulator
        seen: dict[str, str] = {}

        def trace(sql: str) -> None:
            head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
            if head in ("SELECT", "UPDATE", "DELETE", "WITH"):
                seen.setdefault(_normalize(sql), sql)

        client.portal.call(emu.store.db.set_trace_callback, trace)
        _hot_workload(Api(client, new_key()))
        client.portal.call(emu.store.db.set_trace_callback, None)
        assert len(seen) > 50, len(seen)
        print(len(seen), "distinct statements explained")
        offenders: list[str] = []
        for sql in seen.values():
            rows: Any = client.portal.call(emu.store.db.execute_fetchall, "EXPLAIN QUERY PLAN " + sql)
            for row in rows:
                m = SCAN.match(row[3])
                if m and m.group(1) in LARGE:
                    offenders.append(f"{row[3]}  <-  {' '.join(sql.split())[:300]}")
                if walks_the_organization(row[3], sql):
                    offenders.append(f"{row[3]}  <-  {' '.join(sql.split())[:300]}")
        assert not offenders, "full scans on hot paths:\n" + "\n".join(sorted(set(offenders)))
