"""Sending deliveries. The event bus subscriber fans each catalogue event out to the tenant's
subscribed endpoints (one delivery row each, first attempt due at once); the `webhook.deliver`
timer marks the row `delivering`, signs it and hands the HTTP POST to `ctx.later`, so the
network call runs after the commit and outside the store lock. The outcome is written in its
own short transaction: inbox row, delivery and endpoint counters, the next retry on the ladder
(on the tenant clock), and auto-pause after 20 consecutive failures.
"""
from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

from emulator.clock import iso
from emulator.context import Ctx, subscribe
from emulator.domain import webhook_catalog as cat
from emulator.domain.signing import signature_header
from emulator.engine import timer
from emulator.services import deliveries, webhooks
from emulator.services.deliveries import DELIVERIES, TIMER
from emulator.services.webhooks import ENDPOINTS
from emulator.store import codec

if TYPE_CHECKING:
    from emulator.emulator import Emulator
    from emulator.tenancy import Tenant

USER_AGENT = "Layers-Webhooks/1.0 (emulator)"
RESPONSE_KEEP = 2048  # characters of the receiver's answer kept in the inbox


def config(ctx_or_tenant: Ctx | Tenant) -> dict[str, Any]:
    tenant = ctx_or_tenant.tenant if isinstance(ctx_or_tenant, Ctx) else ctx_or_tenant
    stored = tenant.settings.get("webhooks") or {}
    return {
        "timeoutSeconds": float(stored.get("timeoutSeconds", cat.DEFAULT_TIMEOUT_SECONDS)),
        "retryPolicy": stored.get("retryPolicy", "ladder"),
        "allowHttp": bool(stored.get("allowHttp", False)),
    }


@subscribe
async def on_event(ctx: Ctx, event: dict[str, Any]) -> None:
    """Every domain event: a delivery per active endpoint subscribed to its type (and to its
    project, for project-scoped endpoints). Names outside the catalogue are not deliverable."""
    event_type = event.get("type")
    if event_type not in cat.CATALOG or event_type == cat.TEST_EVENT:
        return
    if ctx.tenant_id in ctx.emu.no_endpoints and not ctx.tenant.parent_id:
        return  # nobody to deliver to (the common case): build nothing
    data = dict(event.get("data") or {})
    project_id = event.get("projectId") or data.get("projectId")
    if project_id is not None:
        data.setdefault("projectId", project_id)
    data.setdefault("organizationId", ctx.tenant_id)
    body = deliveries.envelope(event["id"], event_type, event["at"], data)
    for endpoint in await webhooks.subscribed(ctx, event_type, project_id):
        await deliveries.enqueue(ctx, endpoint, body)
    await _to_parent(ctx, event_type, body)


async def _to_parent(ctx: Ctx, event_type: str, body: dict[str, Any]) -> None:
    """A child organization's event also goes to its parent's firehose endpoints, as the
    parent's deliveries on the parent's clock (same event id, `data.organizationId` = child)."""
    parent_id = getattr(ctx.tenant, "parent_id", None)
    if not parent_id:
        return
    endpoints = await webhooks.firehoses(ctx, parent_id, event_type)
    parent = await ctx.emu.tenants.get(ctx.db, parent_id) if endpoints else None
    if parent is None:
        return
    pctx = Ctx(ctx.emu, parent, parent.now(), ctx.db, request_id=ctx.request_id, after_commit=ctx.after_commit)
    for endpoint in endpoints:
        await deliveries.enqueue(pctx, endpoint, body, cross_tenant=True)


@dataclass
class Attempt:
    emu: Emulator
    tenant: Tenant
    at: datetime
    delivery_id: str
    endpoint_id: str
    event_id: str
    event_type: str
    number: int
    url: str
    headers: dict[str, str]
    body: str
    timeout: float
    policy: str


