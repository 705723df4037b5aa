"""Webhook endpoints: create (secret shown once), list, get, patch, delete, rotate the secret.

Deliveries live in `emulator.services.deliveries`; this module owns the endpoint rows and the
signing secrets (kept in the internal `_secrets` list: the current one first, then previous
ones until their grace period ends).
"""
from __future__ import annotations

from typing import Any

from emulator import errors
from emulator.clock import iso
from emulator.context import Ctx
from emulator.domain import webhook_catalog as cat
from emulator.domain.signing import new_secret
from emulator.ids import normalize_id
from emulator.pagination import PageRequest
from emulator.services import deliveries, projects
from emulator.store.docs import Docs

ENDPOINTS = Docs(
    "webhook_endpoints",
    {
        "project_id": lambda r: r.get("projectId"),
        "status": lambda r: r["status"],
        "created_at": lambda r: r["createdAt"],
    },
    "Webhook endpoint",
)

SECRET_WARNING = "Store this signing secret now: it is shown only once and cannot be retrieved later."
ROTATE_WARNING = (
    "Store the new signing secret now: it is shown only once. The previous secret keeps signing "
    "deliveries until previousSecretExpiresAt."
)


def public(endpoint: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in endpoint.items() if not k.startswith("_")}


def allow_http(ctx: Ctx) -> bool:
    return bool((ctx.tenant.settings.get("webhooks") or {}).get("allowHttp"))


def check_url(ctx: Ctx, url: Any) -> str:
    problem = cat.url_problem(url, allow_http=allow_http(ctx))
    if problem:
        raise errors.Validation(problem[0].upper() + problem[1:] + ".", path="url")
    return str(url)


def check_events(events: Any) -> list[str]:
    issues = cat.event_issues(events)
    if issues:
        raise errors.Validation(f"Invalid events: {issues[0]['message']}.", issues=issues)
    return cat.dedupe(events)


async def resolve_project(ctx: Ctx, project_id: str) -> str:
    """The tenant's project id (normalised); another tenant's or a missing id is 404."""
    return str((await projects.get(ctx, project_id))["id"])


def _new_secret(ctx: Ctx) -> str:
    return new_secret(ctx.tenant.ids.token(32))


async def create(ctx: Ctx, fields: dict[str, Any]) -> tuple[dict[str, Any], str]:
    url = check_url(ctx, fields.get("url"))
    events = check_events(fields.get("events"))
    project_id = fields.get("projectId")
    if project_id is not None:
        project_id = await resolve_project(ctx, project_id)
    now = ctx.iso_now()
    secret = _new_secret(ctx)
    endpoint: dict[str, Any] = {
        "id": ctx.new_id(""),
        "organizationId": ctx.tenant_id,
        "projectId": project_id,
        "url": url,
        "description": fields.get("description"),
        "status": "active",
        "events": events,
        "apiVersion": "v1",
        "metadata": cat.merge_metadata({}, fields.get("metadata") or {}),
        "scope": fields.get("scope") or "own",
        "createdAt": now,
        "updatedAt": now,
        "lastSuccessAt": None,
        "lastFailureAt": None,
        "consecutiveFailureCount": 0,
        "_secrets": [{"secret": secret, "expiresAt": None}],
    }
    await ENDPOINTS.insert(ctx.db, ctx.tenant_id, endpoint)
    ctx.emu.no_endpoints.discard(ctx.tenant_id)
    await ctx.record("webhook", {"endpointId": endpoint["id"], "url": url, "events": events},
                     type="webhook.endpoint_created", project_id=project_id)
    return endpoint, secret


async def get(ctx: Ctx, endpoint_id: str) -> dict[str, Any]:
    return await ENDPOINTS.require(ctx.db, ctx.tenant_id, endpoint_id)


async def save(ctx: Ctx, endpoint: dict[str, Any]) -> None:
    await ENDPOINTS.save(ctx.db, ctx.tenant_id, endpoint)
    ctx.emu.no_endpoints.discard(ctx.tenant_id)


