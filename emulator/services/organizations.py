"""Sub-organizations (platform sheet §6): a child organization is a tenant with a parent link, so
every existing route works inside it through its own keys or the parent's key plus
`X-Layers-Organization`. The parent owns the control-plane record (`organizations` table:
status, metadata, billing email, credit config); the child owns everything else.

Lifecycle: active ⇄ suspended → archived (terminal). Suspended: the child's keys answer 503
KILL_SWITCH and its timers hold (engine.settle skips a non-active org). Archived: unspent,
non-reserved credits are swept to the parent, its keys are revoked, its timers are dropped.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from emulator import errors
from emulator.clock import db_time, iso
from emulator.context import Ctx
from emulator.ids import normalize_id
from emulator.pagination import PageRequest
from emulator.services import credits
from emulator.store import codec
from emulator.store.docs import Docs
from emulator.tenancy import Tenant

ORGS = Docs(
    "organizations",
    {"status": lambda r: r["status"], "name": lambda r: r["name"], "created_at": lambda r: r["createdAt"]},
    "Organization",
)
STATUSES = ("active", "suspended", "archived")
ORG_ID = re.compile(r"org_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
EMPTY_CONFIG = {"monthlyCreditCap": None, "refillThreshold": None, "refillAmount": None}

# Metadata bounds (changelog 2026-06-09): string → string, key ≤ 40, value ≤ 500, ≤ 50 keys, 16 KB.
META_KEY_MAX, META_VALUE_MAX, META_KEYS_MAX, META_BYTES_MAX = 40, 500, 50, 16 * 1024


def public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if not k.startswith("_")}


def org_id_from(raw: str, path: str = "orgId") -> str:
    value = normalize_id("org", raw.strip())
    if not ORG_ID.fullmatch(value):
        raise errors.Validation(f"{path} must be org_<uuid> or a bare UUID.", path=path)
    return value


def check_metadata(meta: dict[str, Any], path: str = "metadata") -> None:
    """Bounds of a final metadata object (after a merge)."""
    if len(meta) > META_KEYS_MAX:
        raise errors.Validation(f"{path} holds at most {META_KEYS_MAX} keys.", path=path)
    for key, value in meta.items():
        if len(key) == 0 or len(key) > META_KEY_MAX:
            raise errors.Validation(f"{path} keys are 1-{META_KEY_MAX} characters.", path=f"{path}.{key}")
        if not isinstance(value, str):
            raise errors.Validation(f"{path} values must be strings.", path=f"{path}.{key}")
        if len(value) > META_VALUE_MAX:
            raise errors.Validation(f"{path} values are at most {META_VALUE_MAX} characters.", path=f"{path}.{key}")
    if len(json.dumps(meta, separators=(",", ":")).encode()) > META_BYTES_MAX:
        raise errors.Validation(f"{path} is larger than 16 KB.", path=path)


def merge_metadata(current: dict[str, str], patch: dict[str, Any] | None) -> dict[str, str]:
    """Stripe-style: sent keys set, `""` deletes, omitted kept; `null` as the whole clears all;
    a per-key `null` is refused."""
    if patch is None:
        return {}
    merged = dict(current)
    for key, value in patch.items():
        if value is None:
            raise errors.Validation("metadata values cannot be null; send \"\" to delete a key.", path=f"metadata.{key}")
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    check_metadata(merged)
    return merged


def require_parent(ctx: Ctx) -> None:
    if ctx.tenant.parent_id is not None:
        raise errors.Validation(
            "A child organization cannot manage organizations (sub-organizations are one level deep).",
            path="organization",
        )


async def child_tenant(ctx: Ctx, org_id: str) -> Tenant:
    tenant = await ctx.emu.tenants.get(ctx.db, org_id)
    if tenant is None or tenant.parent_id != ctx.tenant_id:
        raise errors.NotFound(f"Organization {org_id} not found.")
    return tenant


def child_ctx(ctx: Ctx, child: Tenant) -> Ctx:
    """Work inside the child (its clock, its ids) within the caller's transaction."""
    return Ctx(ctx.emu, child, child.now(), ctx.db, ctx.api_key_id, ctx.request_id)


def require_writable(record: dict[str, Any]) -> None:
    """An archived organization is read-only: writes answer 409 CONFLICT."""
    if record["status"] == "archived":
        raise errors.Conflict(f"Organization {record['id']} is archived: it is read-only.", details={"status": "archived"})


async def load(ctx: Ctx, raw_id: str) -> tuple[dict[str, Any], Tenant]:
    org_id = org_id_from(raw_id)
    record = await ORGS.get(ctx.db, ctx.tenant_id, org_id)
    if record is None:
        raise errors.NotFound(f"Organization {org_id} not found.")
    return record, await child_tenant(ctx, org_id)


