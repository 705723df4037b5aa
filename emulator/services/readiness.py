"""Per-project onboarding state (one row per project in `project_onboarding`): the keyword bank
and the `project.ready` bookkeeping.

`project.ready` fires once per project: for a project created with `appDescription`, when the
keyword bank has landed AND the first influencer is ready; for one created without, when its
first ingest job completes (webhooks.md §9).
"""
from __future__ import annotations

from typing import Any

from emulator.context import Ctx
from emulator.store.docs import Docs

ONBOARDING = Docs("project_onboarding", {"created_at": lambda r: r["createdAt"]}, "Project")


async def state(ctx: Ctx, project_id: str) -> dict[str, Any]:
    record = await ONBOARDING.get(ctx.db, ctx.tenant_id, project_id)
    if record is None:
        record = {
            "id": project_id,
            "createdAt": ctx.iso_now(),
            "mode": "ingest",  # bootstrap (appDescription on create) | ingest
            "hashtags": [],
            "refreshedAt": None,
            "generation": 0,
            "influencerReady": False,
            "ingestDone": False,
            "readyAt": None,
        }
        await ONBOARDING.insert(ctx.db, ctx.tenant_id, record)
    return record


async def save(ctx: Ctx, record: dict[str, Any]) -> None:
    await ONBOARDING.save(ctx.db, ctx.tenant_id, record)


async def note(ctx: Ctx, project_id: str, **flags: Any) -> None:
    """Record a milestone (influencerReady / ingestDone / mode) and fire project.ready if due."""
    record = await state(ctx, project_id)
    record.update(flags)
    await save(ctx, record)
    await maybe_ready(ctx, record)


async def maybe_ready(ctx: Ctx, record: dict[str, Any]) -> None:
    if record["readyAt"] is not None:
        return
    if record["mode"] == "bootstrap":
        due = record["influencerReady"] and record["refreshedAt"] is not None
    else:
        due = record["ingestDone"]
    if not due:
        return
    from emulator.services import projects

    project = await projects.PROJECTS.get(ctx.db, ctx.tenant_id, record["id"])
    if project is None:
        return
    record["readyAt"] = ctx.iso_now()
    await save(ctx, record)
    await ctx.emit(
        "project.ready",
        {"projectId": project["id"], "name": project["name"], "customerExternalId": project.get("customerExternalId"),
         "readyAt": record["readyAt"]},
        project_id=project["id"],
    )
