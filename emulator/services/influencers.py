"""Influencers: the first one auto-created with a project's appDescription, create / clone
(job `influencer_create`), get, list, patch, soft delete, reference images.

Lifecycle on the tenant clock: `pending` at once, `training` at +5 s, `ready` at +60 s (with
`imageUrl`). Job-backed influencers move with their job's stages (so forced job outcomes
apply); the auto-created one moves on its own timers.

Interface for other areas: `await get_influencer(ctx, id)` (404 for other tenants / deleted),
`is_ready(record)`, `await first_ready(ctx, project_id)`.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from emulator import errors, jobs
from emulator.context import Ctx
from emulator.engine import timer
from emulator.fakes import onboarding as fakes
from emulator.ids import normalize_id
from emulator.pagination import PageRequest
from emulator.services import projects, readiness
from emulator.store.docs import Docs

TRAINING_AT = 5
READY_AT = 60
PUBLIC_HIDDEN = ("id",)
LIST_FIELDS = ("influencerId", "name", "gender", "ageRange", "status", "thumbnailUrl", "imageUrl", "createdAt")

INFLUENCERS = Docs(
    "influencers",
    {"project_id": lambda r: r["projectId"], "status": lambda r: r["status"], "created_at": lambda r: r["createdAt"]},
    "Influencer",
)


def public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in PUBLIC_HIDDEN and not k.startswith("_")}


def summary(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record.get(k) for k in LIST_FIELDS}


def is_ready(record: dict[str, Any]) -> bool:
    return record.get("status") == "ready"


async def get_influencer(ctx: Ctx, influencer_id: str) -> dict[str, Any]:
    record = await INFLUENCERS.get(ctx.db, ctx.tenant_id, normalize_id("inf", influencer_id))
    if record is None or record["status"] == "deleted":
        raise errors.NotFound(f"Influencer {influencer_id} not found.")
    return record


async def first_ready(ctx: Ctx, project_id: str) -> dict[str, Any] | None:
    rows = await INFLUENCERS.find(ctx.db, ctx.tenant_id, "project_id = ? AND status = 'ready'", (project_id,),
                                  order="created_at, rowid", limit=1)
    return rows[0] if rows else None


# ---------------------------------------------------------------- creation

async def _new(
    ctx: Ctx, project: dict[str, Any], fields: dict[str, Any], *, persona: dict[str, Any] | None = None,
    auto: bool = False, cloned_from: str | None = None,
) -> dict[str, Any]:
    wanted = fields.get("influencerId")
    if wanted:
        influencer_id = normalize_id("inf", wanted)
        cur = await ctx.db.execute("SELECT 1 FROM influencers WHERE id = ?", (influencer_id,))
        if await cur.fetchone() is not None:
            raise errors.Conflict(f"Influencer {influencer_id} already exists.", details={"influencerId": influencer_id})
    else:
        influencer_id = ctx.new_id("inf")
    gender = fakes.v2_gender(fields.get("gender")) or fakes.default_gender(project.get("targetGender"))
    if persona is None:
        count = await INFLUENCERS.count(ctx.db, ctx.tenant_id, "project_id = ?", (project["id"],))
        vertical = fakes.classify(f"{project.get('appName') or ''} {project.get('appDescription') or ''}")
        persona = fakes.pick_persona(ctx.seed, f"{project['id']}:{count}", gender=gender, vertical=vertical)
    now = ctx.iso_now()
    record: dict[str, Any] = {
        "id": influencer_id,
        "influencerId": influencer_id,
        "projectId": project["id"],
        "name": fields.get("name") or persona["name"],
        "gender": gender,
        "ageRange": fields.get("ageRange", "young_adult"),
        "status": "pending",
        "imageUrl": None,
        "thumbnailUrl": None,
        "brandVoice": fields.get("brandVoice") or project.get("brandVoice") or "authentic",
        "language": fields.get("language") or project.get("primaryLanguage") or "en",
        "errorMessage": None,
        "referenceImages": fields.get("referenceImages") or [],
        "createdAt": now,
        "updatedAt": now,
        "_persona": {k: persona.get(k) for k in ("name", "portraitSlug", "ethnicity", "vibe", "bio", "ageBand")},
        "_attributes": {k: v for k, v in fields.items() if k in V1_PERSONA and v is not None},
        "_prompt": fields.get("prompt"),
        "_auto": auto,
        "_clonedFrom": cloned_from,
        "_jobId": None,
    }
    await INFLUENCERS.insert(ctx.db, ctx.tenant_id, record)
    await ctx.record("transition", {"influencerId": influencer_id, "to": "pending"}, type="influencer.pending",
                     project_id=project["id"])
    return record


V1_PERSONA = ("ethnicity", "bodyType", "hairColor", "hairStyle", "style", "vibe", "voiceDescription", "personality")


async def create_first(ctx: Ctx, project: dict[str, Any]) -> dict[str, Any] | None:
    """The auto-created influencer: exactly one per project, on its own timers (no job)."""
    if await INFLUENCERS.count(ctx.db, ctx.tenant_id, "project_id = ?", (project["id"],)):
        return None
    record = await _new(ctx, project, {}, auto=True)
    await ctx.schedule("influencer.status", ctx.now + timedelta(seconds=TRAINING_AT),
                       {"to": "training"}, ref=record["id"])
    await ctx.schedule("influencer.status", ctx.now + timedelta(seconds=READY_AT), {"to": "ready"}, ref=record["id"])
    return record


async def create(ctx: Ctx, project_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    project = await projects.get_active(ctx, project_id)
    record = await _new(ctx, project, fields)
    return await _start_job(ctx, record)


async def clone(ctx: Ctx, source_id: str, name: str, overrides: dict[str, Any], new_id: str | None) -> dict[str, Any]:
    source = await get_influencer(ctx, source_id)
    project = await projects.get_active(ctx, source["projectId"])
    fields = {
        "name": name, "influencerId": new_id, "gender": source["gender"], "ageRange": source["ageRange"],
        "brandVoice": source["brandVoice"], "language": source["language"], **source.get("_attributes", {}),
    }
    fields.update({k: v for k, v in overrides.items()})
    persona = dict(source["_persona"])
    record = await _new(ctx, project, fields, persona=persona, cloned_from=source["id"])
    return await _start_job(ctx, record)


async def _start_job(ctx: Ctx, record: dict[str, Any]) -> dict[str, Any]:
    job = await jobs.start(ctx, "influencer_create",
                           pointers={"projectId": record["projectId"], "influencerId": record["id"]})
    record["_jobId"] = job["jobId"]
    fresh = await INFLUENCERS.get(ctx.db, ctx.tenant_id, record["id"])
    if fresh is not None and fresh["status"] == "pending":  # a forced outcome may already have moved it
        fresh["_jobId"] = job["jobId"]
        await INFLUENCERS.save(ctx.db, ctx.tenant_id, fresh)
    return job


# ---------------------------------------------------------------- transitions

async def set_status(ctx: Ctx, influencer_id: str, to: str, error_message: str | None = None) -> dict[str, Any] | None:
    record = await INFLUENCERS.get(ctx.db, ctx.tenant_id, influencer_id)
    if record is None or record["status"] in ("ready", "failed", "deleted") or record["status"] == to:
        return record
    record["status"] = to
    record["updatedAt"] = ctx.iso_now()
    if to == "ready":
        slug = record["_persona"].get("portraitSlug") or "portrait"
        if record.get("_clonedFrom"):
            slug = f"{slug}-{record['id'][4:12]}"
        record["imageUrl"], record["thumbnailUrl"] = fakes.portrait_urls(record["id"], slug)
    if to == "failed":
        record["errorMessage"] = error_message or "Portrait rendering failed."
    await INFLUENCERS.save(ctx.db, ctx.tenant_id, record)
    await ctx.record("transition", {"influencerId": influencer_id, "to": to}, type=f"influencer.{to}",
                     project_id=record["projectId"])
    if to in ("ready", "failed"):
        await ctx.cancel_timers("influencer.status", influencer_id)
        await jobs.wake(ctx, influencer_id, record["projectId"])  # generations waiting on it
    if to == "ready":
        await readiness.note(ctx, record["projectId"], influencerReady=True)
    return record


@timer("influencer.status")
async def _status_timer(ctx: Ctx, payload: dict[str, Any], ref: str | None) -> None:
    await set_status(ctx, ref or "", payload["to"])


async def _job_stage(ctx: Ctx, job: dict[str, Any], stage: str) -> None:
    await set_status(ctx, job["influencerId"], stage)


async def _job_complete(ctx: Ctx, job: dict[str, Any]) -> dict[str, Any]:
    await set_status(ctx, job["influencerId"], "ready")
    return {"influencerId": job["influencerId"]}


async def _job_fail(ctx: Ctx, job: dict[str, Any]) -> None:
    await set_status(ctx, job["influencerId"], "failed", (job.get("error") or {}).get("message"))


async def _job_cancel(ctx: Ctx, job: dict[str, Any]) -> None:
    await set_status(ctx, job["influencerId"], "failed", "Creation was canceled.")


jobs.register(jobs.JobKind(
    "influencer_create",
    stages=(("pending", TRAINING_AT), ("training", READY_AT - TRAINING_AT)),
    on_stage=_job_stage, on_complete=_job_complete, on_fail=_job_fail, on_cancel=_job_cancel,
))


async def force(ctx: Ctx, influencer_id: str, outcome: str, error_message: str | None) -> dict[str, Any]:
    """Control route: make an influencer ready or failed now (its job follows)."""
    record = await get_influencer(ctx, influencer_id)
    job_id = record.get("_jobId")
    if job_id:
        job = await jobs.get(ctx, job_id)
        if job["status"] == "running":
            error = {"code": "INFLUENCER_FAILED", "message": error_message or "Portrait rendering failed."}
            await jobs.finish(ctx, job, "completed" if outcome == "ready" else "failed", error)
    await set_status(ctx, record["id"], outcome, error_message)
    return await get_influencer(ctx, record["id"])


# ---------------------------------------------------------------- reads and edits

async def list_page(ctx: Ctx, project_id: str, page: PageRequest, status: str | None) -> tuple[list[dict[str, Any]], str | None]:
    project = await projects.get(ctx, project_id)
    where, params = ["project_id = ?", "status != 'deleted'"], [project["id"]]
    if status:
        where.append("status = ?")
        params.append(status)
    items, cursor = await INFLUENCERS.page(ctx.db, ctx.tenant_id, page, where=" AND ".join(where), params=params)
    return [summary(i) for i in items], cursor


async def patch(ctx: Ctx, influencer_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    record = await get_influencer(ctx, influencer_id)
    record.update(changes)
    record["updatedAt"] = ctx.iso_now()
    await INFLUENCERS.save(ctx.db, ctx.tenant_id, record)
    return record


async def delete(ctx: Ctx, influencer_id: str, reason: str | None) -> dict[str, Any]:
    record = await get_influencer(ctx, influencer_id)
    record["status"] = "deleted"
    record["deletedAt"] = ctx.iso_now()
    record["_attributes"] = {**record.get("_attributes", {}), "deletion": {"reason": reason, "deletedAt": record["deletedAt"]}}
    await INFLUENCERS.save(ctx.db, ctx.tenant_id, record)
    await ctx.cancel_timers("influencer.status", record["id"])
    await jobs.wake(ctx, record["id"], record["projectId"])  # generations waiting on it now fail
    return {"influencerId": record["id"], "status": "deleted", "deletedAt": record["deletedAt"]}


async def add_reference_images(ctx: Ctx, influencer_id: str, assets: list[dict[str, Any]]) -> dict[str, Any]:
    record = await get_influencer(ctx, influencer_id)
    merged = {r["assetId"]: r for r in record.get("referenceImages") or []}
    for asset in assets:
        if asset["projectId"] != record["projectId"] or asset["id"] in merged:
            continue
        merged[asset["id"]] = {"assetId": asset["id"], "url": asset["url"],
                               "thumbnailUrl": asset.get("thumbnailUrl") or asset["url"], "addedAt": ctx.iso_now()}
    record["referenceImages"] = list(merged.values())
    record["updatedAt"] = ctx.iso_now()
    await INFLUENCERS.save(ctx.db, ctx.tenant_id, record)
    return {"influencerId": record["id"], "referenceImages": record["referenceImages"]}


# ---------------------------------------------------------------- project hooks

async def _on_project_created(ctx: Ctx, project: dict[str, Any], _: dict[str, Any]) -> None:
    from emulator.services import keywords

    if project.get("appDescription"):
        await readiness.note(ctx, project["id"], mode="bootstrap")
        await keywords.auto_run(ctx, project["id"])
        await create_first(ctx, project)
    else:
        await readiness.state(ctx, project["id"])


async def _on_project_updated(ctx: Ctx, project: dict[str, Any], previous: dict[str, Any]) -> None:
    from emulator.services import keywords

    if project.get("appDescription") and project.get("appDescription") != previous.get("appDescription"):
        await keywords.auto_run(ctx, project["id"])
        if project["status"] == "active" and await create_first(ctx, project) is not None:
            state = await readiness.state(ctx, project["id"])
            if state["readyAt"] is None and not state["ingestDone"]:
                await readiness.note(ctx, project["id"], mode="bootstrap")


projects.CREATED.append(_on_project_created)
projects.UPDATED.append(_on_project_updated)