@timer(TIMER)
async def deliver(ctx: Ctx, payload: dict[str, Any], ref: str | None) -> None:
    delivery = await DELIVERIES.get(ctx.db, ctx.tenant_id, ref or "")
    if delivery is None or delivery["status"] != "pending":
        return
    endpoint = await ENDPOINTS.get(ctx.db, ctx.tenant_id, delivery["endpointId"])
    if endpoint is None:
        return
    if endpoint["status"] != "active" and not delivery["_forced"]:
        await deliveries.on_paused(ctx, endpoint["id"])
        return
    delivery["status"] = "delivering"
    delivery["attempts"] += 1
    delivery["nextRetryAt"] = None
    await deliveries.save(ctx, delivery)
    stamp = int(ctx.now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Layers-Signature": signature_header(
            webhooks.signing_secrets(endpoint, ctx.iso_now()), stamp, delivery["_body"]
        ),
        "X-Layers-Event-Id": delivery["eventId"],
        "X-Layers-Event-Type": delivery["eventType"],
        "X-Layers-Delivery-Id": delivery["id"],
    }
    settings = config(ctx)
    attempt = Attempt(
        ctx.emu, ctx.tenant, ctx.now, delivery["id"], endpoint["id"], delivery["eventId"],
        delivery["eventType"], delivery["attempts"], endpoint["url"], headers, delivery["_body"],
        settings["timeoutSeconds"], settings["retryPolicy"],
    )

    async def send() -> None:
        await run(attempt)

    ctx.later(send)


INTERRUPTED = "interrupted: the emulator stopped before the attempt finished"


async def recover_interrupted(emu: Emulator) -> int:
    """At start: a delivery still `delivering` lost its attempt with the process that made it.
    The attempt counts as failed without a response (the receiver may or may not have seen it:
    deliveries are at least once), so the ladder schedules the next one on the tenant clock."""
    async with emu.store.read() as db:
        rows = await db.execute_fetchall(
            "SELECT tenant_id, id FROM webhook_deliveries WHERE status = 'delivering' ORDER BY created_at, id")
    for tenant_id, delivery_id in rows:
        async with emu.store.read() as db:
            tenant = await emu.tenants.get(db, tenant_id)
            delivery = await DELIVERIES.get(db, tenant_id, delivery_id)
            endpoint = await ENDPOINTS.get(db, tenant_id, delivery["endpointId"]) if delivery else None
        if tenant is None or delivery is None:
            continue
        settings = config(tenant)
        attempt = Attempt(
            emu, tenant, tenant.now(), delivery_id, delivery["endpointId"], delivery["eventId"], delivery["eventType"],
            delivery["attempts"], (endpoint or {}).get("url", ""), {}, delivery["_body"], settings["timeoutSeconds"],
            settings["retryPolicy"],
        )
        await record(attempt, None, None, INTERRUPTED)
    return len(rows)


def _lock(emu: Emulator, endpoint_id: str) -> asyncio.Lock:
    """One attempt in flight per endpoint (attempts queue in the order they were due)."""
    locks: dict[str, asyncio.Lock] = emu.__dict__.setdefault("_webhook_locks", {})
    return locks.setdefault(endpoint_id, asyncio.Lock())


async def run(attempt: Attempt) -> None:
    try:
        async with _lock(attempt.emu, attempt.endpoint_id):
            status, text, error = await post(attempt)
        await record(attempt, status, text, error)
    except Exception as exc:  # a bug in the dispatcher: keep it for the harness
        attempt.emu.note_error(f"webhook:{attempt.delivery_id}", "POST", attempt.url, exc)


def http_client() -> ModuleType:
    """httpx, imported by the first delivery (about 0.2 s here: it brings rich and click along
    when they are installed), so neither a launch nor a tenant that never delivers pays for it.
    Importing it in a background thread instead slows every request running meanwhile."""
    import httpx

    return httpx


@lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    """One TLS context for every attempt (building one per client is the slow part)."""
    return http_client().create_ssl_context()


async def post(attempt: Attempt) -> tuple[int | None, str | None, str | None]:
    """One HTTP POST bounded by the timeout as a whole: (status, response text, error)."""
    httpx = http_client()
    try:
        async with httpx.AsyncClient(
            follow_redirects=False, timeout=attempt.timeout, trust_env=False, verify=_tls()
        ) as client:
            response = await asyncio.wait_for(
                client.post(attempt.url, content=attempt.body.encode("utf-8"), headers=attempt.headers),
                attempt.timeout,
            )
            return response.status_code, response.text[:RESPONSE_KEEP], None
    except (asyncio.TimeoutError, httpx.TimeoutException):
        return None, None, "timeout"
    except httpx.HTTPError as exc:
        return None, None, f"{type(exc).__name__}: {exc}".rstrip(": ")


