"""Who am I, credits, key kill/rotate and the audit log."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from emulator.clock import db_time, iso
from emulator.http import query as q
from emulator.http.api import Call, Reply, Route
from emulator.ids import normalize_id
from emulator.pagination import page_request
from emulator.services import credits
from emulator.store.docs import log_page


async def whoami(call: Call) -> dict[str, Any]:
    assert call.principal is not None
    tenant = call.principal.tenant
    wallet = await credits.wallet(call.ctx)
    acting = call.principal.acting_for  # a parent key inside a child (X-Layers-Organization)
    return {
        "organizationId": tenant.id,
        "workspaceId": tenant.id,
        "organizationName": tenant.name,
        "parentOrganizationId": acting.id if acting is not None else tenant.parent_id,
        "scopes": call.principal.scopes,
        "rateLimitTier": call.principal.key.get("rateLimitTier", "sandbox"),
        "apiKeyId": call.principal.key_id,
        "creditBalance": wallet["balance"],
        "killSwitch": False,
        "apiAccessRevoked": False,
    }


async def get_credits(call: Call) -> dict[str, Any]:
    return await credits.wallet(call.ctx)


async def credit_events(call: Call) -> dict[str, Any]:
    page = page_request(call.query, default=25, maximum=100)
    event_type = q.enum(call.query, "eventType", credits.EVENT_TYPES)
    since = q.instant(call.query, "since", z_only=True)
    until = q.instant(call.query, "until", z_only=True)
    items, cursor = await credits.events_page(
        call.ctx, page, project_id=call.query.get("projectId"), event_type=event_type, since=since, until=until
    )
    return {"items": items, "nextCursor": cursor}


def _key_id(raw: str) -> str:
    return normalize_id("key", raw)


async def kill_key(call: Call) -> dict[str, Any]:
    record = await call.ctx.emu.keys.kill(call.ctx.db, call.ctx.tenant, _key_id(call.params["keyId"]))
    await call.ctx.record("transition", {"apiKeyId": record["id"], "to": "killed"}, type="api_key.killed")
    return {"apiKey": _public_key(record), "killed": True}


async def rotate_key(call: Call) -> dict[str, Any]:
    ctx = call.ctx
    key_id = _key_id(call.params["keyId"])
    record, secret = await ctx.emu.keys.rotate(ctx.db, ctx.tenant, key_id, ctx.tenant.ids.number("rotate"))
    await ctx.record("transition", {"apiKeyId": key_id, "to": "rotated"}, type="api_key.rotated")
    return {
        "apiKey": _public_key(record),
        "secret": secret,
        "warning": "Store this secret now: it is shown only once. The previous secret stopped working.",
    }


def _public_key(record: dict[str, Any]) -> dict[str, Any]:
    return dict(record)


async def audit_log(call: Call) -> dict[str, Any]:
    ctx = call.ctx
    page = page_request(call.query, default=25, maximum=100)
    where, params = ["tenant_id = ?"], [ctx.tenant_id]
    if call.query.get("eventType"):
        where.append("event_type = ?")
        params.append(call.query["eventType"])
    if call.query.get("projectId"):
        where.append("project_id = ?")
        params.append(call.query["projectId"])
    for name, op in (("since", ">="), ("until", "<=")):
        value: datetime | None = q.instant(call.query, name)
        if value is not None:
            where.append(f"occurred_at {op} ?")
            params.append(db_time(value))
    rows, cursor = await log_page(ctx.db, "audit_log", page, columns="data", where=where, params=params)
    items = [json.loads(r[1]) for r in rows]
    return {"items": items, "nextCursor": cursor}


ROUTES = [
    Route("GET", "/v1/whoami", whoami, summary="Who the key belongs to", tags=("account",)),
    Route("GET", "/v1/credits", get_credits, summary="Credit wallet", tags=("account",)),
    Route("GET", "/v1/credits/events", credit_events, summary="Credit ledger",
          query=("cursor", "limit", "projectId", "eventType", "since", "until"), tags=("account",)),
    Route("POST", "/v1/api-keys/{keyId}/kill", kill_key, summary="Kill an API key", audit="api_key.killed", tags=("account",)),
    Route("POST", "/v1/api-keys/{keyId}/rotate", rotate_key, summary="Rotate an API key", audit="api_key.rotated", tags=("account",)),
    Route("GET", "/v1/audit-log", audit_log, summary="Audit log",
          query=("cursor", "limit", "eventType", "projectId", "since", "until"), tags=("account",)),
    Route("GET", "/partner/v1/audit-log", audit_log, summary="Audit log (product path)",
          query=("cursor", "limit", "eventType", "projectId", "since", "until"), tags=("account",)),
]
_ = iso, Reply
