"""`process-due` (`social-distribution-publish-due`): publish the layer's rows whose slot time
has come (distribution.md §5.6).

Only while `willPublish` is true, only layer-origin rows, and only inside each row's window
`[scheduledAt, scheduledAt + 5 min)` (older rows are recover-overdue's). In manual
distribution mode every row is handed to a person at slot time (TikTok drafts inbox,
Instagram `pending_manual`). Content still generating at slot time is skipped quietly.

Emulator choice: a fire creates a run only when at least one row is due; idle fires are
counted on the layer (`scheduler.process-due.idleFires`), not stored, so a week of runs stays
small. The next fire is the minute of the earliest publishable row (see `next_wake`).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from emulator.clock import ceil_minute, iso
from emulator.context import Ctx
from emulator.services import distribution as dist
from emulator.services.runs import Recorder

WINDOW = timedelta(minutes=5)
MINUTE = timedelta(minutes=1)


def will_publish(layer: dict[str, Any]) -> bool:
    return layer["status"] == "active" and layer["config"].get("willPublish") is True


async def due_rows(ctx: Ctx, layer: dict[str, Any]) -> list[dict[str, Any]]:
    """The layer's rows in their window and ready to publish now (waiting rows reconciled)."""
    if not will_publish(layer):
        return []
    rows = await dist.layer_rows(
        ctx, layer["id"], "status IN ('ready', 'pending_assets') AND scheduled_at <= ? AND scheduled_at > ?",
        (iso(ctx.now), iso(ctx.now - WINDOW)),
    )
    out = []
    for row in rows:
        row = await dist.reconcile_waiting(ctx, row)
        if row["status"] == "ready":
            out.append(row)
    return out


async def next_wake(ctx: Ctx, layer: dict[str, Any], after: datetime) -> datetime | None:
    """The first minute strictly after `after` at which a row of the layer is publishable."""
    if not will_publish(layer):
        return None
    rows = await ctx.db.execute_fetchall(
        "SELECT scheduled_at FROM scheduled_posts WHERE tenant_id = ? AND layer_id = ?"
        " AND status IN ('ready', 'pending_assets') AND scheduled_at > ? ORDER BY scheduled_at, id LIMIT 50",
        (ctx.tenant_id, layer["id"], iso(after - WINDOW)),
    )
    first_minute = after.replace(second=0, microsecond=0) + MINUTE
    for (scheduled_at,) in rows:
        at = dist.instant(scheduled_at)
        t = max(ceil_minute(at), first_minute)
        if t < at + WINDOW:
            return t
    return None


async def unpublished_in_window(ctx: Ctx, layer: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows still `ready` inside their window after a fire (held, e.g. approval pending)."""
    return await dist.layer_rows(
        ctx, layer["id"], "status = 'ready' AND scheduled_at <= ? AND scheduled_at > ?",
        (iso(ctx.now), iso(ctx.now - WINDOW)),
    )


async def run_process_due(ctx: Ctx, layer: dict[str, Any], params: dict[str, Any], rec: Recorder) -> dict[str, Any]:
    from emulator.services import publishing

    rec.begin("selectDuePosts", {"now": ctx.iso_now(), "windowMinutes": 5})
    rows = ctx.scratch.pop(("due", layer["id"]), None)  # the scheduled fire's own check found them
    if rows is None:
        rows = await due_rows(ctx, layer)
    rec.end({"due": [r["id"] for r in rows]})
    manual = layer["config"]["distributionMode"] == "manual"
    results = []
    for row in rows:
        rec.begin("publishPost", {"scheduledPostId": row["id"], "containerId": row.get("containerId"),
                                  "scheduledAt": row["scheduledAt"], "postingMode": row.get("postingMode")})
        if manual and row.get("postingMode") != "manual":
            row["postingMode"] = "manual"
            await dist.sp.save(ctx, row)
            rec.log("manual distribution mode: handed to a person")
        after = await publishing.publish_row(ctx, row, current=True)  # due_rows read it in this transaction
        rec.heartbeat({"scheduledPostId": row["id"]})
        rec.end({"status": after.get("status"), "lastError": after.get("lastError")})
        results.append({"scheduledPostId": row["id"], "status": after.get("status")})
    return {"processed": len(results), "posts": results}