async def create_child(
    ctx: Ctx, *, name: str, metadata: dict[str, str] | None, billing_email: str | None
) -> dict[str, Any]:
    require_parent(ctx)
    check_metadata(metadata or {})
    child = await ctx.emu.tenants.create(
        ctx.db, f"child:{ctx.tenant_id}:{ctx.new_id('')}", start=ctx.now, name=name, parent_id=ctx.tenant_id
    )
    parent_wallet = credits._state(ctx)
    child.set_setting(  # an empty wallet; metering follows the parent's switch at creation
        "credits", {"metered": parent_wallet["metered"], "included": 0, "usedThisPeriod": 0, "prepaid": 0, "reserved": 0}
    )
    now = ctx.iso_now()
    record = {
        "id": child.id,
        "parentOrganizationId": ctx.tenant_id,
        "name": name,
        "status": "active",
        "metadata": dict(metadata or {}),
        "billingEmail": billing_email,
        "archivedAt": None,
        "createdAt": now,
        "updatedAt": now,
        "_creditConfig": dict(EMPTY_CONFIG),
    }
    await ORGS.insert(ctx.db, ctx.tenant_id, record)
    await ctx.record("transition", {"organizationId": child.id, "to": "active"}, type="organization.created")
    return record


async def page(ctx: Ctx, request: PageRequest, status: str | None) -> tuple[list[dict[str, Any]], str | None]:
    where, params = ("status = ?", [status]) if status else ("1=1", [])
    items, cursor = await ORGS.page(ctx.db, ctx.tenant_id, request, where=where, params=params)
    return [public(r) for r in items], cursor


def credit_config(record: dict[str, Any]) -> dict[str, Any]:
    cfg = {**EMPTY_CONFIG, **record.get("_creditConfig", {})}
    cfg["autoRefillEnabled"] = cfg["refillThreshold"] is not None and cfg["refillAmount"] is not None
    return cfg


async def detail(ctx: Ctx, record: dict[str, Any], child: Tenant) -> dict[str, Any]:
    wallet = await credits.wallet(child_ctx(ctx, child))
    cur = await ctx.db.execute(
        "SELECT COUNT(*) FROM projects WHERE tenant_id = ? AND status != 'archived'", (child.id,)
    )
    row = await cur.fetchone()
    summary = {
        "projectCount": int(row[0]) if row else 0,
        "balance": wallet["balance"],
        "available": wallet["available"],
        "creditConfig": credit_config(record),
    }
    return {**public(record), "summary": summary}


async def patch(ctx: Ctx, record: dict[str, Any], child: Tenant, fields: dict[str, Any], sent: set[str]) -> dict[str, Any]:
    if "name" in sent:
        record["name"] = fields["name"]
        child.name = fields["name"]
        await ctx.db.execute("UPDATE tenants SET name = ? WHERE id = ?", (fields["name"], child.id))
    if "metadata" in sent:
        record["metadata"] = merge_metadata(record.get("metadata") or {}, fields.get("metadata"))
    if "billingEmail" in sent:
        record["billingEmail"] = fields.get("billingEmail")
    record["updatedAt"] = ctx.iso_now()
    await ORGS.save(ctx.db, ctx.tenant_id, record)
    return public(record)


async def set_status(ctx: Ctx, record: dict[str, Any], child: Tenant, to: str) -> dict[str, Any]:
    if record["status"] == "archived":
        raise errors.Conflict(
            f"Organization {record['id']} is archived; it cannot be suspended or resumed.",
            details={"status": "archived"},
        )
    if record["status"] != to:
        record["status"] = to
        record["updatedAt"] = ctx.iso_now()
        await ORGS.save(ctx.db, ctx.tenant_id, record)
        data = {"organizationId": record["id"], "to": to}
        await ctx.record("transition", data, type=f"organization.{'suspended' if to == 'suspended' else 'resumed'}")
        await child_ctx(ctx, child).record("transition", data, type=f"organization.{'suspended' if to == 'suspended' else 'resumed'}")
    return public(record)


async def archive(ctx: Ctx, record: dict[str, Any], child: Tenant) -> dict[str, Any]:
    if record["status"] == "archived":
        return dict(record["_archive"])
    from emulator.services import org_credits

    cctx = child_ctx(ctx, child)
    reclaimed = await org_credits.sweep_to_parent(ctx, cctx)
    revoked = 0
    rows = await ctx.db.execute_fetchall("SELECT data FROM api_keys WHERE tenant_id = ?", (child.id,))
    for (data,) in rows:
        key = codec.loads(data)
        if key.get("status") == "active" and not _grace_over(key, child.now()):
            revoked += 1
        if key.get("status") == "active":
            key.update(status="revoked", isActive=False, revokedAt=cctx.iso_now())
            await ctx.emu.keys.save(ctx.db, key)
    await ctx.db.execute("DELETE FROM timers WHERE tenant_id = ?", (child.id,))
    now = ctx.iso_now()
    record.update(status="archived", archivedAt=now, updatedAt=now)
    result = {"id": record["id"], "status": "archived", "archivedAt": now,
              "reclaimedCredits": reclaimed, "revokedApiKeys": revoked}
    record["_archive"] = result
    await ORGS.save(ctx.db, ctx.tenant_id, record)
    await ctx.record("transition", {"organizationId": record["id"], "to": "archived", **result}, type="organization.archived")
    return result


def _grace_over(key: dict[str, Any], now: datetime) -> bool:
    grace = key.get("graceUntil")
    return bool(grace) and str(grace) <= (iso(now) or "")


_ = db_time
