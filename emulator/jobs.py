"""The job engine. A job kind declares its stages with durations (from the docs) and what
completing, failing or canceling does to the resources it points at; the engine runs the
stages on the tenant clock through timers and keeps the documented envelope.

Outcomes can be forced for tests (control API): per kind for future jobs of the tenant, or per
job: complete now or after N seconds, fail with a code, or stay stuck (running forever).
"""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from emulator import errors
from emulator.clock import iso, parse_instant
from emulator.context import Ctx
from emulator.engine import timer
from emulator.store.docs import Docs

Hook = Callable[[Ctx, dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True)
class JobKind:
    name: str
    stages: tuple[tuple[str, float], ...]  # (stage, seconds spent in it)
    on_complete: Hook | None = None  # returns the `result` object
    on_fail: Hook | None = None
    on_cancel: Hook | None = None
    on_stage: Callable[[Ctx, dict[str, Any], str], Awaitable[None]] | None = None
    non_cancelable: frozenset[str] = field(default_factory=frozenset)
    duration: Callable[[Ctx, dict[str, Any]], tuple[tuple[str, float], ...]] | None = None
    # Stages whose start does nothing but move the stage fields (`on_stage` has no effect for
    # them): no timer fires at their boundary; a read past it moves the fields (`observe`).
    passive: frozenset[str] = field(default_factory=frozenset)

    def plan(self, ctx: Ctx, job: dict[str, Any]) -> tuple[tuple[str, float], ...]:
        return self.duration(ctx, job) if self.duration else self.stages


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    KINDS[kind.name] = kind
    return kind


JOBS = Docs(
    "jobs",
    {
        "kind": lambda r: r["kind"],
        "status": lambda r: r["status"],
        "project_id": lambda r: r.get("projectId"),
        "created_at": lambda r: r["startedAt"],
    },
    "Job",
    id_key="jobId",
)

TERMINAL = ("completed", "failed", "canceled")


def envelope(job: dict[str, Any]) -> dict[str, Any]:
    """The public job object (internal bookkeeping keys start with `_`)."""
    return {k: v for k, v in job.items() if not k.startswith("_")}


async def start(
    ctx: Ctx, kind_name: str, *, pointers: dict[str, Any] | None = None, params: dict[str, Any] | None = None
) -> dict[str, Any]:
    kind = KINDS[kind_name]
    job_id = ctx.new_id("job")
    job: dict[str, Any] = {
        "jobId": job_id,
        "kind": kind_name,
        "status": "running",
        "stage": None,
        "progress": 0.0,
        **(pointers or {}),
        "locationUrl": f"/v1/jobs/{job_id}",
        "startedAt": ctx.iso_now(),
        "finishedAt": None,
        "result": None,
        "error": None,
        "_params": params or {},
        "_stage": 0,
        "_cancelRequested": False,
    }
    plan = kind.plan(ctx, job)
    job["_plan"] = [list(s) for s in plan]
    job["stage"] = plan[0][0] if plan else "queued"
    seconds = _until_next_step(kind, job)
    await JOBS.insert(ctx.db, ctx.tenant_id, job)
    forced = (ctx.tenant.settings.get("jobOutcomes") or {}).get(kind_name)
    if forced:
        await force(ctx, job, forced)
    else:
        await ctx.schedule("job.step", ctx.now + timedelta(seconds=seconds), ref=job["jobId"])
    await ctx.record("transition", {"jobId": job_id, "kind": kind_name, "to": "running"}, type="job.started")
    return job


def _until_next_step(kind: JobKind, job: dict[str, Any]) -> float:
    """Seconds from the start of the current stage to the next step that does something: the
    stage's own length, plus that of the passive stages right after it (counted in
    `_skipped`, which `observe` walks through on reads)."""
    plan = job["_plan"]
    index = job["_stage"]
    seconds = float(plan[index][1]) if index < len(plan) else 0.0
    skipped = 0
    while index + 1 + skipped < len(plan) and plan[index + 1 + skipped][0] in kind.passive:
        seconds += float(plan[index + 1 + skipped][1])
        skipped += 1
    job["_skipped"] = skipped
    return seconds


def observe(job: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The job's stage fields as of `now` (in place): a boundary into a passive stage has no
    timer, so whoever reads the job past it moves the fields, exactly as a step would have."""
    skipped = job.get("_skipped") or 0
    if not skipped or job["status"] != "running":
        return job
    plan = job["_plan"]
    while skipped:
        end = _stage_end(job)
        if now < end:
            break
        skipped -= 1
        job["_stage"] += 1
        job["stage"] = plan[job["_stage"]][0]
        job["progress"] = _progress(job)
        job["_stageStartedAt"] = iso(end)
    job["_skipped"] = skipped
    return job


def _stage_end(job: dict[str, Any]) -> datetime:
    """When the job's current stage ends (its start plus its length in the plan)."""
    started = parse_instant(job.get("_stageStartedAt") or job["startedAt"])
    return started + timedelta(seconds=float(job["_plan"][job["_stage"]][1]))


def _progress(job: dict[str, Any]) -> float:
    plan = job["_plan"]
    total = sum(s for _, s in plan) or 1.0
    done = sum(s for _, s in plan[: job["_stage"]])
    return round(min(done / total, 0.99), 3)


async def get(ctx: Ctx, job_id: str) -> dict[str, Any]:
    return observe(await JOBS.require(ctx.db, ctx.tenant_id, job_id), ctx.now)


async def save(ctx: Ctx, job: dict[str, Any]) -> None:
    await JOBS.save(ctx.db, ctx.tenant_id, job)


@timer("job.step")
async def _step(ctx: Ctx, payload: dict[str, Any], ref: str | None) -> None:
    job = await JOBS.get(ctx.db, ctx.tenant_id, ref or "")
    if job is None or job["status"] != "running":
        return
    kind = KINDS[job["kind"]]
    if job.get("_cancelRequested"):
        await finish(ctx, job, "canceled")
        return
    observe(job, ctx.now)  # through the passive stages this step stands in for
    job["_stage"] += 1
    plan = job["_plan"]
    if job["_stage"] >= len(plan):
        await finish(ctx, job, "completed")
        return
    job["stage"] = plan[job["_stage"]][0]
    job["progress"] = _progress(job)
    job["_stageStartedAt"] = ctx.iso_now()
    if kind.on_stage:
        await kind.on_stage(ctx, job, job["stage"])
    seconds = 0.0 if job.get("_parked") else _until_next_step(kind, job)
    await save(ctx, job)
    if not job.get("_parked"):
        await ctx.schedule("job.step", ctx.now + timedelta(seconds=seconds), ref=job["jobId"])


def park(job: dict[str, Any], on: str) -> None:
    """From an `on_stage` hook: hold the job where it is, with no timer, until `wake(ctx, on, ...)`
    (a dependency that settles at a moment nobody can predict, such as an influencer that may
    be forced ready or failed). The caller's stage fields stay as it set them."""
    job["_parked"] = on
    job["_skipped"] = 0


async def wake(ctx: Ctx, on: str, project_id: str | None) -> None:
    """Resume every running job parked on `on`: its next stage boundary is now."""
    where, params = "status = 'running'", []
    if project_id:
        where, params = "status = 'running' AND project_id = ?", [project_id]
    for job in await JOBS.find(ctx.db, ctx.tenant_id, where, params):
        if job.get("_parked") == on:
            job["_parked"] = None
            await save(ctx, job)
            await ctx.schedule("job.step", ctx.now, ref=job["jobId"])


@timer("job.finish")
async def _forced_finish(ctx: Ctx, payload: dict[str, Any], ref: str | None) -> None:
    job = await JOBS.get(ctx.db, ctx.tenant_id, ref or "")
    if job is None or job["status"] != "running":
        return
    await finish(ctx, job, payload["outcome"], payload.get("error"))


async def finish(
    ctx: Ctx, job: dict[str, Any], status: str, error: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Move a running job to a terminal state, running the kind's effect."""
    kind = KINDS[job["kind"]]
    await ctx.cancel_timers("job.step", job["jobId"])
    await ctx.cancel_timers("job.finish", job["jobId"])
    if status == "completed" and kind.on_complete:
        try:
            job["result"] = await kind.on_complete(ctx, job)
        except errors.ApiError as exc:  # the effect itself failed: the job fails with its code
            status, error = "failed", {"code": exc.code, "message": exc.message}
    if status == "failed":
        job["error"] = error or {"code": "INTERNAL", "message": "The job failed."}
        if kind.on_fail:
            await kind.on_fail(ctx, job)
    if status == "canceled" and kind.on_cancel:
        await kind.on_cancel(ctx, job)
    job["status"] = status
    job["finishedAt"] = ctx.iso_now()
    if status == "completed":
        job["progress"] = 1.0
    await save(ctx, job)
    await ctx.emit(f"job.{status}", envelope(job), project_id=job.get("projectId"))
    return job


async def force(ctx: Ctx, job: dict[str, Any], outcome: dict[str, Any]) -> None:
    """Apply a forced outcome: complete | fail | stuck, after `afterSeconds` (default 0)."""
    await ctx.cancel_timers("job.step", job["jobId"])
    await ctx.cancel_timers("job.finish", job["jobId"])
    mode = outcome["outcome"]
    job["_forced"] = outcome
    job["_skipped"] = 0  # the stage fields stay where the force found them
    await save(ctx, job)
    if mode == "stuck":
        return
    after = float(outcome.get("afterSeconds") or 0)
    payload: dict[str, Any] = {"outcome": "completed" if mode == "complete" else "failed"}
    if mode == "fail":
        payload["error"] = {
            "code": outcome.get("errorCode") or "INTERNAL",
            "message": outcome.get("errorMessage") or "Failed by a forced outcome.",
        }
    await ctx.schedule("job.finish", ctx.now + timedelta(seconds=after), payload, ref=job["jobId"])


async def cancel(ctx: Ctx, job_id: str) -> tuple[int, dict[str, Any]]:
    job = await get(ctx, job_id)
    if job["status"] in TERMINAL:
        reason = {"completed": "ALREADY_COMPLETED", "failed": "ALREADY_FAILED", "canceled": "ALREADY_CANCELED"}
        return 200, {"jobId": job_id, "accepted": False, "reason": reason[job["status"]]}
    kind = KINDS[job["kind"]]
    if job.get("stage") in kind.non_cancelable:
        raise errors.Conflict(
            f"Job {job_id} is in stage {job['stage']}, which cannot be canceled.",
            details={"subcode": "JOB_CANCEL_UNAVAILABLE", "jobId": job_id, "stage": job["stage"]},
        )
    if not job["_cancelRequested"]:
        job["_cancelRequested"] = True
        await save(ctx, job)
        if (job.get("_forced") or {}).get("outcome") == "stuck" or job.get("_parked"):
            # A stuck or parked job has no stage boundary coming; cancel takes effect at once.
            await ctx.schedule("job.step", ctx.now, ref=job_id)
        elif job.get("_skipped"):  # the next timer is past a passive boundary: cancel lands at it
            await ctx.schedule("job.step", _stage_end(job), ref=job_id)
    return 202, {"jobId": job_id, "accepted": True}


def etag(body: dict[str, Any]) -> str:
    import hashlib

    return '"' + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32] + '"'


__all__ = ["JobKind", "register", "start", "finish", "force", "cancel", "envelope", "iso"]
