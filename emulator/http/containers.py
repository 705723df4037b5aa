"""Content containers: list a project's content, get one, its progress and its assets."""
from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field

from emulator import errors, jobs
from emulator.clock import db_time
from emulator.http import query as q
from emulator.http.api import Body, Call, Reply, Route, StrictBody
from emulator.http.content import seen
from emulator.http.fields import bounded, text
from emulator.ids import UUID_RE
from emulator.pagination import page_request
from emulator.services import clone, generation, projects
from emulator.services import containers as cs

STATUS_ALIASES = {"generating": "processing"}


def _many(call: Call, name: str) -> list[str]:
    values: list[str] = []
    for raw in call.request.query_params.getlist(name):
        values += [v.strip() for v in raw.split(",") if v.strip()]
    return values


async def list_content(call: Call) -> dict[str, Any]:
    seen(call)
    project = await projects.get(call.ctx, call.params["projectId"])
    page = page_request(call.query, default=25, maximum=200)
    statuses = []
    for s in _many(call, "status"):
        s = STATUS_ALIASES.get(s, s)
        if s not in cs.STATUSES:
            raise errors.Validation(f"status must be one of {', '.join(cs.STATUSES)}.", path="status")
        statuses.append(s)
    formats = []
    for f in _many(call, "format"):
        f = cs.normalize_format(f)
        if f not in cs.FORMATS:
            raise errors.Validation(f"format must be one of {', '.join(cs.FORMATS)}.", path="format")
        formats.append(f)
    creative = q.enum(call.query, "creativeType", ("generated", "uploaded"))
    since = q.instant(call.query, "since", z_only=True)
    until = q.instant(call.query, "until", z_only=True)
    if since and until and since > until:
        raise errors.Validation("since must not be after until.", path="since")
    items, cursor = await cs.list_page(
        call.ctx, project["id"], page, statuses=statuses, formats=formats, creative_type=creative,
        since=db_time(since) if since else None, until=db_time(until) if until else None,
    )
    return {"items": items, "nextCursor": cursor}


async def get_content(call: Call) -> dict[str, Any]:
    seen(call)
    return cs.public(await cs.get(call.ctx, call.params["containerId"]))


async def get_progress(call: Call) -> dict[str, Any]:
    container = await cs.get(call.ctx, call.params["containerId"])
    return await generation.progress(call.ctx, container)


async def get_asset(call: Call) -> dict[str, Any]:
    seen(call)
    container = await cs.get(call.ctx, call.params["containerId"])
    return cs.find_asset(container, call.params["assetId"])


class CloneOverrides(StrictBody):
    caption: text(0, 2200) | None = None  # type: ignore[valid-type]
    cta: text(1, 500) | None = None  # type: ignore[valid-type]
    voiceOverScript: text(1, 5000) | None = None  # type: ignore[valid-type]


class CloneBody(Body):
    projectId: text(1, 200)  # type: ignore[valid-type]
    projectLayerId: text(1, 200) | None = None  # type: ignore[valid-type]
    sourcePlatformPostId: text(1, 200)  # type: ignore[valid-type]
    mode: Literal["fork", "reimagine"] = "fork"
    variations: bounded(1, 10) = 1  # type: ignore[valid-type]
    overrides: CloneOverrides | None = None


async def clone_from_post(call: Call) -> Reply:
    seen(call)
    path_id = call.params["containerId"]
    if not re.fullmatch(UUID_RE, path_id.removeprefix("cnt_")):
        raise errors.Validation("The path id must be a new UUID you mint (optionally prefixed cnt_).", path="containerId")
    body: CloneBody = call.body
    fields = body.model_dump()
    fields["overrides"] = body.overrides.model_dump(exclude_none=True) if body.overrides else {}
    answer = await clone.clone(call.ctx, "cnt_" + path_id.removeprefix("cnt_").lower(), fields, call.json or {})
    return Reply(answer, 202, {"Location": answer["locationUrl"]})


class ForceOutcome(Body):
    outcome: Literal["failed", "completed", "canceled"]
    code: Literal["GENERATION_FAILED", "SOURCE_UNAVAILABLE", "INFLUENCER_FAILED"] = "GENERATION_FAILED"
    message: text(1, 500) | None = None  # type: ignore[valid-type]
    afterSeconds: float = Field(default=0, ge=0)


async def force_outcome(call: Call) -> dict[str, Any]:
    """Control: end the generation job behind a container (fail with a lastError code, complete, cancel)."""
    body: ForceOutcome = call.body
    container = await cs.get(call.ctx, call.params["containerId"])
    job = await jobs.JOBS.get(call.ctx.db, call.ctx.tenant_id, container.get("jobId") or "")
    if job is None or job["status"] != "running":
        raise errors.Conflict(f"Content {container['id']} has no running generation.",
                              details={"status": container["status"]})
    if body.outcome == "canceled":
        job["_cancelRequested"] = True
        await jobs.save(call.ctx, job)
        await call.ctx.schedule("job.step", call.ctx.now, ref=job["jobId"])
    else:
        mode = {"failed": "fail", "completed": "complete"}[body.outcome]
        await jobs.force(call.ctx, job, {"outcome": mode, "afterSeconds": body.afterSeconds, "errorCode": body.code,
                                         "errorMessage": body.message or f"Generation failed ({body.code})."})
    return {"containerId": container["id"], "jobId": job["jobId"], "outcome": body.outcome}


ROUTES = [
    Route("POST", "/v1/content/{containerId}/clone-from-post", clone_from_post, scope="content:write", body=CloneBody,
          status=202, klass="long-running", summary="Clone a tracked post into new content", audit="content.clone",
          tags=("content",)),
    Route("POST", "/_emulator/content/{containerId}", force_outcome, klass=None, body=ForceOutcome, idempotent=False,
          summary="Force the outcome of a container's generation", tags=("emulator",)),
    Route("GET", "/v1/projects/{projectId}/content", list_content, scope="content:read",
          query=("status", "format", "creativeType", "since", "until", "cursor", "limit"),
          summary="List content containers", tags=("content",)),
    Route("GET", "/v1/content/{containerId}", get_content, scope="content:read", summary="Get a content container",
          tags=("content",)),
    Route("GET", "/v1/content/{containerId}/progress", get_progress, scope="content:read",
          summary="Generation progress of a container", tags=("content",)),
    Route("GET", "/v1/content/{containerId}/assets/{assetId}", get_asset, scope="content:read",
          summary="One asset of a container", tags=("content",)),
]
