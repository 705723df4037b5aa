"""Layer commands: the command table, how commands are started (install, config change, manual
execute, retry, scheduled fire) and the per-layer recurring timers (distribution.md §4.6, §6).

Recurring commands are timer rows (`command.<name>`, ref = layer id) that re-schedule
themselves, so `advance` fires them in time order and `ran` counts them by command name.
`refresh-schedule-scheduled` fires on its cron (`0 3 * * *` UTC, or the layer's
`schedule.cron`). `process-due` (every minute) and `recover-overdue` (every 5 minutes)
coalesce idle fires: each schedules its next timer at the first cadence instant at which it
can have work (the minute of the earliest publishable row; the 5-minute boundary after a row's
window closes), and every write that makes a layer row publishable drops a wake timer
(`scheduled_posts.wake_commands`). The cadence still counts every fire: the layer's
`scheduler` block shows `fires` (every cadence instant while active), `runs` (fires with work:
only those create a run) and `idleFires`.

With the real clock, APScheduler wakes on each cadence (CADENCES below) and on each layer's
cron override (jobs added and removed on the live Ticker); both just settle due timers.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from emulator import errors, ticker
from emulator.context import Ctx
from emulator.domain.cron import next_fire_after
from emulator.engine import timer
from emulator.services import layer_config as lc
from emulator.services import layers, runs
from emulator.services.commands import attach, plan, publish_due, recover
from emulator.services.commands.state import (  # noqa: F401  (re-exported for other templates)
    EPSILON,
    _fresh_state,
    _put_state,
    _start_counting,
    _state,
    _stop_counting,
    ceil_fire,
    next_after,
    count_fires,
    effective_cron,
    scheduler_view,
)
RUN_KIND = "layer.run"

# Command bodies by command id; a "<templateId>:<commandId>" key wins for that template.
BODIES: dict[str, runs.Body] = {
    "initialize": plan.run_plan,
    "refresh-schedule": plan.run_plan,
    "refresh-schedule-scheduled": plan.run_plan,
    "attach-to-schedule": attach.run_attach,
    "process-due": publish_due.run_process_due,
    "recover-overdue": recover.run_recover,
}
# When a scheduled fire has work, and when it should next wake (None: only a hint wakes it).
WORK = {"process-due": publish_due.due_rows, "recover-overdue": recover.candidates}
NEXT = {"process-due": publish_due.next_wake, "recover-overdue": recover.next_wake}

for _cmd in lc.TEMPLATES[lc.SOCIAL_DISTRIBUTION].recurring:
    assert _cmd.cron is not None
    ticker.cadence(_cmd.id, _cmd.cron)


# ------------------------------------------------------------------ timers and the ticker

def _job_id(ctx: Ctx, layer_id: str) -> str:
    return f"layer-cron:{ctx.tenant_id}:{layer_id}"


def _sync_ticker(ctx: Ctx, layer: dict[str, Any]) -> None:
    live = getattr(ctx.emu, "ticker", None)
    if live is None:
        return
    cron = (layer.get("schedule") or {}).get("cron")
    if layer["status"] == "active" and cron:
        live.add_cron(_job_id(ctx, layer["id"]), cron)
    else:
        live.remove(_job_id(ctx, layer["id"]))


async def _arm(ctx: Ctx, layer: dict[str, Any]) -> None:
    """(Re)schedule every recurring command of an active layer from its stored state."""
    await _disarm(ctx, layer)
    for command in lc.TEMPLATES[layer["templateId"]].recurring:
        kind = f"command.{command.id}"
        if command.id in NEXT:
            nxt = await NEXT[command.id](ctx, layer, ctx.now - EPSILON)
        else:
            nxt = next_fire_after(effective_cron(layer, command), ctx.now)
        if nxt is not None:
            await ctx.schedule(kind, nxt, ref=layer["id"])
    _sync_ticker(ctx, layer)


async def _disarm(ctx: Ctx, layer: dict[str, Any]) -> None:
    for command in lc.TEMPLATES[layer["templateId"]].recurring:
        await ctx.cancel_timers(f"command.{command.id}", layer["id"])


async def rebuild_ticker(live: Any) -> None:
    """At start (real clock): one APScheduler job per stored per-layer cron override."""
    emu = live.emu
    async with emu.store.read() as db:
        rows = await db.execute_fetchall(
            "SELECT tenant_id, id, json_extract(data, '$.schedule.cron') FROM project_layers"
            " WHERE status = 'active' AND json_extract(data, '$.schedule.cron') IS NOT NULL"
        )
    for tenant_id, layer_id, cron in rows:
        live.add_cron(f"layer-cron:{tenant_id}:{layer_id}", cron)


if hasattr(ticker, "ON_START") and rebuild_ticker not in ticker.ON_START:
    ticker.ON_START.append(rebuild_ticker)


# ------------------------------------------------------------------ lifecycle hooks (layers.py)

async def on_installed(ctx: Ctx, layer: dict[str, Any]) -> dict[str, Any]:
    await _start_counting(ctx, layer)
    run = await start(ctx, layer, "initialize", "install", {}, inline=True)
    await _arm(ctx, layer)
    return run


async def on_changed(
    ctx: Ctx, layer: dict[str, Any], *, cron_changed: bool, status_changed: bool, refresh_keys: list[str]
) -> None:
    if status_changed and layer["status"] == "paused":
        await _stop_counting(ctx, layer)
        await _disarm(ctx, layer)
        _sync_ticker(ctx, layer)
        return
    if layer["status"] != "active":
        return
    if status_changed or cron_changed:
        await _start_counting(ctx, layer)
    if refresh_keys:
        await start(ctx, layer, "refresh-schedule", "config_change", {"changed": refresh_keys}, inline=True)
    await _arm(ctx, layer)


async def on_uninstalled(ctx: Ctx, layer: dict[str, Any]) -> int:
    return await _stop_and_cancel(ctx, layer, "layer_uninstalled")


async def on_paused_by_archive(ctx: Ctx, layer: dict[str, Any]) -> int:
    return await _stop_and_cancel(ctx, layer, "project_archived")


async def _stop_and_cancel(ctx: Ctx, layer: dict[str, Any], reason: str) -> int:
    from emulator.services import scheduled_posts as sp

    await _stop_counting(ctx, layer)
    await _disarm(ctx, layer)
    _sync_ticker(ctx, layer)
    await ctx.db.execute(
        "DELETE FROM scheduled_posts WHERE tenant_id = ? AND layer_id = ? AND status = 'pending' AND container_id IS NULL",
        (ctx.tenant_id, layer["id"]),
    )
    queued = await sp.SCHEDULED_POSTS.find(
        ctx.db, ctx.tenant_id, "layer_id = ? AND status IN ('pending_assets', 'ready')", (layer["id"],),
        order="scheduled_at, id",
    )
    for row in queued:
        await sp._cancel_row(ctx, row, reason)
    return len(queued)


# ------------------------------------------------------------------ starting runs

def command_for(layer: dict[str, Any], command_id: Any, *, external: bool) -> lc.Command:
    tpl = lc.TEMPLATES[layer["templateId"]]
    command = tpl.command(command_id) if isinstance(command_id, str) else None
    if command is None:
        raise errors.Validation(
            f"commandId {command_id!r} is not a command of the {tpl.id} template "
            f"({', '.join(c.id for c in tpl.commands if c.trigger != 'internal')}).",
            path="commandId",
        )
    if external and command.trigger == "internal":
        raise errors.Validation(
            f"{command.id} is handled internally during layer install and is not externally callable.",
            path="commandId",
        )
    return command


async def start(
    ctx: Ctx, layer: dict[str, Any], command_id: str, trigger: str, parameters: dict[str, Any], *,
    inline: bool, retry_of: str | None = None,
) -> dict[str, Any]:
    """Create a run; execute it now (`inline`) or at the next settle (a `layer.run` timer due now)."""
    command = command_for(layer, command_id, external=False)
    run = runs.new_run(ctx, layer, command.id, command.workflow, trigger, parameters, retry_of)
    if inline:
        return await _execute(ctx, layer, run, stored=False)
    await runs.insert(ctx, run)
    await ctx.schedule(RUN_KIND, ctx.now, {"runId": run["runId"]}, ref=run["runId"])
    return run


async def _execute(ctx: Ctx, layer: dict[str, Any], run: dict[str, Any], *, stored: bool = True) -> dict[str, Any]:
    body = BODIES.get(f"{layer['templateId']}:{run['commandId']}") or BODIES[run["commandId"]]
    run = await runs.execute(ctx, run, layer, body, stored=stored)
    if run["commandId"] in ("refresh-schedule", "attach-to-schedule", "initialize") and layer["status"] == "active":
        # new rows may need process-due / recover-overdue sooner than the armed timers
        for command_id, nxt_fn in NEXT.items():
            nxt = await nxt_fn(ctx, layer, ctx.now - EPSILON)
            current = await ctx.next_timer(f"command.{command_id}", layer["id"])
            if nxt is not None and (current is None or nxt < current):
                await ctx.schedule(f"command.{command_id}", nxt, ref=layer["id"])
    return run


async def execute(ctx: Ctx, layer_id: str, command_id: Any, parameters: Any) -> dict[str, Any]:
    layer = await layers.get(ctx, layer_id)
    command_for(layer, command_id, external=True)
    _check_runnable(layer)
    if parameters is not None and not isinstance(parameters, dict):
        raise errors.Validation("parameters must be an object.", path="parameters")
    return await start(ctx, layer, command_id, "manual", parameters or {}, inline=False)


def _check_runnable(layer: dict[str, Any]) -> None:
    if layer["status"] != "active":
        raise errors.Conflict(
            f"Project layer {layer['id']} is {layer['status']}; commands run on active layers only.",
            details={"status": layer["status"]},
        )


async def retry(ctx: Ctx, run_id: str) -> dict[str, Any]:
    source = await runs.get(ctx, run_id)
    if source["status"] != "failed":
        raise errors.Conflict(f"Run {run_id} is {source['status']}; only failed runs can be retried.",
                              details={"status": source["status"]})
    layer = await layers.get(ctx, source["projectLayerId"])
    _check_runnable(layer)
    return await start(ctx, layer, source["commandId"], "retry", source.get("parameters") or {},
                       inline=False, retry_of=source["runId"])


@timer(RUN_KIND)
async def _run_timer(ctx: Ctx, payload: dict[str, Any], ref: str | None) -> None:
    run = await runs.RUNS.get(ctx.db, ctx.tenant_id, payload.get("runId") or ref or "")
    if run is None or run["status"] != "running":
        return
    layer = await layers.LAYERS.get(ctx.db, ctx.tenant_id, run["projectLayerId"])
    if layer is None or layer["status"] != "active":
        run.update(status="canceled", finishedAt=ctx.iso_now(),
                   error={"code": "LAYER_INACTIVE", "message": "The layer was paused or uninstalled before the run started.", "stack": ""})
        await runs.save(ctx, run)
        return
    await _execute(ctx, layer, run)


# ------------------------------------------------------------------ scheduled fires

async def _fire(ctx: Ctx, ref: str | None, command_id: str) -> None:
    kind = f"command.{command_id}"
    layer = await layers.LAYERS.get(ctx.db, ctx.tenant_id, ref or "")
    await ctx.cancel_timers(kind, ref or "")
    if layer is None or layer["status"] != "active":
        return
    command = lc.TEMPLATES[layer["templateId"]].command(command_id)
    assert command is not None
    cron = effective_cron(layer, command)
    at = ceil_fire(cron, ctx.now)
    if at != ctx.now:  # a wake hint between cadence instants: fire at the next one
        await ctx.schedule(kind, at, ref=layer["id"])
        return
    # Idle fires leave no trace but the arithmetic count (`fires` is computed from the cadence).
    maybe_held = True  # may rows still wait in their window after this fire (process-due)?
    if await runs.running(ctx, layer["id"], command_id):
        await _count_fire(ctx, layer, command_id, None)
    elif command_id not in WORK or await _has_work(ctx, layer, command_id):
        run = await start(ctx, layer, command_id, "scheduled", {}, inline=True)
        await _count_fire(ctx, layer, command_id, run)
        # every row ready in the window was in the run: none held unless one stayed ready
        posts = (run.get("output") or {}).get("posts") if run["status"] == "completed" else None
        maybe_held = posts is None or any(p.get("status") == "ready" for p in posts)
    else:
        maybe_held = False  # no row was ready in its window
    if command_id == "process-due" and maybe_held and publish_due.will_publish(layer):
        held = await publish_due.unpublished_in_window(ctx, layer)
        if held:
            await _pull_in(ctx, "recover-overdue", layer["id"], recover.wake_for_window(dist_instant(held[0]["scheduledAt"])))
    nxt = await NEXT[command_id](ctx, layer, ctx.now) if command_id in NEXT else next_after(cron, ctx.now)
    current = await ctx.next_timer(kind, layer["id"])
    if nxt is not None and (current is None or nxt < current):
        await ctx.schedule(kind, nxt, ref=layer["id"])


async def _count_fire(ctx: Ctx, layer: dict[str, Any], command_id: str, run: dict[str, Any] | None) -> None:
    """Count a fire that ran (`run`) or was skipped (None) on the layer's scheduler state: one
    UPDATE when the state row exists (it does from the layer's first activation on)."""
    if run is not None:
        cur = await ctx.db.execute(
            "UPDATE layer_commands SET runs = runs + 1, last_run_id = ?, last_run_at = ?"
            " WHERE tenant_id = ? AND layer_id = ? AND command_id = ?",
            (run["runId"], run["startedAt"], ctx.tenant_id, layer["id"], command_id),
        )
    else:
        cur = await ctx.db.execute(
            "UPDATE layer_commands SET skipped = skipped + 1 WHERE tenant_id = ? AND layer_id = ? AND command_id = ?",
            (ctx.tenant_id, layer["id"], command_id),
        )
    if cur.rowcount:
        return
    state = await _fresh_state(ctx, layer, command_id)
    if run is not None:
        state["runs"] += 1
        state["lastRunId"], state["lastRunAt"] = run["runId"], run["startedAt"]
    else:
        state["skipped"] += 1
    await _put_state(ctx, layer["id"], command_id, state)


async def _has_work(ctx: Ctx, layer: dict[str, Any], command_id: str) -> bool:
    """Whether a scheduled fire has work. process-due hands the rows it found to its run, which
    starts at once in the same transaction, instead of selecting and reconciling them again."""
    found = await WORK[command_id](ctx, layer)
    if found and command_id == "process-due":
        ctx.scratch[("due", layer["id"])] = found
    return bool(found)


async def _pull_in(ctx: Ctx, command_id: str, layer_id: str, at: datetime) -> None:
    kind = f"command.{command_id}"
    current = await ctx.next_timer(kind, layer_id)
    if current is None or at < current:
        await ctx.schedule(kind, at, ref=layer_id)


def dist_instant(text: str) -> datetime:
    from emulator.services.distribution import instant

    return instant(text)


def _fire_handler(command_id: str) -> Any:
    async def handler(ctx: Ctx, payload: dict[str, Any], ref: str | None) -> None:
        await _fire(ctx, ref, command_id)

    return handler


for _cmd in lc.TEMPLATES[lc.SOCIAL_DISTRIBUTION].recurring:
    timer(f"command.{_cmd.id}")(_fire_handler(_cmd.id))


def dumps(value: Any) -> str:
    return json.dumps(value)