async def list_page(
    ctx: Ctx, page: PageRequest, *, project_id: str | None, status: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    where, params = ["1=1"], []
    if project_id is not None:
        where.append("project_id = ?")
        params.append(normalize_id("prj", project_id))
    if status is not None:
        where.append("status = ?")
        params.append(status)
    items, cursor = await ENDPOINTS.page(ctx.db, ctx.tenant_id, page, where=" AND ".join(where), params=params)
    return [public(e) for e in items], cursor


async def subscribed(ctx: Ctx, event_type: str, project_id: str | None) -> list[dict[str, Any]]:
    """Active endpoints of the tenant that take `event_type` for `project_id`, oldest first."""
    if ctx.tenant_id in ctx.emu.no_endpoints:
        return []
    active = await ENDPOINTS.find(ctx.db, ctx.tenant_id, "status = 'active'", order="created_at, rowid")
    if not active:
        ctx.emu.no_endpoints.add(ctx.tenant_id)
    out = []
    for endpoint in active:
        if event_type not in endpoint["events"]:
            continue
        scoped = endpoint.get("projectId")
        if scoped is not None and scoped != project_id:
            continue
        out.append(endpoint)
    return out


async def firehoses(ctx: Ctx, parent_id: str, event_type: str) -> list[dict[str, Any]]:
    """A parent organization's active org-wide `all_children` endpoints that take `event_type`
    (a child's events reach them, tagged with the child's `data.organizationId`)."""
    return [
        e for e in await ENDPOINTS.find(ctx.db, parent_id, "status = 'active'", order="created_at, rowid")
        if e.get("scope") == "all_children" and e.get("projectId") is None and event_type in e["events"]
    ]


def signing_secrets(endpoint: dict[str, Any], now_iso: str) -> list[str]:
    """Every secret that signs at `now`: the current one and unexpired previous ones."""
    return [s["secret"] for s in endpoint["_secrets"] if s["expiresAt"] is None or s["expiresAt"] > now_iso]


async def rotate(ctx: Ctx, endpoint_id: str) -> dict[str, Any]:
    endpoint = await get(ctx, endpoint_id)
    now = ctx.iso_now()
    expires = iso(ctx.now + cat.ROTATION_GRACE)
    kept = [
        {"secret": s["secret"], "expiresAt": s["expiresAt"] or expires}
        for s in endpoint["_secrets"]
        if s["expiresAt"] is None or s["expiresAt"] > now
    ]
    secret = _new_secret(ctx)
    endpoint["_secrets"] = [{"secret": secret, "expiresAt": None}, *kept]
    endpoint["updatedAt"] = now
    await save(ctx, endpoint)
    await ctx.record("webhook", {"endpointId": endpoint_id}, type="webhook.secret_rotated")
    return {
        "endpointId": endpoint_id,
        "signingSecret": secret,
        "previousSecretExpiresAt": expires,
        "warning": ROTATE_WARNING,
    }


async def patch(ctx: Ctx, endpoint_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    endpoint = await get(ctx, endpoint_id)
    if "url" in changes:
        endpoint["url"] = check_url(ctx, changes["url"])
    if "events" in changes:
        endpoint["events"] = check_events(changes["events"])
    if "description" in changes:
        endpoint["description"] = changes["description"]
    if "metadata" in changes:
        endpoint["metadata"] = cat.merge_metadata(endpoint.get("metadata") or {}, changes["metadata"])
    if "scope" in changes:
        endpoint["scope"] = changes["scope"]
    previous = endpoint["status"]
    status = changes.get("status")
    if status == "active":
        endpoint["status"] = "active"
        endpoint["consecutiveFailureCount"] = 0
    elif status == "paused":
        endpoint["status"] = "paused"
    endpoint["updatedAt"] = ctx.iso_now()
    await save(ctx, endpoint)
    if status is not None and status != previous:
        if status == "active":
            await deliveries.on_resumed(ctx, endpoint_id)
        elif previous == "active":
            await deliveries.on_paused(ctx, endpoint_id)
        await ctx.record("webhook", {"endpointId": endpoint_id, "from": previous, "to": status},
                         type="webhook.endpoint_status")
    return endpoint


async def delete(ctx: Ctx, endpoint_id: str) -> dict[str, Any]:
    await get(ctx, endpoint_id)
    dropped = await deliveries.drop_all(ctx, endpoint_id)
    await ctx.db.execute("DELETE FROM webhook_endpoints WHERE id = ? AND tenant_id = ?", (endpoint_id, ctx.tenant_id))
    await ctx.record("webhook", {"endpointId": endpoint_id, "droppedDeliveries": dropped},
                     type="webhook.endpoint_deleted")
    return {"id": endpoint_id, "deleted": True}


async def test_fire(ctx: Ctx, endpoint_id: str, payload: dict[str, Any] | None) -> dict[str, Any]:
    """A `test.ping` through the normal signed path, whatever the endpoint's `events` and
    status."""
    endpoint = await get(ctx, endpoint_id)
    data = payload if payload is not None else {
        "message": "This is a test event from Layers.",
        "endpointId": endpoint_id,
        "organizationId": ctx.tenant_id,
    }
    body = deliveries.envelope(ctx.new_id("evt"), cat.TEST_EVENT, ctx.iso_now(), data)
    delivery = await deliveries.enqueue(ctx, endpoint, body, forced=True)
    return {"eventId": body["id"], "deliveryId": delivery["id"], "scheduledAt": ctx.iso_now()}
