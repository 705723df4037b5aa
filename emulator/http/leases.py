"""Leased TikTok accounts: request, get request, list, release; control route to fulfil."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from emulator import errors
from emulator.http import query as q
from emulator.http.api import Body, Call, Reply, Route
from emulator.http.fields import Language, text
from emulator.ids import normalize_id
from emulator.services import leases


class Niche(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    vertical: text(1, 128)  # type: ignore[valid-type]
    audience: text(1, 512) | None = None  # type: ignore[valid-type]
    language: Language | None = None
    geo: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]] | None = Field(default=None, max_length=50)


class LeaseRequest(Body):
    projectId: text(1, 64)  # type: ignore[valid-type]
    count: int = Field(ge=1, le=50)
    niche: Niche
    target: dict[str, Any] | None = None
    note: text(0, 2000) | None = None  # type: ignore[valid-type]
    requestId: text(1, 64) | None = None  # type: ignore[valid-type]


class Release(Body):
    reason: text(0, 2000) | None = None  # type: ignore[valid-type]


async def request_lease(call: Call) -> Reply:
    body: LeaseRequest = call.body
    if normalize_id("prj", body.projectId) != normalize_id("prj", call.params["projectId"]):
        raise errors.Validation("projectId in the body must match the path.", path="projectId")
    record = await leases.request(call.ctx, call.params["projectId"], body.model_dump(exclude_none=True))
    return Reply(leases.public(record), 202)


async def get_request(call: Call) -> dict[str, Any]:
    return leases.public(await leases.get_request(call.ctx, call.params["projectId"], call.params["requestId"]))


async def list_leased(call: Call) -> dict[str, Any]:
    status = q.enum(call.query, "status", ("assigned", "disconnected"), default="assigned")
    return {"items": await leases.list_leased(call.ctx, call.params["projectId"], status or "assigned"),
            "nextCursor": None}


async def release(call: Call) -> dict[str, Any]:
    body: Release = call.body
    return await leases.release(call.ctx, call.params["socialAccountId"], body.reason)


class Fulfil(Body):
    outcome: Literal["assigned", "partial", "rejected"]
    count: int | None = Field(default=None, ge=0, le=50)


async def fulfil(call: Call) -> dict[str, Any]:
    body: Fulfil = call.body
    return leases.public(await leases.fulfil(call.ctx, call.params["requestId"], body.outcome, body.count))


TAGS = ("leased-accounts",)
ROUTES = [
    Route("POST", "/v1/projects/{projectId}/leased-accounts/request", request_lease, scope="leased:write",
          body=LeaseRequest, status=202, summary="Request leased TikTok accounts", tags=TAGS),
    Route("GET", "/v1/projects/{projectId}/leased-accounts/requests/{requestId}", get_request, scope="leased:read",
          summary="Get a lease request", tags=TAGS),
    Route("GET", "/v1/projects/{projectId}/leased-accounts", list_leased, scope="leased:read", query=("status",),
          summary="List leased accounts", tags=TAGS),
    Route("DELETE", "/v1/leased-accounts/{socialAccountId}", release, scope="leased:write", body=Release,
          summary="Release a leased account", tags=TAGS),
    Route("POST", "/_emulator/lease-requests/{requestId}", fulfil, klass=None, body=Fulfil, idempotent=False,
          summary="Fulfil or reject a lease request now", tags=("control",)),
]
