"""Per-layer recurring command state: cadence arithmetic, the `layer_commands` rows (fires are
counted arithmetically from the cadence, so idle fires need no write) and the scheduler view
shown on a layer."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from emulator.clock import from_db, iso
from emulator.context import Ctx
from emulator.domain.cron import iter_fires, next_fire_after
from emulator.services import layer_config as lc

EPSILON = timedelta(microseconds=1)


# ------------------------------------------------------------------ cadence arithmetic

STEPS = {"* * * * *": 60, "*/5 * * * *": 300}  # fixed cadences: plain arithmetic, no croniter


def ceil_fire(cron: str, t: datetime) -> datetime:
    """The first fire at or after `t`."""
    step = STEPS.get(cron)
    if step is not None:
        base = t.replace(second=0, microsecond=0)
        base -= timedelta(minutes=base.minute % (step // 60))
        return base if base == t else base + timedelta(seconds=step)
    return next_fire_after(cron, t - EPSILON)


def next_after(cron: str, t: datetime) -> datetime:
    """The first fire strictly after `t`."""
    return ceil_fire(cron, t + EPSILON) if cron in STEPS else next_fire_after(cron, t)


def count_fires(cron: str, a: datetime, b: datetime) -> int:
    """Fires in (a, b]."""
    if b <= a:
        return 0
    step = STEPS.get(cron)
    if step is not None:
        return int(b.timestamp() // step) - int(a.timestamp() // step)
    return sum(1 for _ in iter_fires(cron, a, b))


def effective_cron(layer: dict[str, Any], command: lc.Command) -> str:
    assert command.cron is not None
    override = (layer.get("schedule") or {}).get("cron")
    return override if command.overridable and override else command.cron


# ------------------------------------------------------------------ per-layer state rows

async def _state(ctx: Ctx, layer_id: str, command_id: str) -> dict[str, Any] | None:
    cur = await ctx.db.execute(
        "SELECT cron, counted_until, fires, runs, skipped, last_run_id, last_run_at FROM layer_commands"
        " WHERE tenant_id = ? AND layer_id = ? AND command_id = ?",
        (ctx.tenant_id, layer_id, command_id),
    )
    row = await cur.fetchone()
    if row is None:
        return None
    keys = ("cron", "countedUntil", "fires", "runs", "skipped", "lastRunId", "lastRunAt")
    return dict(zip(keys, tuple(row)))


async def _put_state(ctx: Ctx, layer_id: str, command_id: str, state: dict[str, Any]) -> None:
    await ctx.db.execute(
        "INSERT OR REPLACE INTO layer_commands(tenant_id, layer_id, command_id, cron, counted_until, fires, runs,"
        " skipped, last_run_id, last_run_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (ctx.tenant_id, layer_id, command_id, state["cron"], state["countedUntil"], state["fires"], state["runs"],
         state["skipped"], state["lastRunId"], state["lastRunAt"]),
    )


def _counted(state: dict[str, Any], now: datetime) -> int:
    since = from_db(state["countedUntil"])
    return state["fires"] + (count_fires(state["cron"], since, now) if since else 0)


async def _start_counting(ctx: Ctx, layer: dict[str, Any]) -> None:
    for command in lc.TEMPLATES[layer["templateId"]].recurring:
        state = await _state(ctx, layer["id"], command.id) or {
            "cron": effective_cron(layer, command), "countedUntil": None, "fires": 0, "runs": 0, "skipped": 0,
            "lastRunId": None, "lastRunAt": None,
        }
        if state["countedUntil"]:
            state["fires"] = _counted(state, ctx.now)
        state["cron"] = effective_cron(layer, command)
        state["countedUntil"] = iso(ctx.now)
        await _put_state(ctx, layer["id"], command.id, state)


async def _stop_counting(ctx: Ctx, layer: dict[str, Any]) -> None:
    for command in lc.TEMPLATES[layer["templateId"]].recurring:
        state = await _state(ctx, layer["id"], command.id)
        if state is not None and state["countedUntil"]:
            state["fires"] = _counted(state, ctx.now)
            state["countedUntil"] = None
            await _put_state(ctx, layer["id"], command.id, state)


async def _fresh_state(ctx: Ctx, layer: dict[str, Any], command_id: str) -> dict[str, Any]:
    state = await _state(ctx, layer["id"], command_id)
    if state is None:
        await _start_counting(ctx, layer)
        state = await _state(ctx, layer["id"], command_id)
        assert state is not None
    return state


# ------------------------------------------------------------------ the scheduler view

async def scheduler_view(ctx: Ctx, layer: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for command in lc.TEMPLATES[layer["templateId"]].recurring:
        state = await _state(ctx, layer["id"], command.id)
        cron = effective_cron(layer, command)
        fires = _counted(state, ctx.now) if state else 0
        ran = state["runs"] if state else 0
        skipped = state["skipped"] if state else 0
        wake = await ctx.next_timer(f"command.{command.id}", layer["id"])
        active = layer["status"] == "active"
        out[command.id] = {
            "cron": cron,
            "overridable": command.overridable,
            "fires": fires,
            "runs": ran,
            "skipped": skipped,
            "idleFires": max(fires - ran - skipped, 0),
            "lastRunId": state["lastRunId"] if state else None,
            "lastRunAt": state["lastRunAt"] if state else None,
            "nextFireAt": iso(next_after(cron, ctx.now)) if active else None,
            "nextWakeAt": iso(wake) if wake and active else None,
        }
    return out
