"""Webhook deliveries: one row per (event, endpoint). The row keeps the exact body it sends
(`_body`), so every retry carries the same bytes and the same event id; each attempt re-signs
with a fresh `t`. Attempts themselves run in `emulator.services.webhook_dispatch`.
"""
from __future__ import annotations

import json
from typing import Any

from emulator import errors
from emulator.context import Ctx
from emulator.pagination import PageRequest
from emulator.store.docs import Docs

DELIVERIES = Docs(
    "webhook_deliveries",
    {
        "endpoint_id": lambda r: r["endpointId"],
        "event_id": lambda r: r["eventId"],
        "event_type": lambda r: r["eventType"],
        "status": lambda r: r["status"],
        "created_at": lambda r: r["createdAt"],
    },
    "Webhook delivery",
)
TIMER = "webhook.deliver"


def public(delivery: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in delivery.items() if not k.startswith("_")}


def envelope(
    event_id: str, event_type: str, created_at: str, data: dict[str, Any], *, replay_of: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": event_id,
        "type": event_type,
        "apiVersion": "v1",
        "createdAt": created_at,
        "data": data,
    }
    if replay_of is not None:
        body["replayOf"] = replay_of
    return body


def encode(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


async def enqueue(
    ctx: Ctx,
    endpoint: dict[str, Any],
    body: dict[str, Any],
    *,
    forced: bool = False,
    cross_tenant: bool = False,
) -> dict[str, Any]:
    """A pending delivery of `body` to `endpoint`, first attempt due now. `forced` (test pings)
    goes out even while the endpoint is paused; `cross_tenant` (a child's event for its
    parent's firehose) always kicks the parent, whose settle loop is not running."""
    delivery: dict[str, Any] = {
        "id": ctx.new_id(""),
        "endpointId": endpoint["id"],
        "eventId": body["id"],
        "eventType": body["type"],
        "status": "pending",
        "attempts": 0,
        "nextRetryAt": ctx.iso_now(),
        "deliveredAt": None,
        "abandonedAt": None,
        "lastResponseStatus": None,
        "lastResponseAt": None,
        "lastErrorMessage": None,
        "replayOf": body.get("replayOf"),
        "createdAt": ctx.iso_now(),
        "_body": encode(body),
        "_forced": forced,
    }
    await DELIVERIES.insert(ctx.db, ctx.tenant_id, delivery)
    if endpoint["status"] == "active" or forced:
        await ctx.schedule(TIMER, ctx.now, {"deliveryId": delivery["id"]}, ref=delivery["id"])
        _kick(ctx, always=cross_tenant)
    else:
        delivery["nextRetryAt"] = None  # waits for the endpoint to be active again
        await save(ctx, delivery)
    return delivery


def _kick(ctx: Ctx, *, always: bool = False) -> None:
    """Inside a request, settle the tenant right after it commits, so a delivery due now goes
    out at once (in the background) rather than at the next request, advance or sweep. Timers
    and advances need no kick: the settle loop they run in picks the new timer up."""
    if (ctx.request_id is None and not always) or ctx.__dict__.get("_webhook_kick"):
        return
    ctx.__dict__["_webhook_kick"] = True
    emu, tenant = ctx.emu, ctx.tenant

    async def kick() -> None:
        if emu.store.db is None:
            return
        async with tenant.lock:
            await emu.engine.settle(tenant, tenant.now(), background=True)

    async def start() -> None:  # tracked under the tenant it settles, so its advance awaits it
        emu.engine.spawn(tenant, kick)

    ctx.later(start)


async def get(ctx: Ctx, delivery_id: str) -> dict[str, Any]:
    return await DELIVERIES.require(ctx.db, ctx.tenant_id, delivery_id)


async def save(ctx: Ctx, delivery: dict[str, Any]) -> None:
    await DELIVERIES.save(ctx.db, ctx.tenant_id, delivery)


async def list_page(
    ctx: Ctx, endpoint_id: str, page: PageRequest, *, event_type: str | None, status: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    where, params = ["endpoint_id = ?"], [endpoint_id]
    if event_type is not None:
        where.append("event_type = ?")
        params.append(event_type)
    if status is not None:
        where.append("status = ?")
        params.append(status)
    items, cursor = await DELIVERIES.page(ctx.db, ctx.tenant_id, page, where=" AND ".join(where), params=params)
    return [public(d) for d in items], cursor


async def _pending(ctx: Ctx, endpoint_id: str) -> list[dict[str, Any]]:
    return await DELIVERIES.find(
        ctx.db, ctx.tenant_id, "endpoint_id = ? AND status = 'pending'", (endpoint_id,), order="created_at, rowid"
    )


async def on_paused(ctx: Ctx, endpoint_id: str) -> int:
    """The endpoint stopped: pending event deliveries are abandoned; replays and test pings
    keep waiting (replays until it is active again, test pings go out regardless)."""
    count = 0
    for delivery in await _pending(ctx, endpoint_id):
        if delivery["_forced"]:
            continue
        await ctx.cancel_timers(TIMER, delivery["id"])
        if delivery.get("replayOf"):
            delivery["nextRetryAt"] = None
        else:
            delivery["status"] = "abandoned"
            delivery["abandonedAt"] = ctx.iso_now()
            delivery["nextRetryAt"] = None
            count += 1
        await save(ctx, delivery)
    return count


async def on_resumed(ctx: Ctx, endpoint_id: str) -> None:
    """The endpoint is active again: waiting replays go out now."""
    for delivery in await _pending(ctx, endpoint_id):
        if delivery["nextRetryAt"] is None:
            delivery["nextRetryAt"] = ctx.iso_now()
            await save(ctx, delivery)
            await ctx.schedule(TIMER, ctx.now, {"deliveryId": delivery["id"]}, ref=delivery["id"])


async def drop_all(ctx: Ctx, endpoint_id: str) -> int:
    """Endpoint deleted: its history goes and queued deliveries never fire."""
    await ctx.db.execute(
        "DELETE FROM timers WHERE tenant_id = ? AND kind = ? AND ref IN"
        " (SELECT id FROM webhook_deliveries WHERE tenant_id = ? AND endpoint_id = ?)",
        (ctx.tenant_id, TIMER, ctx.tenant_id, endpoint_id),
    )
    cur = await ctx.db.execute(
        "DELETE FROM webhook_deliveries WHERE tenant_id = ? AND endpoint_id = ?", (ctx.tenant_id, endpoint_id)
    )
    return cur.rowcount


async def replay(ctx: Ctx, delivery_id: str, endpoint: dict[str, Any] | None) -> dict[str, Any]:
    """Re-send the original `data` under a new event id, marked `replayOf` = original delivery."""
    original = await get(ctx, delivery_id)
    if endpoint is None:
        raise errors.NotFound(f"Webhook delivery {delivery_id} not found.")
    sent = json.loads(original["_body"])
    body = envelope(ctx.new_id("evt"), sent["type"], sent["createdAt"], sent["data"], replay_of=original["id"])
    fresh = await enqueue(ctx, endpoint, body, forced=bool(original["_forced"]))
    await ctx.record(
        "webhook", {"deliveryId": fresh["id"], "replayOf": original["id"], "eventId": body["id"]},
        type="webhook.replayed",
    )
    return {"originalDeliveryId": original["id"], "replayDeliveryId": fresh["id"], "scheduledAt": ctx.iso_now()}
