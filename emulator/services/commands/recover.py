"""`recover-overdue` (`social-distribution-recover-overdue`): re-slot the layer's rows that
missed their window (distribution.md §5.7).

Candidates (only while `willPublish` is true and the account is healthy; layer-origin rows
that a partner did not pin): `ready` rows whose window `[scheduledAt, +5 min)` has closed, and
`failed` rows. Each row is re-slotted at most 3 times: it moves to the earliest empty future
slot of the layer (that empty placeholder row is removed), else to a new instant at the next
grid time after the last planned slot; it keeps its id and goes back to `ready`. Emulator
choices: a `ready` row past its 3rd re-slot goes to `pending_manual` with `lastError.code`
`RESLOT_LIMIT` (a person decides); a `failed` row past it stays `failed`. In manual
distribution mode overdue rows go to `pending_manual` at once. A fire creates a run only when
there is a candidate.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from emulator.clock import iso
from emulator.context import Ctx
from emulator.domain import slots
from emulator.services import distribution as dist
from emulator.services.commands import plan
from emulator.services.commands.publish_due import WINDOW, will_publish
from emulator.services.commands.state import next_after
from emulator.services.runs import Recorder

CRON = "*/5 * * * *"
MAX_RESLOTS = 3
EPSILON = timedelta(microseconds=1)


async def _overdue(ctx: Ctx, layer: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    rows = await dist.layer_rows(
        ctx, layer["id"],
        "(status = 'failed' AND coalesce(json_extract(data, '$.reslots'), 0) < ?)"
        " OR (status IN ('ready', 'pending_assets') AND scheduled_at <= ?)",
        (MAX_RESLOTS, iso(now - WINDOW)),
    )
    return [r for r in rows if not r.get("pinned")]


async def candidates(ctx: Ctx, layer: dict[str, Any]) -> list[dict[str, Any]]:
    if not will_publish(layer):
        return []
    account = await dist.load_account(ctx, layer["config"]["social"]["socialAccountId"])
    if account is None or not dist.healthy(account):
        return []
    out = []
    for row in await _overdue(ctx, layer, ctx.now):
        row = await dist.reconcile_waiting(ctx, row)
        if row["status"] in ("ready", "failed"):
            out.append(row)
    return out


async def next_wake(ctx: Ctx, layer: dict[str, Any], after: datetime) -> datetime | None:
    """The next 5-minute boundary when overdue rows wait; otherwise None: process-due (a row
    still ready when its window closes) and the wake hint (a row failing or turning ready
    late) pull this command in."""
    if not will_publish(layer):
        return None
    if any(r["status"] in ("ready", "failed") for r in await _overdue(ctx, layer, after)):
        return next_after(CRON, after)
    return None


def wake_for_window(scheduled_at: datetime) -> datetime:
    """The recover-overdue fire that sees a row whose window `[s, s + 5 min)` just closed."""
    return next_after(CRON, scheduled_at + WINDOW - EPSILON)


async def run_recover(ctx: Ctx, layer: dict[str, Any], params: dict[str, Any], rec: Recorder) -> dict[str, Any]:
    rec.begin("selectOverdue", {"now": ctx.iso_now()})
    rows = await candidates(ctx, layer)
    rec.end({"overdue": [{"scheduledPostId": r["id"], "status": r["status"], "scheduledAt": r["scheduledAt"]} for r in rows]})
    if not rows:
        return {"reslotted": 0, "handedOff": 0}
    tz = await plan.load_timezone(ctx, layer, rec)
    account = await plan.validate_account(ctx, layer, rec)
    snap = await plan.load_snapshot(ctx, account, rec)
    manual = layer["config"]["distributionMode"] == "manual"
    times = [] if manual else plan.grid_times(layer, snap["temperature"])
    moved = handed = 0
    for row in rows:
        rec.begin("reslotPost", {"scheduledPostId": row["id"], "status": row["status"], "scheduledAt": row["scheduledAt"],
                                 "reslots": row.get("reslots", 0)})
        if manual or (row["status"] == "ready" and row.get("reslots", 0) >= MAX_RESLOTS):
            before = row["status"]
            row["status"] = "pending_manual"
            if not manual:
                row["lastError"] = {"code": "RESLOT_LIMIT",
                                    "message": f"Missed its slot {MAX_RESLOTS + 1} times; waiting for a person."}
            await dist.sp.save(ctx, row)
            await ctx.record("state", {"scheduledPostId": row["id"], "from": before, "to": "pending_manual"},
                             type="scheduled_post.status", project_id=row["projectId"])
            rec.end({"status": "pending_manual"})
            handed += 1
            continue
        existing = [s for s in await dist.existing_slots(ctx, layer["id"]) if s.id != row["id"]]
        choice = slots.choose_slot(ctx.now, tz, times, existing)
        if choice.slot_id is not None:
            await ctx.db.execute(
                "DELETE FROM scheduled_posts WHERE id = ? AND tenant_id = ? AND status = 'pending' AND container_id IS NULL",
                (choice.slot_id, ctx.tenant_id),
            )
        previous = row["scheduledAt"]
        row.update(status="ready", scheduledAt=iso(choice.scheduled_at), reslots=int(row.get("reslots", 0)) + 1,
                   lastError=None, attemptedAt=None)
        await dist.sp.save(ctx, row)
        await ctx.record("state", {"scheduledPostId": row["id"], "from": previous, "to": row["scheduledAt"],
                                   "reslots": row["reslots"]},
                         type="scheduled_post.reslotted", project_id=row["projectId"])
        rec.end({"scheduledAt": row["scheduledAt"], "replacedSlot": choice.slot_id, "reslots": row["reslots"]})
        moved += 1
    return {"reslotted": moved, "handedOff": handed}
