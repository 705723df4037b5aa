"""Content generation: the four format routes and the generic content POST all start one
`content_generate` job that owns one or more containers.

Stages (every format): `queued` 2 s → `generating_visuals` → `finalizing` (last ~10 %), totals
per format below; containers go `queued → processing` at +2 s and `completed` with the job.
A generation for an influencer that is not `ready` yet waits in `queued`, parked without a timer,
and goes on the moment the influencer is ready (or fails with `INFLUENCER_FAILED` when it fails
or is deleted).

For the distribution layer: `job, containers = await request_generation(ctx, project, format=..., ...)`.
"""
from __future__ import annotations

from typing import Any

from emulator import errors, jobs
from emulator.clock import parse_instant
from emulator.context import Ctx
from emulator.fakes import content as fake
from emulator.ids import stable_int
from emulator.jobs import JobKind
from emulator.services import actors, approval, credits
from emulator.services import containers as cs

KIND = "content_generate"
# format → (total seconds, credits key, media kind)
SPECS: dict[str, tuple[int, str, str]] = {
    "slideshow-builder": (90, "slideshow_builder", "slideshow"),
    "slideshow-remix": (150, "slideshow_remix", "slideshow"),
    "video-remix": (240, "video_remix", "video"),
    "ugc-remix": (240, "ugc_remix", "video"),
}
MAX_RUNNING = 50
LAST_ERROR_CODES = ("GENERATION_FAILED", "SOURCE_UNAVAILABLE", "INFLUENCER_FAILED")


def plan_for(total: float) -> tuple[tuple[str, float], ...]:
    final = round(total * 0.1, 3)
    return (("queued", 2.0), ("generating_visuals", total - 2.0 - final), ("finalizing", final))


def _plan(ctx: Ctx, job: dict[str, Any]) -> tuple[tuple[str, float], ...]:
    return plan_for(float(job["_params"].get("total", 90)))


