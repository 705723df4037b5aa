"""Runs: every command execution of a layer (distribution.md §4.7).

A run executes in one go inside the transaction of the request or timer that starts it, under a
SAVEPOINT: a failing run rolls back its own writes (its rows stay untouched) but is itself kept
as `failed` with `error {code, message, stack}`. Activities are recorded in execution order with
input, output, logs and heartbeats. Because a run is atomic and every tenant's work is
serialized, two runs of one command on one layer never overlap; a scheduled fire that finds a
queued run of the same command skips (counted on the layer's scheduler state).

Triggers: manual, scheduled, config_change, install, retry.
"""
from __future__ import annotations

import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from emulator import errors
from emulator.context import Ctx
from emulator.pagination import PageRequest
from emulator.store.docs import Docs

RUNS = Docs(
    "layer_runs",
    {
        "layer_id": lambda r: r["projectLayerId"],
        "command_id": lambda r: r["commandId"],
        "status": lambda r: r["status"],
        "trigger": lambda r: r["trigger"],
        "started_at": lambda r: r["startedAt"],
    },
    "Run",
)

TRIGGERS = ("manual", "scheduled", "config_change", "install", "retry")
STATUSES = ("running", "completed", "failed", "canceled")


class CommandFailed(Exception):
    """An expected failure of a command (bad parameters, unhealthy account): the run fails with
    this code; the request that started it does not."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


class Recorder:
    """Collects a run's activities while its command executes."""

    def __init__(self, ctx: Ctx, run: dict[str, Any]) -> None:
        self.ctx = ctx
        self.run = run
        self.current: dict[str, Any] | None = None

    def begin(self, name: str, input: dict[str, Any] | None = None) -> dict[str, Any]:
        self.end()
        now = self.ctx.iso_now()
        activity = {
            "name": name, "status": "running", "startedAt": now, "finishedAt": None,
            "input": input or {}, "output": None, "logs": [], "heartbeats": [],
        }
        self.run["activities"].append(activity)
        self.current = activity
        return activity

    def log(self, message: str, level: str = "info") -> None:
        if self.current is not None:
            self.current["logs"].append({"at": self.ctx.iso_now(), "level": level, "message": message})

    def heartbeat(self, details: dict[str, Any] | None = None) -> None:
        if self.current is not None:
            self.current["heartbeats"].append({"at": self.ctx.iso_now(), "details": details or {}})

    def end(self, output: dict[str, Any] | None = None) -> None:
        if self.current is None:
            return
        if output is not None:
            self.current["output"] = output
        elif self.current["output"] is None:
            self.current["output"] = {}
        self.current["status"] = "completed"
        self.current["finishedAt"] = self.ctx.iso_now()
        self.current = None

    async def activity(
        self, name: str, input: dict[str, Any], fn: Callable[[], Awaitable[dict[str, Any]]]
    ) -> dict[str, Any]:
        self.begin(name, input)
        output = await fn()
        self.end(output)
        return output

    def fail(self, code: str, message: str, stack: str, details: dict[str, Any] | None = None) -> None:
        if self.current is not None:
            self.current["status"] = "failed"
            self.current["finishedAt"] = self.ctx.iso_now()
            self.current["logs"].append({"at": self.ctx.iso_now(), "level": "error", "message": message})
            self.current = None
        self.run["error"] = {"code": code, "message": message, "stack": stack, **({"details": details} if details else {})}


def public(run: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in run.items() if not k.startswith("_") and k != "id"}


def new_run(
    ctx: Ctx, layer: dict[str, Any], command_id: str, workflow: str, trigger: str,
    parameters: dict[str, Any] | None, retry_of: str | None = None,
) -> dict[str, Any]:
    run_id = ctx.new_id("run")
    return {
        "runId": run_id,
        "id": run_id,
        "workflowRunId": ctx.new_id("wfr"),
        "projectLayerId": layer["id"],
        "projectId": layer["projectId"],
        "templateId": layer["templateId"],
        "commandId": command_id,
        "workflow": workflow,
        "workflowVersion": layer.get("version"),
        "trigger": trigger,
        "parameters": parameters or {},
        "status": "running",
        "startedAt": ctx.iso_now(),
        "finishedAt": None,
        "activities": [],
        "output": None,
        "error": None,
        "retryOf": retry_of,
    }


