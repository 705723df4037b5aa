"""Social Distribution: the layer's slots (its `scheduled_posts` rows), the content it may use,
and the hooks that keep slots in step with content (distribution.md §5).

Interface for other areas:
    await on_container_ready(ctx, container)   pending_assets rows holding it → ready
    await on_container_dropped(ctx, container) rows still waiting for it give the slot back
Both are registered on the containers hook lists (ON_COMPLETED, ON_APPROVED, ON_REJECTED);
process-due and the planner also reconcile lazily, so a missed hook only delays the flip.

Emulator choices:
- Available content for a layer = completed containers of the project whose approval is
  `approved`/`not_required`, that fit the platform, that are anchored to no other account
  (`socialAccountId` null or this layer's account), that come from one of
  `contentLayerSourceIds` when set, and that no live row of the same account already holds.
- Partner rows on the layer's account are published by the publishing area's own timers;
  layer commands act on layer-origin rows only.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from emulator import errors
from emulator.clock import from_db, iso, parse_instant
from emulator.context import Ctx
from emulator.domain.slots import ExistingSlot, SlotConfigError, zone
from emulator.services import scheduled_posts as sp
from emulator.store import codec

LIVE_STATUSES = ("pending", "pending_assets", "ready", "posting", "posted", "draft", "pending_manual", "failed")


def instant(text: str) -> datetime:
    value = from_db(text) if text.endswith("Z") and len(text) == 24 else None
    return value if value is not None else parse_instant(text)


# ------------------------------------------------------------------ collaborators

async def load_account(ctx: Ctx, account_id: str) -> dict[str, Any] | None:
    from emulator.services import social

    try:
        return dict(await social.get_account(ctx, account_id))
    except errors.NotFound:
        return None


def healthy(account: dict[str, Any]) -> bool:
    from emulator.services import social

    return bool(social.is_healthy(account))


def platform_fits(container: dict[str, Any], platform: str | None) -> bool:
    fit = container.get("platformFit")
    if isinstance(fit, dict) and isinstance(fit.get(platform), dict):
        return fit[platform].get("ok", True) is not False
    return True


def gate(container: dict[str, Any]) -> str:
    from emulator.services import containers

    return str(containers.approval_gate(container))


# ------------------------------------------------------------------ rows of a layer

async def layer_rows(ctx: Ctx, layer_id: str, where: str = "1=1", params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    return await sp.SCHEDULED_POSTS.find(
        ctx.db, ctx.tenant_id, f"layer_id = ? AND ({where})", (layer_id, *params), order="scheduled_at, id"
    )


def as_slot(row: dict[str, Any]) -> ExistingSlot:
    return ExistingSlot(
        id=row["id"], scheduled_at=instant(row["scheduledAt"]),
        has_content=row.get("containerId") is not None, status=row["status"],
    )


async def existing_slots(ctx: Ctx, layer_id: str, after: datetime | None = None) -> list[ExistingSlot]:
    """What occupies the layer's grid: every row except pinned ones (they left the grid); with
    `after`, only the rows scheduled after it. Read from the columns: a layer gathers rows by
    the hundred, and the planner needs four fields of each."""
    rows = await ctx.db.execute_fetchall(
        "SELECT id, scheduled_at, container_id, status FROM scheduled_posts"
        " WHERE tenant_id = ? AND layer_id = ? AND scheduled_at > ?"
        " AND NOT coalesce(json_extract(data, '$.pinned'), 0) ORDER BY scheduled_at, id",
        (ctx.tenant_id, layer_id, iso(after) if after is not None else ""),
    )
    return [ExistingSlot(id=r[0], scheduled_at=instant(r[1]), has_content=r[2] is not None, status=r[3]) for r in rows]


def posting_mode(layer: dict[str, Any]) -> str:
    return str(layer["config"].get("postingMode") or "automatic")


def target_mode(layer: dict[str, Any]) -> str:
    return "draft" if posting_mode(layer) == "manual" else "publish"


def empty_row(ctx: Ctx, layer: dict[str, Any], account: dict[str, Any], at: datetime) -> dict[str, Any]:
    return sp.new_row(
        ctx, project_id=layer["projectId"], container_id=None, account=account, scheduled_at=at,
        mode=target_mode(layer), origin="layer", layer_id=layer["id"], status="pending",
        extra={"reslots": 0},
    )


async def claim(
    ctx: Ctx, row: dict[str, Any], container: dict[str, Any], *, new_container: bool = False
) -> dict[str, Any] | None:
    """Compare-and-set: put `container` into the empty `row` and answer the row as written; None
    when someone got there first (the row is no longer an empty `pending` slot, or the container
    already sits on the layer). `new_container`: created in this transaction, so no row can
    hold it yet."""
    if not new_container and await holds(ctx, row["layerId"], container["id"]):
        return None
    status = "ready" if container.get("status") == "completed" and gate(container) == "ok" else "pending_assets"
    row = dict(row)
    row["containerId"] = container["id"]
    row["status"] = status
    row["updatedAt"] = ctx.iso_now()
    cur = await ctx.db.execute(
        "UPDATE scheduled_posts SET container_id = ?, status = ?, data = ? "
        "WHERE id = ? AND tenant_id = ? AND status = 'pending' AND container_id IS NULL",
        (container["id"], status, codec.dumps(row), row["id"], ctx.tenant_id),
    )
    if cur.rowcount != 1:
        return None
    await sp.wake_commands(ctx, row)
    return row


async def holds(ctx: Ctx, layer_id: str, container_id: str) -> dict[str, Any] | None:
    rows = await sp.SCHEDULED_POSTS.find(
        ctx.db, ctx.tenant_id, "layer_id = ? AND container_id = ? AND status != 'canceled'", (layer_id, container_id), limit=1
    )
    return rows[0] if rows else None


async def emit_scheduled(ctx: Ctx, row: dict[str, Any]) -> None:
    await ctx.emit(
        "post.scheduled",
        {"scheduledPostId": row["id"], "containerId": row.get("containerId"), "scheduledFor": row["scheduledAt"],
         "socialAccountId": row.get("socialAccountId"), "projectId": row["projectId"], "projectLayerId": row.get("layerId")},
        project_id=row["projectId"],
    )


# ------------------------------------------------------------------ content

async def available_containers(ctx: Ctx, layer: dict[str, Any], account: dict[str, Any]) -> list[dict[str, Any]]:
    # the project's ready containers that no live row of the account holds: decided in SQL, so
    # the used ones (most of them, after a while) are never decoded
    rows = await ctx.db.execute_fetchall(
        "SELECT c.data FROM containers c WHERE c.tenant_id = ? AND c.project_id = ? AND c.status = 'completed'"
        " AND c.approval_status IN ('approved', 'not_required') AND NOT EXISTS (SELECT 1 FROM scheduled_posts s"
        " WHERE s.container_id = c.id AND s.tenant_id = c.tenant_id AND s.social_account_id = ?"
        " AND s.status != 'canceled') ORDER BY c.completed_at, c.id",
        (ctx.tenant_id, layer["projectId"], account["id"]),
    )
    ready = [codec.loads(r[0]) for r in rows]
    sources = layer["config"].get("contentLayerSourceIds")
    out = []
    for c in ready:
        if not c.get("completedAt"):
            continue
        if c.get("socialAccountId") not in (None, account["id"]):
            continue
        if sources and c.get("projectLayerId") not in sources:
            continue
        if platform_fits(c, account.get("platform")):
            out.append(c)
    return out


async def in_flight_count(ctx: Ctx, layer: dict[str, Any], account: dict[str, Any]) -> int:
    """Containers of the project still generating for this account and not yet in a slot."""
    cur = await ctx.db.execute(
        "SELECT COUNT(*) FROM containers c WHERE c.tenant_id = ? AND c.project_id = ?"
        " AND c.status IN ('queued', 'processing')"
        " AND coalesce(json_extract(c.data, '$.socialAccountId'), ?) = ?"
        " AND NOT EXISTS (SELECT 1 FROM scheduled_posts s WHERE s.layer_id = ? AND s.container_id = c.id"
        " AND s.status != 'canceled')",
        (ctx.tenant_id, layer["projectId"], account["id"], account["id"], layer["id"]),
    )
    row = await cur.fetchone()
    return int(row[0]) if row else 0


async def reconcile_waiting(ctx: Ctx, row: dict[str, Any], container: dict[str, Any] | None = None) -> dict[str, Any]:
    """A `pending_assets` row: ready once its content is done and approved; the slot is given
    back when the content failed, was canceled or rejected. `container`: the row's container
    as the caller holds it, current (else it is read)."""
    if row["status"] != "pending_assets" or not row.get("containerId"):
        return row
    if container is None or container["id"] != row["containerId"]:
        from emulator.services import containers

        container = await containers.find(ctx, row["containerId"])
    if container is None or container["status"] in ("failed", "canceled") or gate(container) == "rejected":
        row["status"] = "pending"
        row["containerId"] = None
        await sp.save(ctx, row)
    elif container["status"] == "completed" and gate(container) == "ok":
        row["status"] = "ready"
        await sp.save(ctx, row)
    return row


async def on_container_ready(ctx: Ctx, container: dict[str, Any]) -> None:
    rows = await sp.SCHEDULED_POSTS.find(
        ctx.db, ctx.tenant_id, "container_id = ? AND layer_id IS NOT NULL AND status = 'pending_assets'", (container["id"],)
    )
    for row in rows:
        await reconcile_waiting(ctx, row, container)


async def on_container_dropped(ctx: Ctx, container: dict[str, Any]) -> None:
    await on_container_ready(ctx, container)


def _register() -> None:
    from emulator.services import containers

    for hooks, fn in ((containers.ON_COMPLETED, on_container_ready), (containers.ON_APPROVED, on_container_ready),
                      (containers.ON_REJECTED, on_container_dropped)):
        if fn not in hooks:
            hooks.append(fn)


_register()


# ------------------------------------------------------------------ the slots view

def slot_view(row: dict[str, Any], tz_name: str) -> dict[str, Any]:
    at = instant(row["scheduledAt"])
    try:
        tz: ZoneInfo = zone(tz_name)
    except SlotConfigError:
        tz, tz_name = ZoneInfo("UTC"), "UTC"
    local = at.astimezone(tz)
    return {
        "scheduledPostId": row["id"],
        "status": row["status"],
        "scheduledAt": iso(at),
        "localDate": local.date().isoformat(),
        "localTime": local.strftime("%H:%M"),
        "timezone": tz_name,
        "containerId": row.get("containerId"),
        "origin": row.get("origin") or ("layer" if row.get("layerId") else "partner"),
        "postingMode": row.get("postingMode"),
        "pinned": bool(row.get("pinned")),
        "reslots": row.get("reslots", 0),
        "lastError": row.get("lastError"),
    }
