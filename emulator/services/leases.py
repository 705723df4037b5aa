"""Layers-leased TikTok accounts: a request is fulfilled by "ops" 24 virtual hours later (or at
once through the control route), assigned accounts appear in social-accounts with
`leased: true`, and release disconnects them at once (queued posts canceled)."""
from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from typing import Any

from emulator import errors
from emulator.clock import iso, parse_instant
from emulator.context import Ctx
from emulator.engine import timer
from emulator.fakes import onboarding as fakes
from emulator.services import projects, social
from emulator.store.docs import Docs

FULFIL_AFTER = timedelta(hours=24)
PRICE_CENTS = 15000
REQUESTS = Docs(
    "lease_requests",
    {"project_id": lambda r: r["projectId"], "status": lambda r: r["status"], "created_at": lambda r: r["submittedAt"]},
    "Lease request",
)


def add_months(at: datetime, months: int) -> datetime:
    month = at.month - 1 + months
    year, month = at.year + month // 12, month % 12 + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


def public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "id" and not k.startswith("_")}


async def request(ctx: Ctx, project_id: str, body: dict[str, Any]) -> dict[str, Any]:
    project = await projects.get_active(ctx, project_id)
    wanted = body.get("requestId")
    if wanted:
        existing = await REQUESTS.get(ctx.db, ctx.tenant_id, wanted)
        if existing is not None:
            if existing["projectId"] == project["id"] and existing["_body"] == body:
                return existing
            raise errors.Conflict(f"Lease request {wanted} already exists with a different body.",
                                  details={"requestId": wanted})
    request_id = wanted or ctx.new_id("lreq")
    record = {
        "id": request_id, "requestId": request_id, "projectId": project["id"], "status": "requested",
        "count": body["count"], "niche": body["niche"], "target": body.get("target"),
        "submittedAt": ctx.iso_now(), "assignedAt": None, "assignedSocialAccountIds": [], "note": None,
        "_partnerNote": body.get("note"), "_body": body,
    }
    await REQUESTS.insert(ctx.db, ctx.tenant_id, record)
    await ctx.schedule("lease.fulfil", ctx.now + FULFIL_AFTER, {"outcome": "assigned"}, ref=request_id)
    return record


async def get_request(ctx: Ctx, project_id: str, request_id: str) -> dict[str, Any]:
    project = await projects.get(ctx, project_id)
    return await REQUESTS.require_in(ctx.db, ctx.tenant_id, request_id, project["id"])


async def fulfil(ctx: Ctx, request_id: str, outcome: str, count: int | None = None) -> dict[str, Any]:
    record = await REQUESTS.require(ctx.db, ctx.tenant_id, request_id)
    if record["status"] != "requested":
        raise errors.Conflict(f"Lease request {request_id} is already {record['status']}.")
    await ctx.cancel_timers("lease.fulfil", request_id)
    if outcome == "rejected":
        record.update(status="rejected", note="No warmed accounts match this niche right now.")
        await REQUESTS.save(ctx.db, ctx.tenant_id, record)
        await ctx.emit("lease_request.rejected", {"requestId": request_id, "projectId": record["projectId"],
                                                  "status": "rejected", "note": record["note"]},
                       project_id=record["projectId"])
        return record
    wanted = record["count"]
    n = count if count is not None else (wanted if outcome == "assigned" else max(1, wanted // 2))
    n = max(0, min(n, wanted))
    status = "assigned" if n == wanted else "partial"
    ids = []
    for i in range(n):
        ident = fakes.leased_identity(ctx.seed, request_id, i, record["niche"].get("vertical", "daily"))
        account = await social.connect(
            ctx, record["projectId"], "tiktok", handle=ident["handle"], leased=True,
            extra={"followers": ident["followers"], "assignedAt": ctx.iso_now(), "monthlyPriceCents": PRICE_CENTS,
                   "leaseRequestId": request_id},
        )
        ids.append(account["id"])
    record.update(status=status, assignedAt=ctx.iso_now(), assignedSocialAccountIds=ids,
                  note=f"Assigned {n} of {wanted} warmed TikTok account(s) for {record['niche'].get('vertical')}.")
    await REQUESTS.save(ctx.db, ctx.tenant_id, record)
    await ctx.emit("lease_request.assigned", {"requestId": request_id, "projectId": record["projectId"],
                                              "status": status, "assignedSocialAccountIds": ids,
                                              "assignedAt": record["assignedAt"]},
                   project_id=record["projectId"])
    return record


@timer("lease.fulfil")
async def _fulfil_timer(ctx: Ctx, payload: dict[str, Any], ref: str | None) -> None:
    record = await REQUESTS.get(ctx.db, ctx.tenant_id, ref or "")
    if record is not None and record["status"] == "requested":
        await fulfil(ctx, record["id"], payload.get("outcome", "assigned"))


def leased_view(ctx: Ctx, account: dict[str, Any]) -> dict[str, Any]:
    assigned = parse_instant(account.get("assignedAt") or account["connectedAt"])
    k = 1
    while add_months(assigned, k) <= ctx.now:
        k += 1
    active = account["status"] != "disconnected"
    return {
        "socialAccountId": account["id"], "projectId": account["projectId"], "handle": account["handle"],
        "platform": account["platform"], "followers": account.get("followers", 0),
        "status": "assigned" if active else "disconnected", "assignedAt": account.get("assignedAt"),
        "nextRenewalAt": iso(add_months(assigned, k)) if active else None,
        "monthlyPriceCents": account.get("monthlyPriceCents", PRICE_CENTS),
        "disconnectedAt": account.get("disconnectedAt"),
    }


async def list_leased(ctx: Ctx, project_id: str, status: str) -> list[dict[str, Any]]:
    project = await projects.get(ctx, project_id)
    accounts = await social.list_for_project(ctx, project["id"])
    views = [leased_view(ctx, a) for a in accounts if a.get("leased")]
    return [v for v in views if v["status"] == status]


async def release(ctx: Ctx, account_id: str, reason: str | None) -> dict[str, Any]:
    account = await social.ACCOUNTS.get(ctx.db, ctx.tenant_id, account_id)
    if account is None or not account.get("leased") or account["status"] == "disconnected":
        raise errors.NotFound(f"Leased account {account_id} not found.")
    canceled = await social.disconnect(ctx, account, "released_by_partner")
    account["_releaseReason"] = reason
    await social.ACCOUNTS.save(ctx.db, ctx.tenant_id, account)
    return {"socialAccountId": account_id, "status": "disconnected", "disconnectedReason": "released_by_partner",
            "disconnectedAt": account["disconnectedAt"], "canceledScheduledPosts": canceled}
