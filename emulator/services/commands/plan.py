"""`social-distribution-plan` (initialize, refresh-schedule, refresh-schedule-scheduled):
load the project timezone → validate the account → load the health snapshot → compute the
slots → upsert the slot rows → attach ready content → request generation for the gaps
(distribution.md §5.5). The pure part is `emulator.domain.slots.plan`.
"""
from __future__ import annotations

from typing import Any

from emulator import errors
from emulator.clock import iso
from emulator.context import Ctx
from emulator.domain import slots
from emulator.services import distribution as dist
from emulator.services import projects, temperature
from emulator.services.runs import CommandFailed, Recorder


async def load_timezone(ctx: Ctx, layer: dict[str, Any], rec: Recorder) -> str:
    return str((await load_project(ctx, layer, rec)).get("timezone") or "UTC")


async def load_project(ctx: Ctx, layer: dict[str, Any], rec: Recorder) -> dict[str, Any]:
    """The `loadProjectTimezone` activity; answers the whole project."""
    rec.begin("loadProjectTimezone", {"projectId": layer["projectId"]})
    project = await projects.get(ctx, layer["projectId"])
    rec.end({"timezone": project.get("timezone") or "UTC"})
    return project


async def validate_account(ctx: Ctx, layer: dict[str, Any], rec: Recorder) -> dict[str, Any]:
    account_id = layer["config"]["social"]["socialAccountId"]
    rec.begin("validateSocialAccount", {"socialAccountId": account_id})
    account = await dist.load_account(ctx, account_id)
    if account is None or account.get("status") == "disconnected":
        raise CommandFailed("ACCOUNT_NOT_CONNECTED", f"Social account {account_id} is not connected.",
                            {"socialAccountId": account_id})
    if not dist.healthy(account):
        raise CommandFailed(
            "ACCOUNT_UNHEALTHY",
            f"Social account {account_id} is unhealthy ({account.get('tokenError') or account.get('status')}); "
            "reconnect it to clear the token error.",
            {"socialAccountId": account_id, "tokenError": account.get("tokenError"), "status": account.get("status")},
        )
    rec.end({"socialAccountId": account_id, "platform": account.get("platform"), "status": account.get("status")})
    return account


async def load_snapshot(ctx: Ctx, account: dict[str, Any], rec: Recorder) -> dict[str, Any]:
    rec.begin("loadHealthSnapshot", {"socialAccountId": account["id"]})
    snap = await temperature.snapshot(ctx, account)
    rec.end(snap)
    return snap


def grid_times(layer: dict[str, Any], temp: str) -> list[Any]:
    cfg = layer["config"]
    return slots.slot_times(cfg["distributionMode"], temp, (cfg.get("schedule") or {}).get("times"))


async def run_plan(ctx: Ctx, layer: dict[str, Any], params: dict[str, Any], rec: Recorder) -> dict[str, Any]:
    cfg = layer["config"]
    project = await load_project(ctx, layer, rec)
    tz = str(project.get("timezone") or "UTC")
    account = await validate_account(ctx, layer, rec)
    snap = await load_snapshot(ctx, account, rec)

    rec.begin("computeSlots", {"distributionMode": cfg["distributionMode"], "temperature": snap["temperature"],
                               "times": (cfg.get("schedule") or {}).get("times"), "timezone": tz})
    for row in await dist.layer_rows(ctx, layer["id"], "status = 'pending_assets'"):
        await dist.reconcile_waiting(ctx, row)
    available = await dist.available_containers(ctx, layer, account)
    existing = await dist.existing_slots(ctx, layer["id"], after=ctx.now)  # the grid lies after now
    try:
        p = slots.plan(ctx.now, tz, cfg["distributionMode"], snap["temperature"],
                       (cfg.get("schedule") or {}).get("times"), len(available), existing)
    except slots.SlotConfigError as exc:
        raise CommandFailed("VALIDATION", str(exc)) from None
    rec.end({
        "times": [t.strftime("%H:%M") for t in p.times], "slotsPerDay": p.slots_per_day,
        "horizonDays": p.horizon_days, "availableContent": len(available), "gridSlots": len(p.grid),
        "toCreate": len(p.to_create), "stale": len(p.stale),
    })

    rec.begin("upsertScheduledPosts", {"create": [iso(t) for t in p.to_create], "remove": list(p.stale)})
    removed = 0
    for row_id in p.stale:
        cur = await ctx.db.execute(
            "DELETE FROM scheduled_posts WHERE id = ? AND tenant_id = ? AND status = 'pending' AND container_id IS NULL",
            (row_id, ctx.tenant_id),
        )
        removed += cur.rowcount
    for at in p.to_create:
        await dist.sp.insert(ctx, dist.empty_row(ctx, layer, account, at))
    rec.end({"created": len(p.to_create), "removed": removed})

    rec.begin("attachReadyContent", {"availableContent": [c["id"] for c in available]})
    attached = await attach_available(ctx, layer, available, rec)
    rec.end({"attached": attached})

    generation = await request_generation(ctx, layer, account, rec, project)
    return {
        "temperature": snap["temperature"], "slotsPerDay": p.slots_per_day, "horizonDays": p.horizon_days,
        "created": len(p.to_create), "removed": removed, "attached": len(attached),
        "generationRequested": generation,
    }


