"""`/v1/webhook-endpoints` and `/v1/webhook-deliveries/{id}/replay`: register endpoints, read
and change them, rotate the signing secret, fire a test, list deliveries, replay one."""
from __future__ import annotations

from typing import Any, Literal

from emulator import errors
from emulator.auth import scope_granted
from emulator.domain import webhook_catalog as cat
from emulator.http import query as q
from emulator.http.api import Body, Call, Reply, Route
from emulator.http.fields import Metadata, text
from emulator.pagination import page_request
from emulator.services import deliveries, webhook_dispatch, webhooks  # noqa: F401 - registers the timer and subscriber

Scope = Literal["own", "all_children"]


class CreateEndpoint(Body):
    url: str
    events: list[Any]
    description: text(0, cat.DESCRIPTION_MAX) | None = None  # type: ignore[valid-type]
    projectId: str | None = None
    metadata: Metadata | None = None
    scope: Scope | None = None


class PatchEndpoint(Body):
    url: str | None = None
    events: list[Any] | None = None
    description: text(0, cat.DESCRIPTION_MAX) | None = None  # type: ignore[valid-type]
    status: str | None = None
    metadata: Metadata | None = None
    scope: Scope | None = None


class TestFire(Body):
    payload: dict[str, Any] | None = None


PATCHABLE = ("url", "events", "description", "status", "metadata", "scope")
NOT_NULLABLE = ("url", "events", "status", "scope")


def _check_scope(call: Call, scope: str | None) -> None:
    if scope == "all_children":
        granted = call.principal.scopes if call.principal else []
        if not scope_granted("org:admin", granted):
            raise errors.ForbiddenScope(
                "scope 'all_children' needs a key with the 'org:admin' scope.",
                details={"requiredScope": "org:admin", "grantedScopes": granted},
            )


async def create_endpoint(call: Call) -> Reply:
    body: CreateEndpoint = call.body
    _check_scope(call, body.scope)
    endpoint, secret = await webhooks.create(call.ctx, body.model_dump())
    return Reply(
        {"endpoint": webhooks.public(endpoint), "signingSecret": secret, "warning": webhooks.SECRET_WARNING}, 201
    )


async def list_endpoints(call: Call) -> dict[str, Any]:
    page = page_request(call.query, default=25, maximum=100)
    status = q.enum(call.query, "status", cat.ENDPOINT_STATUSES)
    items, cursor = await webhooks.list_page(
        call.ctx, page, project_id=call.query.get("projectId") or None, status=status
    )
    return {"items": items, "nextCursor": cursor}


async def get_endpoint(call: Call) -> dict[str, Any]:
    return webhooks.public(await webhooks.get(call.ctx, call.params["endpointId"]))


async def patch_endpoint(call: Call) -> dict[str, Any]:
    body: PatchEndpoint = call.body
    changes = {k: getattr(body, k) for k in PATCHABLE if k in call.sent}
    if not changes:
        raise errors.Validation(
            f"Send at least one of {', '.join(PATCHABLE)}.", path=""
        )
    nulls = [k for k in NOT_NULLABLE if k in changes and changes[k] is None]
    if nulls:
        raise errors.Validation(f"{nulls[0]} cannot be null.", path=nulls[0])
    status = changes.get("status")
    if status == "auto_paused":
        raise errors.Validation(
            "status 'auto_paused' is set only by the dispatcher; send 'active' or 'paused'.", path="status"
        )
    if status is not None and status not in ("active", "paused"):
        raise errors.Validation("status must be one of active, paused.", path="status")
    _check_scope(call, changes.get("scope"))
    await webhooks.get(call.ctx, call.params["endpointId"])  # 404 before field errors
    return webhooks.public(await webhooks.patch(call.ctx, call.params["endpointId"], changes))


async def delete_endpoint(call: Call) -> dict[str, Any]:
    return await webhooks.delete(call.ctx, call.params["endpointId"])


async def rotate_secret(call: Call) -> dict[str, Any]:
    return await webhooks.rotate(call.ctx, call.params["endpointId"])


async def test_endpoint(call: Call) -> dict[str, Any]:
    body: TestFire = call.body
    return await webhooks.test_fire(call.ctx, call.params["endpointId"], body.payload)


async def list_deliveries(call: Call) -> dict[str, Any]:
    page = page_request(call.query, default=25, maximum=100)
    status = q.enum(call.query, "status", cat.DELIVERY_STATUSES)
    event_type = q.enum(call.query, "eventType", cat.EVENTS)
    endpoint = await webhooks.get(call.ctx, call.params["endpointId"])
    items, cursor = await deliveries.list_page(call.ctx, endpoint["id"], page, event_type=event_type, status=status)
    return {"items": items, "nextCursor": cursor}


async def replay_delivery(call: Call) -> dict[str, Any]:
    original = await deliveries.get(call.ctx, call.params["deliveryId"])
    endpoint = await webhooks.ENDPOINTS.get(call.ctx.db, call.ctx.tenant_id, original["endpointId"])
    return await deliveries.replay(call.ctx, original["id"], endpoint)


TAGS = ("webhooks",)
EP = "/v1/webhook-endpoints"
ROUTES = [
    Route("POST", EP, create_endpoint, body=CreateEndpoint, status=201, summary="Register a webhook endpoint",
          audit="webhook_endpoint.created", tags=TAGS),
    Route("GET", EP, list_endpoints, summary="List webhook endpoints",
          query=("projectId", "status", "cursor", "limit"), tags=TAGS),
    Route("GET", EP + "/{endpointId}", get_endpoint, summary="Get a webhook endpoint", tags=TAGS),
    Route("PATCH", EP + "/{endpointId}", patch_endpoint, body=PatchEndpoint, summary="Update a webhook endpoint",
          audit="webhook_endpoint.updated", tags=TAGS),
    Route("DELETE", EP + "/{endpointId}", delete_endpoint, summary="Delete a webhook endpoint",
          audit="webhook_endpoint.deleted", tags=TAGS),
    Route("POST", EP + "/{endpointId}/rotate-secret", rotate_secret, summary="Rotate the signing secret",
          audit="webhook_endpoint.secret_rotated", tags=TAGS),
    Route("POST", EP + "/{endpointId}/test", test_endpoint, body=TestFire, summary="Send a test.ping",
          tags=TAGS),
    Route("GET", EP + "/{endpointId}/deliveries", list_deliveries, summary="List deliveries of an endpoint",
          query=("eventType", "status", "cursor", "limit"), tags=TAGS),
    Route("POST", "/v1/webhook-deliveries/{deliveryId}/replay", replay_delivery, summary="Replay a delivery",
          audit="webhook_delivery.replayed", tags=TAGS),
]