async def insert(ctx: Ctx, run: dict[str, Any]) -> dict[str, Any]:
    return await RUNS.insert(ctx.db, ctx.tenant_id, run)


async def save(ctx: Ctx, run: dict[str, Any]) -> dict[str, Any]:
    return await RUNS.save(ctx.db, ctx.tenant_id, run)


async def get(ctx: Ctx, run_id: str) -> dict[str, Any]:
    return await RUNS.require(ctx.db, ctx.tenant_id, run_id)


Body = Callable[[Ctx, dict[str, Any], dict[str, Any], Recorder], Awaitable[dict[str, Any]]]


async def execute(
    ctx: Ctx, run: dict[str, Any], layer: dict[str, Any], body: Body, *, stored: bool = True
) -> dict[str, Any]:
    """Run `body(ctx, layer, parameters, recorder)` atomically and finish `run` (saved).
    `stored=False`: the run row is written once, finished (a run started and executed in one
    transaction: nothing can read it in between, and one write is half the cost of two)."""
    rec = Recorder(ctx, run)
    pending_after_commit = len(ctx.after_commit)
    await ctx.db.execute("SAVEPOINT layer_run")
    try:
        output = await body(ctx, layer, run["parameters"], rec)
        rec.end()
        await ctx.db.execute("RELEASE layer_run")
        run["status"] = "completed"
        run["output"] = output
    except (CommandFailed, errors.ApiError) as exc:
        await _rollback(ctx, pending_after_commit)
        code = exc.code
        details = exc.details if isinstance(exc, CommandFailed) else getattr(exc, "details", None)
        rec.fail(code, exc.message, "".join(traceback.format_exception(exc)), details)
        run["status"] = "failed"
    except Exception as exc:  # a bug in a command: keep it visible to the harness as well
        await _rollback(ctx, pending_after_commit)
        stack = "".join(traceback.format_exception(exc))
        rec.fail("INTERNAL", f"{type(exc).__name__}: {exc}", stack)
        run["status"] = "failed"
        ctx.emu.note_error(run["runId"], "RUN", f"{layer['id']}/{run['commandId']}", exc)
    run["finishedAt"] = ctx.iso_now()
    await (save(ctx, run) if stored else insert(ctx, run))
    await ctx.record(
        "command",
        {"runId": run["runId"], "projectLayerId": layer["id"], "commandId": run["commandId"],
         "trigger": run["trigger"], "status": run["status"],
         **({"error": {"code": run["error"]["code"], "message": run["error"]["message"]}} if run["error"] else {})},
        type=f"layer.run.{run['status']}", project_id=layer["projectId"],
    )
    return run


async def _rollback(ctx: Ctx, keep: int) -> None:
    await ctx.db.execute("ROLLBACK TO layer_run")
    await ctx.db.execute("RELEASE layer_run")
    del ctx.after_commit[keep:]


async def list_page(
    ctx: Ctx, layer_id: str, page: PageRequest, *, command_id: str | None, status: str | None,
    trigger: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    where, params = ["layer_id = ?"], [layer_id]
    for column, value in (("command_id", command_id), ("status", status), ("trigger", trigger)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    items, cursor = await RUNS.page(
        ctx.db, ctx.tenant_id, page, where=" AND ".join(where), params=params, sort="started_at"
    )
    return [public(r) for r in items], cursor


async def running(ctx: Ctx, layer_id: str, command_id: str) -> str | None:
    cur = await ctx.db.execute(
        "SELECT id FROM layer_runs WHERE tenant_id = ? AND layer_id = ? AND command_id = ? AND status = 'running' LIMIT 1",
        (ctx.tenant_id, layer_id, command_id),
    )
    row = await cur.fetchone()
    return row[0] if row else None