async def empty_future(ctx: Ctx, layer_id: str) -> list[dict[str, Any]]:
    return await dist.layer_rows(
        ctx, layer_id, "status = 'pending' AND container_id IS NULL AND scheduled_at > ?", (iso(ctx.now),)
    )


async def attach_available(
    ctx: Ctx, layer: dict[str, Any], containers: list[dict[str, Any]], rec: Recorder
) -> list[dict[str, Any]]:
    """Oldest containers into the earliest empty future slots, one compare-and-set each."""
    out: list[dict[str, Any]] = []
    by_id = {c["id"]: c for c in containers}
    empty = [r for r in await empty_future(ctx, layer["id"]) if not r.get("pinned")]
    rows = {r["id"]: r for r in empty}
    ready = [slots.ReadyContainer(c["id"], dist.instant(c["completedAt"])) for c in containers if c.get("completedAt")]
    for slot_id, container_id in slots.assign([dist.as_slot(r) for r in empty], ready):
        row = rows[slot_id]
        claimed = await dist.claim(ctx, row, by_id[container_id])
        if claimed is not None:
            await dist.emit_scheduled(ctx, claimed)
            out.append({"scheduledPostId": slot_id, "containerId": container_id, "scheduledAt": claimed["scheduledAt"],
                        "status": claimed["status"]})
        else:
            rec.log(f"slot {slot_id} was taken before {container_id} could claim it", "warning")
    return out


async def request_generation(
    ctx: Ctx, layer: dict[str, Any], account: dict[str, Any], rec: Recorder, project: dict[str, Any] | None = None
) -> int:
    cfg = layer["config"]
    if cfg.get("generationMode") != "automatic" or cfg["distributionMode"] == "manual":
        return 0
    empty = await empty_future(ctx, layer["id"])
    in_flight = await dist.in_flight_count(ctx, layer, account)
    count = max(len(empty) - in_flight, 0)
    rec.begin("requestGeneration", {"missingSlots": len(empty), "inFlight": in_flight, "generateCount": count})
    if count == 0:
        rec.end({"requested": 0, "containerIds": []})
        return 0
    from emulator.services import generation

    project = project or await projects.get(ctx, layer["projectId"])
    try:
        _, queued = await generation.request_generation(
            ctx, project, format="auto", social_account_id=account["id"], count=count
        )
    except errors.ApiError as exc:
        rec.log(f"generation was refused: {exc.code} {exc.message}", "warning")
        rec.end({"requested": 0, "containerIds": [], "error": {"code": exc.code, "message": exc.message}})
        return 0
    attached = await _attach_in_flight(ctx, [r for r in empty if not r.get("pinned")], queued, rec)
    rec.end({"requested": len(queued), "containerIds": [c["id"] for c in queued], "attached": attached})
    return len(queued)


async def _attach_in_flight(
    ctx: Ctx, empty: list[dict[str, Any]], queued: list[dict[str, Any]], rec: Recorder
) -> list[dict[str, Any]]:
    """The new containers into the empty slots, earliest first (the generation request
    changed no slot since `empty` was read)."""
    out = []
    for row, container in zip(empty, queued):
        claimed = await dist.claim(ctx, row, container, new_container=True)
        if claimed is not None:
            await dist.emit_scheduled(ctx, claimed)
            out.append({"scheduledPostId": row["id"], "containerId": container["id"], "status": claimed["status"]})
        else:
            rec.log(f"slot {row['id']} was taken before {container['id']} could claim it", "warning")
    return out
