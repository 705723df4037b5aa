"""The keyword (hashtag) bank: research lands 270 s after create / PATCH of appDescription (no
job) or after a manual refresh (job `keywords_refresh`, stages researching → curating)."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from emulator import errors, jobs
from emulator.context import Ctx
from emulator.engine import timer
from emulator.fakes import onboarding as fakes
from emulator.services import projects, readiness

RESEARCH_SECONDS = 270
jobs.register(jobs.JobKind(
    "keywords_refresh",
    stages=(("researching", 200), ("curating", 70)),
    on_complete=lambda ctx, job: _land_for_job(ctx, job),
))


def _text(project: dict[str, Any]) -> str:
    context = project.get("brandContext") or {}
    parts = [project.get("appName") or "", project.get("appDescription") or "", project.get("tagline") or "",
             " ".join(context.get("keywords") or []), context.get("audience") or ""]
    return " ".join(p for p in parts if p)


async def land(ctx: Ctx, project_id: str) -> dict[str, Any]:
    """The research finished: write a fresh bank and advance refreshedAt."""
    project = await projects.get(ctx, project_id)
    record = await readiness.state(ctx, project["id"])
    record["generation"] += 1
    record["hashtags"] = fakes.keyword_bank(ctx.seed, project["id"], record["generation"], _text(project))
    record["refreshedAt"] = ctx.iso_now()
    await readiness.save(ctx, record)
    await ctx.record("transition", {"projectId": project["id"], "count": len(record["hashtags"])},
                     type="keywords.refreshed", project_id=project["id"])
    await readiness.maybe_ready(ctx, record)
    return record


async def _land_for_job(ctx: Ctx, job: dict[str, Any]) -> dict[str, Any]:
    record = await land(ctx, job["projectId"])
    return {"projectId": job["projectId"], "count": len(record["hashtags"]), "refreshedAt": record["refreshedAt"]}


@timer("keywords.research")
async def _research_done(ctx: Ctx, payload: dict[str, Any], ref: str | None) -> None:
    await land(ctx, payload["projectId"])


async def auto_run(ctx: Ctx, project_id: str) -> None:
    """Background research (create / appDescription change): no job is exposed."""
    await readiness.state(ctx, project_id)
    await ctx.schedule("keywords.research", ctx.now + timedelta(seconds=RESEARCH_SECONDS),
                       {"projectId": project_id}, ref=project_id)


async def get_bank(ctx: Ctx, project_id: str) -> dict[str, Any]:
    project = await projects.get(ctx, project_id)
    record = await readiness.ONBOARDING.get(ctx.db, ctx.tenant_id, project["id"]) or {}
    hashtags = record.get("hashtags") or []
    return {"projectId": project["id"], "hashtags": hashtags, "items": hashtags,
            "refreshedAt": record.get("refreshedAt")}


async def refresh(ctx: Ctx, project_id: str) -> dict[str, Any]:
    project = await projects.get_active(ctx, project_id)
    if not project.get("appDescription"):
        raise errors.Validation(
            "Keyword research needs the project's appDescription; PATCH it first.",
            path="appDescription", extra={"missingFields": ["appDescription"]},
        )
    await readiness.state(ctx, project["id"])
    return await jobs.start(ctx, "keywords_refresh", pointers={"projectId": project["id"]})
