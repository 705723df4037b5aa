"""Credits between a parent and its child organizations (platform sheet §7.4, §7.5): allocations
(idempotent money movement, Idempotency-Key required), the archive sweep, the credit config
(monthly cap, auto-refill) and the refill itself. Wallet state is `credits._state` of each
tenant; both sides of a transfer get a ledger row (`allocation`)."""
from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from emulator import errors
from emulator.clock import db_time, from_db
from emulator.context import Ctx, subscribe
from emulator.services import credits
from emulator.services import organizations as orgs

IDEMPOTENCY_WINDOW = timedelta(hours=24)
RESERVED_META = ("direction", "counterpartyOrgId", "transferId")


def body_digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


async def _ledger(
    ctx: Ctx, delta: int, *, event_id: str, description: str | None, metadata: dict[str, Any]
) -> None:
    s = credits._state(ctx)
    row = {
        "eventId": event_id, "projectId": None, "credits": delta, "eventType": "allocation",
        "format": None, "containerId": None, "workflowId": None,
        "balanceAfterPrepaid": s["prepaid"], "usageAfterPeriod": s["usedThisPeriod"],
        "description": description, "metadata": metadata, "createdAt": ctx.iso_now(),
    }
    await ctx.db.execute(
        "INSERT INTO credit_events(id, tenant_id, project_id, event_type, created_at, data) VALUES (?,?,?,?,?,?)",
        (event_id, ctx.tenant_id, None, "allocation", db_time(ctx.now), json.dumps(row)),
    )


def _move(source: Ctx, target: Ctx, amount: int) -> None:
    s, t = credits._state(source), credits._state(target)
    s["prepaid"] -= amount
    t["prepaid"] += amount
    source.tenant.set_setting("credits", s)
    target.tenant.set_setting("credits", t)


def _fundable(ctx: Ctx) -> int:
    """What a parent can move: its prepaid balance, never into what in-flight work reserved."""
    s = credits._state(ctx)
    available = max(0, s["included"] - s["usedThisPeriod"]) + s["prepaid"] - s["reserved"]
    return max(0, min(s["prepaid"], available))


async def transfer(
    parent: Ctx, child: Ctx, amount: int, *, description: str | None, metadata: dict[str, Any], kind: str
) -> dict[str, Any]:
    """Move `amount` prepaid credits parent → child, with both ledger rows; the transfer record."""
    txn = parent.new_id("txn")
    _move(parent, child, amount)
    uuid = txn[len("txn_"):]
    await _ledger(parent, -amount, event_id=uuid, description=description,
                  metadata={**metadata, "direction": "outbound", "counterpartyOrgId": child.tenant_id, "transferId": txn})
    await _ledger(child, amount, event_id=child.new_id(""), description=description,
                  metadata={**metadata, "direction": "inbound", "counterpartyOrgId": parent.tenant_id, "transferId": txn})
    wallet = await credits.wallet(child)
    return {
        "id": txn,
        "object": "credit_transfer",
        "organizationId": child.tenant_id,
        "created": parent.iso_now(),
        "description": description,
        "metadata": {**metadata, "direction": "outbound", "counterpartyOrgId": child.tenant_id},
        "allocated": amount,
        "balance": wallet["balance"],
        "available": wallet["available"],
        "kind": kind,
        "replayed": False,
    }


async def allocate(
    ctx: Ctx, record: dict[str, Any], child: Any, *, idem_key: str | None, body: dict[str, Any],
    credits_: int, description: str | None, metadata: dict[str, Any] | None,
) -> dict[str, Any]:
    if not idem_key:
        raise errors.IdempotencyRequired(
            "POST .../credits/allocate moves money: send an Idempotency-Key header (a fresh UUID)."
        )
    digest = body_digest(body)
    cur = await ctx.db.execute(
        "SELECT body_hash, created_at, data FROM credit_transfers WHERE tenant_id = ? AND org_id = ? AND idem_key = ?",
        (ctx.tenant_id, record["id"], idem_key),
    )
    row = await cur.fetchone()
    if row is not None:
        first = from_db(row[1])
        if first is not None and first + IDEMPOTENCY_WINDOW > ctx.now:
            if row[0] != digest:
                raise errors.IdempotencyConflict("This Idempotency-Key was already used with a different request body.")
            return {**json.loads(row[2]), "replayed": True}
        await ctx.db.execute(
            "DELETE FROM credit_transfers WHERE tenant_id = ? AND org_id = ? AND idem_key = ?",
            (ctx.tenant_id, record["id"], idem_key),
        )
    if record["status"] == "archived":
        raise errors.Conflict(f"Organization {record['id']} is archived; it cannot be funded.", details={"status": "archived"})
    orgs.check_metadata(metadata or {})
    user_meta = {k: v for k, v in (metadata or {}).items() if k not in RESERVED_META}
    fundable = _fundable(ctx)
    if credits_ > fundable:
        raise errors.BillingExhausted(
            "Your prepaid balance cannot fund this allocation.", details={"required": credits_, "available": fundable}
        )
    result = await transfer(ctx, orgs.child_ctx(ctx, child), credits_, description=description, metadata=user_meta, kind="allocation")
    await ctx.db.execute(
        "INSERT INTO credit_transfers(id, tenant_id, org_id, idem_key, body_hash, created_at, data) VALUES (?,?,?,?,?,?,?)",
        (result["id"], ctx.tenant_id, record["id"], idem_key, digest, db_time(ctx.now), json.dumps(result)),
    )
    await ctx.record("transition", {"organizationId": record["id"], "transferId": result["id"], "credits": credits_},
                     type="organization.credits_allocated")
    return result


