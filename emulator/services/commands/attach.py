"""`attach-to-schedule` (`social-distribution-attach`): reserve a slot for one container,
atomically (distribution.md §5.7a).

Parameters `{containerId, scheduledAt?}`. The container must belong to the layer's project,
fit the platform and not be failed, canceled or rejected; one still generating attaches as
`pending_assets`. Target: `scheduledAt` when given (required in manual distribution mode),
else the earliest empty future slot, else a new slot at the next grid instant after the last
planned one. The same container twice answers the row it already holds. The claim is a
compare-and-set on the empty row, backed by unique indexes (one live row per container per
layer, one empty slot per instant), so no slot is claimed twice and no container lands twice.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from emulator.clock import iso, parse_instant
from emulator.context import Ctx
from emulator.domain import slots
from emulator.services import distribution as dist
from emulator.services.commands import plan
from emulator.services.runs import CommandFailed, Recorder

PAST_TOLERANCE = timedelta(seconds=30)
MAX_CLAIM_TRIES = 8


def _invalid(message: str, path: str) -> CommandFailed:
    return CommandFailed("VALIDATION", message, {"issues": [{"path": path, "message": message}]})


async def run_attach(ctx: Ctx, layer: dict[str, Any], params: dict[str, Any], rec: Recorder) -> dict[str, Any]:
    from emulator.services import containers

    container_id = params.get("containerId")
    rec.begin("loadContainer", {"containerId": container_id})
    if not isinstance(container_id, str) or not container_id:
        raise _invalid("parameters.containerId is required.", "parameters.containerId")
    container = await containers.find(ctx, container_id)
    if container is None or container.get("projectId") != layer["projectId"]:
        raise _invalid(f"Container {container_id} is not a container of project {layer['projectId']}.",
                       "parameters.containerId")
    if container["status"] in ("failed", "canceled") or dist.gate(container) == "rejected":
        raise _invalid(f"Container {container['id']} is {container['status']}/{container.get('approvalStatus')}; "
                       "it cannot be scheduled.", "parameters.containerId")
    rec.end({"containerId": container["id"], "status": container["status"], "approvalStatus": container.get("approvalStatus")})

    tz = await plan.load_timezone(ctx, layer, rec)
    account = await plan.validate_account(ctx, layer, rec)
    if not dist.platform_fits(container, account.get("platform")):
        raise _invalid(f"Container {container['id']} does not fit {account.get('platform')}.", "parameters.containerId")

    held = await dist.holds(ctx, layer["id"], container["id"])
    if held is not None:
        rec.begin("chooseSlot", {"containerId": container["id"]})
        rec.log(f"container already holds {held['id']}; nothing to do")
        rec.end({"scheduledPostId": held["id"], "existing": True})
        return _answer(held)

    wanted = params.get("scheduledAt")
    at = None
    if wanted is not None:
        try:
            at = parse_instant(wanted) if isinstance(wanted, str) else None
        except ValueError:
            at = None
        if at is None:
            raise _invalid("parameters.scheduledAt must be an ISO-8601 instant with Z or an offset.", "parameters.scheduledAt")
        if at < ctx.now - PAST_TOLERANCE:
            raise _invalid("parameters.scheduledAt is in the past.", "parameters.scheduledAt")
    elif layer["config"]["distributionMode"] == "manual":
        raise _invalid("manual distributionMode: parameters.scheduledAt is required.", "parameters.scheduledAt")

    snap = None if at is not None else await plan.load_snapshot(ctx, account, rec)
    rec.begin("chooseSlot", {"containerId": container["id"], "scheduledAt": iso(at) if at else None})
    for _ in range(MAX_CLAIM_TRIES):
        row = await _target(ctx, layer, account, tz, at, snap)
        fresh = await dist.claim(ctx, row, container)
        if fresh is not None:
            rec.end({"scheduledPostId": fresh["id"], "scheduledAt": fresh["scheduledAt"], "status": fresh["status"]})
            rec.begin("emitScheduled", {"scheduledPostId": fresh["id"]})
            await dist.emit_scheduled(ctx, fresh)
            rec.end({})
            return _answer(fresh)
        rec.log(f"slot {row['id']} was claimed concurrently; choosing again", "warning")
    raise CommandFailed("CONFLICT", "Could not claim a free slot; try again.")


async def _target(
    ctx: Ctx, layer: dict[str, Any], account: dict[str, Any], tz: str, at: Any, snap: dict[str, Any] | None
) -> dict[str, Any]:
    """The empty row to claim; a new empty row is inserted first when none exists."""
    if at is not None:
        rows = await dist.layer_rows(ctx, layer["id"], "scheduled_at = ? AND status != 'canceled'", (iso(at),))
        empty = [r for r in rows if r["status"] == "pending" and not r.get("containerId")]
        if empty:
            return empty[0]
        if rows:
            raise _invalid(f"{iso(at)} already holds post {rows[0]['id']}.", "parameters.scheduledAt")
        row = dist.empty_row(ctx, layer, account, at)
        await dist.sp.insert(ctx, row)
        return row
    assert snap is not None
    times = plan.grid_times(layer, snap["temperature"])
    choice = slots.choose_slot(ctx.now, tz, times, await dist.existing_slots(ctx, layer["id"]))
    if choice.slot_id is not None:
        return await dist.sp.get_row(ctx, choice.slot_id)
    row = dist.empty_row(ctx, layer, account, choice.scheduled_at)
    await dist.sp.insert(ctx, row)
    return row


def _answer(row: dict[str, Any]) -> dict[str, Any]:
    return {"scheduledPostId": row["id"], "scheduledAt": row["scheduledAt"], "status": row["status"],
            "containerId": row.get("containerId")}
