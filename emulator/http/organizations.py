"""`/v1/organizations`: the sub-organization control plane (all `org:admin`, parent key):
create, list, get, patch, suspend, resume, archive (DELETE), migrate, and child-org API keys.
Credits routes of a child live in `org_credits.py`."""
from __future__ import annotations

from typing import Any, Literal

from emulator.http import query as q
from emulator.http.api import Body, Call, Reply, Route
from emulator.http.fields import Email, text
from emulator.pagination import page_request
from emulator.services import child_keys, org_migrate
from emulator.services import org_credits as _org_credits  # noqa: F401  (registers the refill subscriber)
from emulator.services import organizations as orgs

ADMIN = "org:admin"
TAGS = ("organizations",)


class CreateOrg(Body):
    name: text(1, 128)  # type: ignore[valid-type]
    metadata: dict[str, str] | None = None
    billingEmail: Email | None = None


class PatchOrg(Body):
    name: text(1, 128) | None = None  # type: ignore[valid-type]
    metadata: dict[str, str | None] | None = None
    billingEmail: Email | None = None


class Migrate(Body):
    mapping: dict[str, Any]


class MintKey(Body):
    name: text(1, 120)  # type: ignore[valid-type]
    scopes: list[str]
    env: Literal["live", "test"] = "live"


async def create_org(call: Call) -> Reply:
    body: CreateOrg = call.body
    record = await orgs.create_child(call.ctx, name=body.name, metadata=body.metadata, billing_email=body.billingEmail)
    return Reply(orgs.public(record), 201)


async def list_orgs(call: Call) -> dict[str, Any]:
    page = page_request(call.query, default=25, maximum=200)
    status = q.enum(call.query, "status", orgs.STATUSES)
    items, cursor = await orgs.page(call.ctx, page, status)
    return {"items": items, "nextCursor": cursor}


async def get_org(call: Call) -> dict[str, Any]:
    record, child = await orgs.load(call.ctx, call.params["orgId"])
    return await orgs.detail(call.ctx, record, child)


async def patch_org(call: Call) -> dict[str, Any]:
    record, child = await orgs.load(call.ctx, call.params["orgId"])
    orgs.require_writable(record)
    fields = call.body.model_dump()
    if "name" in call.sent and fields.get("name") is None:
        from emulator import errors

        raise errors.Validation("name cannot be null.", path="name")
    return await orgs.patch(call.ctx, record, child, fields, call.sent)


async def suspend_org(call: Call) -> dict[str, Any]:
    record, child = await orgs.load(call.ctx, call.params["orgId"])
    return await orgs.set_status(call.ctx, record, child, "suspended")


async def resume_org(call: Call) -> dict[str, Any]:
    record, child = await orgs.load(call.ctx, call.params["orgId"])
    return await orgs.set_status(call.ctx, record, child, "active")


async def archive_org(call: Call) -> dict[str, Any]:
    record, child = await orgs.load(call.ctx, call.params["orgId"])
    return await orgs.archive(call.ctx, record, child)


async def migrate(call: Call) -> Reply:
    return Reply(await org_migrate.migrate(call.ctx, call.body.mapping), 201)


async def mint_key(call: Call) -> Reply:
    record, child = await orgs.load(call.ctx, call.params["orgId"])
    if record["status"] == "archived":
        from emulator import errors

        raise errors.Conflict(f"Organization {record['id']} is archived; it cannot get new keys.", details={"status": "archived"})
    body: MintKey = call.body
    assert call.principal is not None
    result = await child_keys.mint(
        call.ctx, child, name=body.name, scopes=body.scopes, env=body.env, granted=call.principal.scopes
    )
    return Reply(result, 201)


async def list_keys(call: Call) -> dict[str, Any]:
    page = page_request(call.query, default=25, maximum=100)
    _, child = await orgs.load(call.ctx, call.params["orgId"])
    items, cursor = await child_keys.page(call.ctx, child, page)
    return {"items": items, "nextCursor": cursor}


async def rotate_key(call: Call) -> dict[str, Any]:
    _, child = await orgs.load(call.ctx, call.params["orgId"])
    return await child_keys.rotate(call.ctx, child, call.params["keyId"])


async def delete_key(call: Call) -> dict[str, Any]:
    _, child = await orgs.load(call.ctx, call.params["orgId"])
    return await child_keys.delete(call.ctx, child, call.params["keyId"])


ORG = "/v1/organizations/{orgId}"
ROUTES = [
    Route("POST", "/v1/organizations", create_org, scope=ADMIN, body=CreateOrg, status=201,
          summary="Create a child organization", audit="organization.created", tags=TAGS),
    Route("GET", "/v1/organizations", list_orgs, scope=ADMIN, query=("status", "limit", "cursor"),
          summary="List child organizations", tags=TAGS),
    Route("POST", "/v1/organizations/migrate", migrate, scope=ADMIN, body=Migrate, status=201,
          summary="Move projects into new child organizations", audit="organization.migrated", tags=TAGS),
    Route("GET", ORG, get_org, scope=ADMIN, summary="Get a child organization", tags=TAGS),
    Route("PATCH", ORG, patch_org, scope=ADMIN, body=PatchOrg, summary="Update a child organization",
          audit="organization.updated", tags=TAGS),
    Route("DELETE", ORG, archive_org, scope=ADMIN, summary="Archive a child organization (terminal)",
          audit="organization.archived", tags=TAGS),
    Route("POST", ORG + "/suspend", suspend_org, scope=ADMIN, summary="Suspend a child organization",
          audit="organization.suspended", tags=TAGS),
    Route("POST", ORG + "/resume", resume_org, scope=ADMIN, summary="Resume a child organization",
          audit="organization.resumed", tags=TAGS),
    Route("POST", ORG + "/api-keys", mint_key, scope=ADMIN, body=MintKey, status=201,
          summary="Mint a child-organization API key", audit="api_key.created", tags=TAGS),
    Route("GET", ORG + "/api-keys", list_keys, scope=ADMIN, query=("limit", "cursor"),
          summary="List a child organization's API keys", tags=TAGS),
    Route("POST", ORG + "/api-keys/{keyId}/rotate", rotate_key, scope=ADMIN,
          summary="Rotate a child key (24 h grace)", audit="api_key.rotated", tags=TAGS),
    Route("DELETE", ORG + "/api-keys/{keyId}", delete_key, scope=ADMIN,
          summary="Revoke a child key", audit="api_key.revoked", tags=TAGS),
]
