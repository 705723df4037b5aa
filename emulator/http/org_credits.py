"""A child organization's credits, read and funded by its parent (`org:admin`): wallet, ledger,
allocate (Idempotency-Key REQUIRED), credit config (monthly cap, auto-refill)."""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from emulator.http import query as q
from emulator.http.api import Body, Call, Route
from emulator.http.fields import text
from emulator.pagination import page_request
from emulator.services import credits, org_credits
from emulator.services import organizations as orgs

ADMIN = "org:admin"
TAGS = ("organizations",)
ORG = "/v1/organizations/{orgId}"


class Allocate(Body):
    credits: Annotated[int, Field(gt=0)]
    description: text(0, 500) | None = None  # type: ignore[valid-type]
    metadata: dict[str, str] | None = None


class CreditConfig(Body):
    monthlyCreditCap: Annotated[int, Field(ge=0)] | None = None
    refillThreshold: Annotated[int, Field(ge=0)] | None = None
    refillAmount: Annotated[int, Field(gt=0)] | None = None


async def child_credits(call: Call) -> dict[str, Any]:
    _, child = await orgs.load(call.ctx, call.params["orgId"])
    return await credits.wallet(orgs.child_ctx(call.ctx, child))


async def child_credit_events(call: Call) -> dict[str, Any]:
    _, child = await orgs.load(call.ctx, call.params["orgId"])
    page = page_request(call.query, default=25, maximum=100)
    event_type = q.enum(call.query, "eventType", credits.EVENT_TYPES)
    since = q.instant(call.query, "since", z_only=True)
    until = q.instant(call.query, "until", z_only=True)
    items, cursor = await credits.events_page(
        orgs.child_ctx(call.ctx, child), page, project_id=call.query.get("projectId"),
        event_type=event_type, since=since, until=until,
    )
    return {"items": items, "nextCursor": cursor}


async def allocate(call: Call) -> dict[str, Any]:
    record, child = await orgs.load(call.ctx, call.params["orgId"])
    body: Allocate = call.body
    return await org_credits.allocate(
        call.ctx, record, child, idem_key=call.request.headers.get("idempotency-key"),
        body=call.json if isinstance(call.json, dict) else {}, credits_=body.credits,
        description=body.description, metadata=body.metadata,
    )


async def get_config(call: Call) -> dict[str, Any]:
    record, child = await orgs.load(call.ctx, call.params["orgId"])
    return await org_credits.config_view(call.ctx, record, child)


async def patch_config(call: Call) -> dict[str, Any]:
    record, child = await orgs.load(call.ctx, call.params["orgId"])
    orgs.require_writable(record)
    return await org_credits.patch_config(call.ctx, record, child, call.body.model_dump(), call.sent)


ROUTES = [
    Route("GET", ORG + "/credits", child_credits, scope=ADMIN, summary="A child organization's wallet", tags=TAGS),
    Route("GET", ORG + "/credits/events", child_credit_events, scope=ADMIN,
          query=("cursor", "limit", "projectId", "eventType", "since", "until"),
          summary="A child organization's credit ledger", tags=TAGS),
    Route("POST", ORG + "/credits/allocate", allocate, scope=ADMIN, body=Allocate, idempotent=False,
          summary="Allocate credits to a child (Idempotency-Key required)", audit="credits.allocated", tags=TAGS),
    Route("GET", ORG + "/credit-config", get_config, scope=ADMIN, summary="A child's credit config", tags=TAGS),
    Route("PATCH", ORG + "/credit-config", patch_config, scope=ADMIN, body=CreditConfig,
          summary="Set a child's monthly cap and auto-refill", audit="organization.credit_config_updated", tags=TAGS),
]