async def sweep_to_parent(parent: Ctx, child: Ctx) -> int:
    """Archive: the child's unspent, non-reserved prepaid credits go back to the parent."""
    s = credits._state(child)
    amount = max(0, s["prepaid"] - s["reserved"])
    if amount == 0:
        return 0
    txn = parent.new_id("txn")
    _move(child, parent, amount)
    meta = {"direction": "reclaim", "transferId": txn}
    await _ledger(parent, amount, event_id=txn[len("txn_"):], description="Archive sweep",
                  metadata={**meta, "counterpartyOrgId": child.tenant_id})
    await _ledger(child, -amount, event_id=child.new_id(""), description="Archive sweep",
                  metadata={**meta, "counterpartyOrgId": parent.tenant_id})
    return amount


async def config_view(ctx: Ctx, record: dict[str, Any], child: Any) -> dict[str, Any]:
    wallet = await credits.wallet(orgs.child_ctx(ctx, child))
    return {"organizationId": record["id"], "config": orgs.credit_config(record),
            "balance": wallet["balance"], "available": wallet["available"]}


async def patch_config(ctx: Ctx, record: dict[str, Any], child: Any, fields: dict[str, Any], sent: set[str]) -> dict[str, Any]:
    cfg = {**orgs.EMPTY_CONFIG, **record.get("_creditConfig", {})}
    for name in orgs.EMPTY_CONFIG:
        if name in sent:
            cfg[name] = fields.get(name)
    if (cfg["refillThreshold"] is None) != (cfg["refillAmount"] is None):
        missing = "refillAmount" if cfg["refillAmount"] is None else "refillThreshold"
        raise errors.Validation(
            "Auto-refill is both-or-neither: set refillThreshold and refillAmount together, or clear both.",
            path=missing,
        )
    record["_creditConfig"] = cfg
    credits.set_cap(orgs.child_ctx(ctx, child), cfg["monthlyCreditCap"])
    record["updatedAt"] = ctx.iso_now()
    await orgs.ORGS.save(ctx.db, ctx.tenant_id, record)
    await maybe_refill(ctx, record, child)
    return await config_view(ctx, record, child)


async def maybe_refill(parent: Ctx, record: dict[str, Any], child: Any) -> bool:
    """Auto-refill: when the child's `available` is below the threshold, move `refillAmount` from
    the parent (skipped when the parent cannot fund it or the child is not active)."""
    cfg = orgs.credit_config(record)
    if not cfg["autoRefillEnabled"] or record["status"] != "active":
        return False
    cctx = orgs.child_ctx(parent, child)
    wallet = await credits.wallet(cctx)
    if wallet["available"] >= cfg["refillThreshold"] or _fundable(parent) < cfg["refillAmount"]:
        return False
    await transfer(parent, cctx, cfg["refillAmount"], description="Auto-refill", metadata={}, kind="auto_refill")
    await parent.record("transition", {"organizationId": record["id"], "credits": cfg["refillAmount"]},
                        type="organization.auto_refilled")
    return True


async def refill_child(ctx: Ctx) -> bool:
    """Called with a child's ctx: run its auto-refill rule from the parent side."""
    parent_id = ctx.tenant.parent_id
    if parent_id is None:
        return False
    parent = await ctx.emu.tenants.get(ctx.db, parent_id)
    if parent is None:
        return False
    pctx = Ctx(ctx.emu, parent, parent.now(), ctx.db, ctx.api_key_id, ctx.request_id)
    record = await orgs.ORGS.get(ctx.db, parent_id, ctx.tenant_id)
    if record is None:
        return False
    return await maybe_refill(pctx, record, ctx.tenant)


@subscribe
async def _after_child_event(ctx: Ctx, event: dict[str, Any]) -> None:
    """Any domain event inside a child (a generation finishing, a post publishing...) is a point
    where its wallet may have dropped: evaluate the auto-refill rule."""
    if ctx.tenant.parent_id is not None:
        await refill_child(ctx)
