"""The credit wallet and ledger. The sandbox never burns credits: generation answers at once
without reserving or debiting, unless a tenant switches metering on through the control API
(`POST /_emulator/credits {"metered": true}`), which makes 402 and the ledger testable."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from emulator import errors
from emulator.clock import db_time, iso
from emulator.context import Ctx
from emulator.pagination import PageRequest
from emulator.store import codec
from emulator.store.docs import log_page

EVENT_TYPES = ("usage", "refund", "grant", "purchase", "adjustment", "allocation")
ESTIMATES = {"slideshow_builder": 50, "slideshow_remix": 50, "video_remix": 120, "ugc_remix": 120, "auto": 120}


def _state(ctx: Ctx) -> dict[str, Any]:
    state = ctx.tenant.settings.get("credits")
    if state is None:
        state = {"metered": False, "included": 1000, "usedThisPeriod": 0, "prepaid": 5000, "reserved": 0}
    state = dict(state)
    period = iso(_period(ctx.now)[0])
    if state.get("period") != period:  # a new billing period: included credits and spend restart
        if "period" in state:
            state["usedThisPeriod"] = 0
        state["period"], state["spentThisPeriod"] = period, 0
    return state


def _period(now: datetime) -> tuple[datetime, datetime]:
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start, end


async def wallet(ctx: Ctx) -> dict[str, Any]:
    s = _state(ctx)
    included_remaining = max(0, s["included"] - s["usedThisPeriod"])
    balance = included_remaining + s["prepaid"]
    start, end = _period(ctx.now)
    return {
        "organizationId": ctx.tenant_id,
        "balance": balance,
        "available": max(0, balance - s["reserved"]),
        "includedRemaining": included_remaining,
        "prepaidBalance": s["prepaid"],
        "reservedCredits": s["reserved"],
        "includedThisPeriod": s["included"],
        "usedThisPeriod": s["usedThisPeriod"],
        "currentPeriod": {"start": iso(start), "end": iso(end), "usedCredits": s["usedThisPeriod"]},
        "subscriptionTier": "pro",
        "billingStatus": "active",
        "estimatedCreditsPerFormat": dict(ESTIMATES),
        "ingestCostsBilled": {"github": False, "website": False, "appstore": False},
        "sandbox": not s["metered"],
    }


def configure(ctx: Ctx, *, metered: bool | None, prepaid: int | None, included: int | None) -> None:
    s = _state(ctx)
    if metered is not None:
        s["metered"] = metered
    if prepaid is not None:
        s["prepaid"] = prepaid
    if included is not None:
        s["included"] = included
    ctx.tenant.set_setting("credits", s)


def set_cap(ctx: Ctx, cap: int | None) -> None:
    """The organization's `monthlyCreditCap` (set by its parent): spend in one billing period,
    settled plus reserved, never goes above it."""
    s = _state(ctx)
    s["monthlyCreditCap"] = cap
    ctx.tenant.set_setting("credits", s)


def reserve(ctx: Ctx, fmt: str, count: int = 1) -> int:
    """Reserve credits for a generation. Sandbox (unmetered): nothing happens. Returns the
    amount reserved (to settle or release later)."""
    s = _state(ctx)
    if not s["metered"]:
        return 0
    amount = ESTIMATES.get(fmt, ESTIMATES["auto"]) * count
    available = max(0, s["included"] - s["usedThisPeriod"]) + s["prepaid"] - s["reserved"]
    if amount > available:
        raise errors.BillingExhausted(
            "Not enough credits for this generation.", details={"required": amount, "available": max(0, available)}
        )
    cap = s.get("monthlyCreditCap")
    if cap is not None and s["spentThisPeriod"] + s["reserved"] + amount > cap:
        raise errors.BillingExhausted(
            f"This organization's monthly credit cap ({cap}) would be exceeded.",
            details={"required": amount, "monthlyCreditCap": cap, "spentThisPeriod": s["spentThisPeriod"],
                     "reservedCredits": s["reserved"]},
        )
    s["reserved"] += amount
    ctx.tenant.set_setting("credits", s)
    return amount


async def settle(ctx: Ctx, amount: int, *, fmt: str, project_id: str | None, container_id: str | None) -> None:
    if amount <= 0:
        return
    s = _state(ctx)
    s["reserved"] = max(0, s["reserved"] - amount)
    from_included = min(amount, max(0, s["included"] - s["usedThisPeriod"]))
    s["usedThisPeriod"] += from_included
    s["spentThisPeriod"] += amount
    s["prepaid"] -= amount - from_included
    ctx.tenant.set_setting("credits", s)
    await _ledger(ctx, "usage", -amount, project_id=project_id, fmt=fmt, container_id=container_id, s=s)


def release(ctx: Ctx, amount: int) -> None:
    if amount <= 0:
        return
    s = _state(ctx)
    s["reserved"] = max(0, s["reserved"] - amount)
    ctx.tenant.set_setting("credits", s)


async def _ledger(
    ctx: Ctx, event_type: str, delta: int, *, project_id: str | None, fmt: str | None,
    container_id: str | None, s: dict[str, Any],
) -> None:
    event_id = ctx.new_id("")
    row = {
        "eventId": event_id, "projectId": project_id, "credits": delta, "eventType": event_type,
        "format": fmt, "containerId": container_id, "workflowId": None,
        "balanceAfterPrepaid": s["prepaid"], "usageAfterPeriod": s["usedThisPeriod"], "createdAt": ctx.iso_now(),
    }
    await ctx.db.execute(
        "INSERT INTO credit_events(id, tenant_id, project_id, event_type, created_at, data) VALUES (?,?,?,?,?,?)",
        (event_id, ctx.tenant_id, project_id, event_type, db_time(ctx.now), codec.dumps(row)),
    )


async def events_page(
    ctx: Ctx, page: PageRequest, *, project_id: str | None, event_type: str | None,
    since: datetime | None, until: datetime | None,
) -> tuple[list[dict[str, Any]], str | None]:
    where, params = ["tenant_id = ?"], [ctx.tenant_id]
    if project_id:
        where.append("project_id = ?")
        params.append(project_id)
    if event_type:
        where.append("event_type = ?")
        params.append(event_type)
    if since:
        where.append("created_at >= ?")
        params.append(db_time(since))
    if until:
        where.append("created_at <= ?")
        params.append(db_time(until))
    rows, cursor = await log_page(ctx.db, "credit_events", page, columns="data", where=where, params=params)
    return [codec.loads(r[1]) for r in rows], cursor
