"""`/_emulator/webhooks/...`: the inbox of every delivery attempt (so tests can assert without a
receiver), a way to emit any catalogue event as if a resource caused it, and the dispatcher's
per-tenant knobs (timeout, retry policy, plain-http URLs)."""
from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import Field

from emulator import errors
from emulator.clock import db_time
from emulator.domain import webhook_catalog as cat
from emulator.http import query as q
from emulator.http.api import Body, Call, Route
from emulator.pagination import page_request
from emulator.services import webhook_dispatch, webhooks
from emulator.store.docs import log_page

FILTERS = {"endpointId": "endpoint_id", "eventType": "event_type", "eventId": "event_id", "deliveryId": "delivery_id"}


async def inbox(call: Call) -> dict[str, Any]:
    ctx = call.ctx
    page = page_request(call.query, default=100, maximum=1000)
    where: list[str] = ["tenant_id = ?"]
    params: list[Any] = [ctx.tenant_id]
    for name, column in FILTERS.items():
        values = q.listing(call.query, name)
        if values:
            where.append(f"{column} IN ({','.join('?' for _ in values)})")
            params.extend(values)
    since = q.instant(call.query, "since")
    if since is not None:
        where.append("at >= ?")
        params.append(db_time(since))
    rows, cursor = await log_page(
        ctx.db, "webhook_attempts", page, columns="data", where=where, params=params, newest_first=False
    )
    items = []
    for row in rows:
        item = json.loads(row[1])
        try:
            item["payload"] = json.loads(item["request"]["body"])
        except ValueError:
            item["payload"] = None
        items.append(item)
    return {"items": items, "nextCursor": cursor}


class Emit(Body):
    type: str
    data: dict[str, Any] | None = None
    projectId: str | None = None


async def emit(call: Call) -> dict[str, Any]:
    body: Emit = call.body
    if body.type not in cat.CATALOG or body.type == cat.TEST_EVENT:
        raise errors.Validation(
            f"Unknown event type {body.type!r}; emit a catalogue name (test.ping goes through the test route).",
            path="type",
        )
    ctx = call.ctx
    data = dict(body.data or {})
    project_id = None
    if body.projectId is not None:
        project_id = await webhooks.resolve_project(ctx, body.projectId)
        data.setdefault("projectId", project_id)
    event = await ctx.emit(body.type, data, project_id=project_id)
    rows = await ctx.db.execute_fetchall(
        "SELECT id FROM webhook_deliveries WHERE tenant_id = ? AND event_id = ? ORDER BY rowid",
        (ctx.tenant_id, event["id"]),
    )
    return {"eventId": event["id"], "type": body.type, "deliveryIds": [r[0] for r in rows]}


class Config(Body):
    timeoutSeconds: float | int | None = Field(default=None, ge=0.05, le=60)
    retryPolicy: Literal["ladder", "integrations"] | None = None
    allowHttp: bool | None = None


async def get_config(call: Call) -> dict[str, Any]:
    return webhook_dispatch.config(call.ctx)


async def set_config(call: Call) -> dict[str, Any]:
    body: Config = call.body
    stored = dict(call.ctx.tenant.settings.get("webhooks") or {})
    for key in ("timeoutSeconds", "retryPolicy", "allowHttp"):
        if key in call.sent:
            value = getattr(body, key)
            if value is None:
                stored.pop(key, None)
            else:
                stored[key] = value
    call.ctx.tenant.set_setting("webhooks", stored or None)
    return webhook_dispatch.config(call.ctx)


CTL = ("control",)
ROUTES = [
    Route("GET", "/_emulator/webhooks/inbox", inbox, klass=None, summary="Every webhook delivery attempt",
          query=("endpointId", "eventType", "eventId", "deliveryId", "since", "cursor", "limit"), tags=CTL),
    Route("POST", "/_emulator/webhooks/emit", emit, klass=None, body=Emit, idempotent=False,
          summary="Emit a catalogue event through the event bus", tags=CTL),
    Route("GET", "/_emulator/webhooks/config", get_config, klass=None, summary="Webhook dispatcher settings",
          tags=CTL),
    Route("POST", "/_emulator/webhooks/config", set_config, klass=None, body=Config, idempotent=False,
          summary="Change webhook dispatcher settings (timeout, retry policy, http URLs)", tags=CTL),
]