async def _containers(ctx: Ctx, job: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for cid in job.get("containerIds") or []:
        c = await cs.find(ctx, cid)
        if c is not None:
            out.append(c)
    return out


async def _on_stage(ctx: Ctx, job: dict[str, Any], stage: str) -> None:
    params = job["_params"]
    if stage == "generating_visuals" and params.get("influencerId"):
        inf = await actors._row(ctx, "influencers", params["influencerId"])
        status = (inf or {}).get("status")
        if inf is None or status in ("failed", "deleted") or (inf or {}).get("deletedAt"):
            await ctx.schedule("job.finish", ctx.now, {"outcome": "failed", "error": {
                "code": "INFLUENCER_FAILED", "message": f"Influencer {params['influencerId']} failed to render."}},
                ref=job["jobId"])
            return
        if status != "ready":  # wait in `queued` until the influencer settles (influencers calls jobs.wake)
            job["_stage"], job["stage"], job["progress"] = 0, "queued", 0.0
            job["_stageStartedAt"] = ctx.iso_now()
            jobs.park(job, params["influencerId"])
            return
    job["_stageStartedAt"] = ctx.iso_now()
    if stage == "generating_visuals":
        for c in await _containers(ctx, job):
            if c["status"] == "queued":
                c["status"] = "processing"
                await cs.save(ctx, c)
                await ctx.record("transition", {"containerId": c["id"], "to": "processing"},
                                 type="content.processing", project_id=c["projectId"])


def _video_ms(ctx: Ctx, c: dict[str, Any]) -> int:
    src = fake.lookup(c.get("sourceTiktokId") or "")
    if src and src.get("durationMs"):
        return int(min(30000, max(9000, src["durationMs"])))
    return 9000 + stable_int(ctx.seed, "duration", c["id"]) % 21001


async def _complete_one(
    ctx: Ctx, project: dict[str, Any], c: dict[str, Any], params: dict[str, Any], bank: list[str]
) -> Any:
    """Finish one container; answers its assets as the API shows them."""
    fmt = c["format"]
    kind = SPECS[fmt][2]
    key = c["id"]
    if c.get("hook") is None and fmt in ("slideshow-remix", "video-remix"):
        c["hook"] = fake.remix_hook(ctx.seed, project, fake.lookup(c.get("sourceTiktokId") or ""), key)
    if "_fixedCaption" in c:
        c["caption"] = c.pop("_fixedCaption")
    else:
        c["caption"] = fake.caption(ctx.seed, project, key, bank)
    if kind == "video":
        cs.build_media(ctx, c, "video", duration_ms=_video_ms(ctx, c))
    else:
        src = fake.lookup(c.get("sourceTiktokId") or "")
        count = 6 if fmt == "slideshow-builder" else int((src or {}).get("imageCount") or 6)
        cs.build_media(ctx, c, "slideshow", count)
        texts = fake.slide_texts(c.get("hook") or "", count, project, ctx.seed, key)
        for asset, text in zip(c["assets"], texts):
            asset["overlayText"] = text
    c["status"] = "completed"
    c["completedAt"] = ctx.iso_now()
    await cs.save(ctx, c)
    amount = int(params.get("reservedPer") or 0)
    await credits.settle(ctx, amount, fmt=SPECS[fmt][1], project_id=c["projectId"], container_id=c["id"])
    return await announce_completed(ctx, c)


async def _bank(ctx: Ctx, project_id: str) -> list[str]:
    """The project's keyword bank hashtags (onboarding), best first; [] before research lands."""
    try:
        from emulator.services import readiness

        record = await readiness.ONBOARDING.get(ctx.db, ctx.tenant_id, project_id) or {}
    except Exception:  # onboarding's store is not there: captions use the vertical's tags
        return []
    return [str(h.get("hashtag") or h.get("tag") or "") for h in record.get("hashtags") or [] if isinstance(h, dict)]


async def announce_completed(ctx: Ctx, c: dict[str, Any]) -> Any:
    """Everything that follows a container reaching `completed` (generated or uploaded).
    Answers the container's assets as the API shows them (absolute media URLs)."""
    assets = cs.public_assets(c)
    await ctx.emit("content.generated", {
        "id": c["id"], "projectId": c["projectId"], "assets": assets, "format": c["format"],
        "approvalStatus": c["approvalStatus"], "creativeType": c["creativeType"],
    }, project_id=c["projectId"])
    await approval.on_completed(ctx, c)
    for hook in cs.ON_COMPLETED:
        await hook(ctx, c)
    return assets


async def _on_complete(ctx: Ctx, job: dict[str, Any]) -> dict[str, Any]:
    from emulator.services import projects

    project = await projects.get(ctx, job["projectId"])
    bank = await _bank(ctx, project["id"])
    containers = await _containers(ctx, job)
    first: Any = []  # the job result's assets: the first container's, as the API shows them
    for c in containers:
        shown = None
        if c["status"] in ("queued", "processing"):
            shown = await _complete_one(ctx, project, c, job["_params"], bank)
        if c is containers[0]:
            first = shown if shown is not None else cs.public_assets(c)
    return {"containerId": job.get("containerId"), "containerIds": job.get("containerIds"), "assets": first}


async def _end(ctx: Ctx, job: dict[str, Any], status: str) -> None:
    amount = int(job["_params"].get("reservedPer") or 0)
    err = job.get("error") or {}
    code = err.get("code") if err.get("code") in LAST_ERROR_CODES else "GENERATION_FAILED"
    for c in await _containers(ctx, job):
        if c["status"] not in ("queued", "processing"):
            continue
        c["status"] = status
        if status == "failed":
            c["failedAt"] = ctx.iso_now()
            c["lastError"] = {"code": code, "message": err.get("message") or "Generation failed."}
        else:
            c["canceledAt"] = ctx.iso_now()
        await cs.save(ctx, c)
        credits.release(ctx, amount)
        await ctx.record("transition", {"containerId": c["id"], "to": status}, type=f"content.{status}",
                         project_id=c["projectId"])


async def _on_fail(ctx: Ctx, job: dict[str, Any]) -> None:
    await _end(ctx, job, "failed")


async def _on_cancel(ctx: Ctx, job: dict[str, Any]) -> None:
    await _end(ctx, job, "canceled")


CLONE_KIND = "content_clone_from_post"
for _name in (KIND, CLONE_KIND):
    jobs.register(JobKind(
        _name, stages=plan_for(90), duration=_plan, on_stage=_on_stage, on_complete=_on_complete,
        on_fail=_on_fail, on_cancel=_on_cancel, non_cancelable=frozenset({"finalizing"}),
        passive=frozenset({"finalizing"}),
    ))


async def _cancel_on_archive(ctx: Ctx, project: dict[str, Any]) -> int:
    """Project archive: no new work starts and running generations end `canceled`."""
    running = await jobs.JOBS.find(ctx.db, ctx.tenant_id, "project_id = ? AND status = 'running' AND kind IN (?, ?)",
                                   (project["id"], KIND, CLONE_KIND))
    for job in running:
        await jobs.finish(ctx, job, "canceled")
    return 0  # the hook list counts canceled scheduled posts; generations are not posts


def _register_archive_hook() -> None:
    from emulator.services import projects

    if _cancel_on_archive not in projects.ARCHIVED:
        projects.ARCHIVED.append(_cancel_on_archive)


_register_archive_hook()


# ---------------------------------------------------------------------------- starting


async def start(
    ctx: Ctx, project: dict[str, Any], fmt: str, actor: actors.Actor | None, *, count: int = 1,
    hook: str | None = None, source_id: str | None = None, media_id: str | None = None,
    brief: dict[str, Any] | None = None, first_id: str | None = None, extra: dict[str, Any] | None = None,
    total: float | None = None, kind: str = KIND, ids: list[str] | None = None, capped: bool = True,
) -> dict[str, Any]:
    """Create `count` containers and one job; reserve credits (metered tenants only).
    `capped`: API calls are refused above MAX_RUNNING running jobs; a layer's own automatic
    generation is internal work, not a call that could be refused."""
    job, _ = await _start(ctx, project, fmt, actor, count=count, hook=hook, source_id=source_id, media_id=media_id,
                          brief=brief, first_id=first_id, extra=extra, total=total, kind=kind, ids=ids, capped=capped)
    return job


async def _start(
    ctx: Ctx, project: dict[str, Any], fmt: str, actor: actors.Actor | None, *, count: int = 1,
    hook: str | None = None, source_id: str | None = None, media_id: str | None = None,
    brief: dict[str, Any] | None = None, first_id: str | None = None, extra: dict[str, Any] | None = None,
    total: float | None = None, kind: str = KIND, ids: list[str] | None = None, capped: bool = True,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`start`, also handing back the containers it created."""
    running = await jobs.JOBS.count(ctx.db, ctx.tenant_id, "status = 'running'") if capped else 0
    if running >= MAX_RUNNING:
        raise errors.RateLimited(
            f"Too many running jobs ({running}); wait for some to finish.",
            details={"runningJobs": running, "limit": MAX_RUNNING}, headers={"Retry-After": "30"},
        )
    reserved = credits.reserve(ctx, SPECS[fmt][1], count)
    if ids is None:
        ids = [first_id if (i == 0 and first_id) else ctx.new_id("cnt") for i in range(count)]
    status = await approval.initial_status(ctx, project["id"])
    records = []
    for cid in ids:
        c = cs.blank(
            ctx, cid, project["id"], format=fmt, hook=hook, sourceTiktokId=source_id, mediaId=media_id,
            influencerId=actor.influencer_id if actor else None,
            socialAccountId=actor.account_id if actor else None,
            projectLayerId=actor.layer_id if actor else None, approvalStatus=status,
        )
        c.update({k: v for k, v in (extra or {}).items() if v is not None or k not in c or c[k] is None})
        if brief is not None:
            c["brief"] = brief
        records.append(c)
    job = await jobs.start(
        ctx, kind, pointers={"projectId": project["id"], "containerId": ids[0], "containerIds": ids},
        params={"total": total or SPECS[fmt][0], "format": fmt, "reservedPer": reserved // count if count else 0,
                "influencerId": actor.influencer_id if actor else None},
    )
    for c in records:
        c["jobId"] = job["jobId"]
        await cs.insert(ctx, c)
        await ctx.record("transition", {"containerId": c["id"], "to": "queued", "format": fmt},
                         type="content.queued", project_id=project["id"])
    return job, records


def response(job: dict[str, Any]) -> dict[str, Any]:
    return jobs.envelope(job)


async def request_generation(
    ctx: Ctx, project: dict[str, Any], *, format: str = "slideshow_builder", social_account_id: str | None = None,
    influencer_id: str | None = None, count: int = 1,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """For the distribution layer's automatic generation: a platform-fit generation with the
    project's default actor; a builder gets a hook from the bank; remixes take the top portfolio
    source of the right kind. Returns the job and its (queued) containers."""
    fmt = cs.normalize_format(format)
    try:
        actor = await actors.resolve(ctx, project["id"], social_account_id=social_account_id,
                                     influencer_id=influencer_id, required=False)
    except errors.Validation:  # no influencer anywhere: a builder still runs layerless on the project voice
        actor = actors.Actor(None, None, None)
    if actor.influencer is None:
        inf = await actors.default_influencer(ctx, project["id"])
        actor = actors.Actor(inf, actor.account, actor.layer_id)
    demo = None
    if fmt in ("auto", "ugc-remix"):
        demo = await actors.app_demo(ctx, project["id"], None)
        fmt = "ugc-remix" if demo is not None and actor.influencer is not None else "slideshow-builder"
    if fmt not in SPECS or (fmt != "slideshow-builder" and actor.influencer is None):
        fmt = "slideshow-builder"
    n = stable_int(ctx.seed, "auto-hook", project["id"], ctx.iso_now())
    hook = fake.first_hook(ctx.seed, project, n % 97) if fmt in ("slideshow-builder", "ugc-remix") else None
    source = None
    if fmt in ("slideshow-remix", "video-remix"):
        kind = "slideshow" if fmt == "slideshow-remix" else "video"
        picks = fake.portfolio(ctx.seed, project, kind, 1) or fake.live_search(ctx.seed, project.get("appName") or "app", kind, 1)
        source = picks[0]["tiktokId"]
    media_id = (demo.get("id") or demo.get("mediaId")) if demo is not None and fmt == "ugc-remix" else None
    return await _start(ctx, project, fmt, actor, count=count, hook=hook, source_id=source, media_id=media_id,
                        capped=False)


# ---------------------------------------------------------------------------- progress


async def progress(ctx: Ctx, container: dict[str, Any]) -> dict[str, Any]:
    status = container["status"]
    out: dict[str, Any] = {"containerId": container["id"], "status": status, "stage": None,
                           "stageProgress": None, "etaSeconds": None, "updatedAt": container["updatedAt"]}
    if status in cs.TERMINAL:
        out.update(stage="finalizing" if status == "completed" else None, stageProgress=1.0 if status == "completed" else None)
        return out
    job = await jobs.JOBS.get(ctx.db, ctx.tenant_id, container.get("jobId") or "")
    if job is None:  # an upload waiting for finalize
        out.update(stage="queued", stageProgress=0.0)
        return out
    jobs.observe(job, ctx.now)
    plan = job["_plan"]
    index = min(job["_stage"], len(plan) - 1)
    started = parse_instant(job.get("_stageStartedAt") or job["startedAt"])
    into = max(0.0, (ctx.now - started).total_seconds())
    length = float(plan[index][1]) or 1.0
    remaining = max(0.0, length - into) + sum(float(s) for _, s in plan[index + 1:])
    out.update(stage=plan[index][0], stageProgress=round(min(1.0, into / length), 3),
               etaSeconds=int(round(remaining)))
    return out