async def record(attempt: Attempt, status: int | None, text: str | None, error: str | None) -> None:
    emu = attempt.emu
    if emu.store.db is None:  # shutting down
        return
    async with emu.store.tx() as db:
        cur = await db.execute("SELECT 1 FROM tenants WHERE id = ?", (attempt.tenant.id,))
        if await cur.fetchone() is None:  # wiped by a reset meanwhile
            return
        ctx = Ctx(emu, attempt.tenant, attempt.at, db)
        ok = cat.is_success(status)
        await _inbox(ctx, attempt, status, text, error)
        endpoint = await ENDPOINTS.get(db, ctx.tenant_id, attempt.endpoint_id)
        delivery = await DELIVERIES.get(db, ctx.tenant_id, attempt.delivery_id)
        if delivery is not None:
            await _settle_delivery(ctx, attempt, delivery, status, error)
        if endpoint is not None:
            await _settle_endpoint(ctx, endpoint, ok)


async def _inbox(ctx: Ctx, attempt: Attempt, status: int | None, text: str | None, error: str | None) -> None:
    entry = {
        "id": ctx.new_id("whatt"),
        "endpointId": attempt.endpoint_id,
        "deliveryId": attempt.delivery_id,
        "eventId": attempt.event_id,
        "eventType": attempt.event_type,
        "attempt": attempt.number,
        "at": ctx.iso_now(),
        "url": attempt.url,
        "request": {"method": "POST", "headers": attempt.headers, "body": attempt.body},
        "response": {"status": status, "body": text} if status is not None else None,
        "error": error,
        "success": cat.is_success(status),
    }
    await ctx.db.execute(
        "INSERT INTO webhook_attempts(id, tenant_id, endpoint_id, delivery_id, event_id, event_type, at, data)"
        " VALUES (?,?,?,?,?,?,?,?)",
        (entry["id"], ctx.tenant_id, attempt.endpoint_id, attempt.delivery_id, attempt.event_id,
         attempt.event_type, entry["at"], codec.dumps(entry)),
    )
    await ctx.record(
        "webhook",
        {k: entry[k] for k in ("endpointId", "deliveryId", "eventId", "eventType", "attempt", "url", "error")}
        | {"status": status},
        type="webhook.attempt",
    )


async def _settle_delivery(
    ctx: Ctx, attempt: Attempt, delivery: dict[str, Any], status: int | None, error: str | None
) -> None:
    now = ctx.iso_now()
    delivery["lastResponseStatus"] = status
    delivery["lastResponseAt"] = now if status is not None else delivery["lastResponseAt"]
    delivery["lastErrorMessage"] = error
    state, delay = cat.outcome(delivery["attempts"], status, policy=attempt.policy)
    if state == "delivered":
        delivery.update(status="delivered", deliveredAt=now, nextRetryAt=None)
    elif delay is None:
        delivery.update(status=state, abandonedAt=now, nextRetryAt=None)
    else:
        due = ctx.now + delay
        delivery.update(status="pending", nextRetryAt=iso(due))
        await ctx.schedule(TIMER, due, {"deliveryId": delivery["id"]}, ref=delivery["id"])
    await deliveries.save(ctx, delivery)


async def _settle_endpoint(ctx: Ctx, endpoint: dict[str, Any], ok: bool) -> None:
    now = ctx.iso_now()
    if ok:
        endpoint.update(lastSuccessAt=now, consecutiveFailureCount=0)
        await webhooks.save(ctx, endpoint)
        return
    endpoint["lastFailureAt"] = now
    endpoint["consecutiveFailureCount"] += 1
    pause = endpoint["status"] == "active" and endpoint["consecutiveFailureCount"] >= cat.AUTO_PAUSE_AFTER
    if pause:
        endpoint["status"] = "auto_paused"
        endpoint["updatedAt"] = now
    await webhooks.save(ctx, endpoint)
    if pause:
        abandoned = await deliveries.on_paused(ctx, endpoint["id"])
        await ctx.record(
            "webhook",
            {"endpointId": endpoint["id"], "consecutiveFailureCount": endpoint["consecutiveFailureCount"],
             "abandonedDeliveries": abandoned},
            type="webhook.endpoint_auto_paused",
        )
