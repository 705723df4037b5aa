"""Content discovery and generation: source recommendations, the hooks bank, the four format
routes and the generic `POST /v1/projects/:id/content` (format / variantCount / brief)."""
from __future__ import annotations

import json
import re
from typing import Any, Literal

from emulator import errors, media
from emulator.fakes import content as fake
from emulator.http import query as q
from emulator.http.api import Body, Call, Reply, Route
from emulator.http.fields import bounded, text
from emulator.ids import UUID_RE, normalize_id
from emulator.services import actors, generation, projects, sources
from emulator.services import containers as cs

Hook = text(1, 2000)
Id = text(1, 200)


def seen(call: Call) -> None:
    """Learn the base URL clients reach us at, for absolute media URLs."""
    media.learn_base(str(call.request.base_url))


# ---------------------------------------------------------------------------- discovery


async def source_recommendations(call: Call) -> dict[str, Any]:
    seen(call)
    project = await projects.get(call.ctx, call.params["projectId"])
    keyword = call.query.get("keyword")
    if keyword is not None and not 1 <= len(keyword) <= 200:
        raise errors.Validation("keyword must be 1-200 characters.", path="keyword")
    kind = q.enum(call.query, "kind", ("video", "slideshow", "mixed"), "mixed")
    limit = q.integer(call.query, "limit", 1, 50, 20)
    return sources.recommendations(call.ctx, project, keyword=keyword or None, kind=kind or "mixed", limit=limit or 20)


async def list_hooks(call: Call) -> dict[str, Any]:
    project = await projects.get(call.ctx, call.params["projectId"])
    return await sources.hooks(call.ctx, project)


# ---------------------------------------------------------------------------- format routes


class BuilderBody(Body):
    hook: Hook  # type: ignore[valid-type]
    socialAccountId: Id | None = None  # type: ignore[valid-type]
    influencerId: Id | None = None  # type: ignore[valid-type]


class RemixBody(Body):
    tiktokVideoId: text(1, 64)  # type: ignore[valid-type]
    socialAccountId: Id | None = None  # type: ignore[valid-type]
    influencerId: Id | None = None  # type: ignore[valid-type]


class UgcBody(Body):
    socialAccountId: Id | None = None  # type: ignore[valid-type]
    influencerId: Id | None = None  # type: ignore[valid-type]
    hook: Hook | None = None  # type: ignore[valid-type]
    mediaId: Id | None = None  # type: ignore[valid-type]


def _accepted(job: dict[str, Any]) -> Reply:
    return Reply(generation.response(job), 202, {"Location": job["locationUrl"]})


async def slideshow_builder(call: Call) -> Reply:
    seen(call)
    body: BuilderBody = call.body
    project = await projects.get_active(call.ctx, call.params["projectId"])
    if not project.get("appDescription"):
        raise errors.Validation("slideshow-builder needs the project's appDescription.", path="appDescription",
                                extra={"missingFields": ["appDescription"]})
    actor = await actors.resolve(call.ctx, project["id"], social_account_id=body.socialAccountId,
                                 influencer_id=body.influencerId, required=False)
    return _accepted(await generation.start(call.ctx, project, "slideshow-builder", actor, hook=body.hook))


def _check_source(tiktok_id: str, want: str, path: str = "tiktokVideoId") -> None:
    src = fake.lookup(tiktok_id)
    if src is None or src["kind"] == want:
        return
    code = "NOT_A_SLIDESHOW" if want == "slideshow" else "NOT_A_VIDEO"
    raise errors.Validation(f"Source {tiktok_id} is a {src['kind']}, not a {want}.", path=path,
                            extra={"code": code, "sourceKind": src["kind"]})


async def _remix(call: Call, fmt: str, want: str) -> Reply:
    seen(call)
    body: RemixBody = call.body
    project = await projects.get_active(call.ctx, call.params["projectId"])
    actor = await actors.resolve(call.ctx, project["id"], social_account_id=body.socialAccountId,
                                 influencer_id=body.influencerId, required=True)
    _check_source(body.tiktokVideoId, want)
    return _accepted(await generation.start(call.ctx, project, fmt, actor, source_id=body.tiktokVideoId))


async def slideshow_remix(call: Call) -> Reply:
    return await _remix(call, "slideshow-remix", "slideshow")


async def video_remix(call: Call) -> Reply:
    return await _remix(call, "video-remix", "video")


def _missing_demo(media_id: str | None) -> errors.ApiError:
    what = f"Media {media_id} is not an app-demo video" if media_id else "The project has no app-demo video"
    return errors.Validation(f"{what}; upload one with POST /v1/projects/:id/app-media (kind demo-video).",
                             path="mediaId", extra={"code": "MISSING_APP_DEMO"})


async def ugc_remix(call: Call) -> Reply:
    seen(call)
    body: UgcBody = call.body
    project = await projects.get_active(call.ctx, call.params["projectId"])
    actor = await actors.resolve(call.ctx, project["id"], social_account_id=body.socialAccountId,
                                 influencer_id=body.influencerId, required=True)
    demo = await actors.app_demo(call.ctx, project["id"], body.mediaId)
    if demo is None:
        raise _missing_demo(body.mediaId)
    media_id = demo.get("id") or demo.get("mediaId")
    return _accepted(await generation.start(call.ctx, project, "ugc-remix", actor, hook=body.hook, media_id=media_id))


# ---------------------------------------------------------------------------- generic POST


class Brief(Body):
    topic: text(1, 500) | None = None  # type: ignore[valid-type]
    angle: text(1, 500) | None = None  # type: ignore[valid-type]
    cta: text(1, 500) | None = None  # type: ignore[valid-type]
    valuePropositions: list[text(1, 500)] | None = None  # type: ignore[valid-type]
    hook: Hook | None = None  # type: ignore[valid-type]
    targetPlatforms: list[Literal["tiktok", "instagram"]] | None = None
    influencerId: Id | None = None  # type: ignore[valid-type]
    themeTags: list[text(1, 100)] | None = None  # type: ignore[valid-type]
    referenceMediaIds: list[Id] | None = None  # type: ignore[valid-type]
    language: text(2, 35) | None = None  # type: ignore[valid-type]
    sourceTiktokId: text(1, 64) | None = None  # type: ignore[valid-type]


GENERIC_FORMATS = ("auto", "video-remix", "slideshow-remix", "ugc-remix", "slideshow-builder")


class GenericBody(Body):
    id: Id | None = None  # type: ignore[valid-type]
    projectLayerId: Id | None = None  # type: ignore[valid-type]
    format: text(1, 40) = "auto"  # type: ignore[valid-type]
    variantCount: bounded(1, 5) = 1  # type: ignore[valid-type]
    brief: Brief | None = None
    socialAccountId: Id | None = None  # type: ignore[valid-type]
    influencerId: Id | None = None  # type: ignore[valid-type]


async def _check_layer(call: Call, project_id: str, layer_id: str) -> None:
    try:
        rows = await call.ctx.db.execute_fetchall(
            "SELECT data FROM project_layers WHERE id = ? AND tenant_id = ?", (layer_id, call.ctx.tenant_id)
        )
    except Exception:
        rows = []
    if not rows or json.loads(rows[0][0]).get("projectId") != project_id:
        raise errors.NotFound(f"Project layer {layer_id} not found in this project.", details={"field": "projectLayerId"})


async def generic_content(call: Call) -> Reply:
    seen(call)
    ctx = call.ctx
    body: GenericBody = call.body
    fmt = cs.normalize_format(body.format)
    if fmt not in GENERIC_FORMATS:
        raise errors.Validation("format must be one of auto, video_remix, slideshow_remix, ugc_remix.", path="format")
    project = await projects.get_active(ctx, call.params["projectId"])
    canonical = json.dumps({k: v for k, v in (call.json or {}).items() if k != "id"}, sort_keys=True)
    first_id = None
    if body.id is not None:
        if not re.fullmatch(UUID_RE, body.id.removeprefix("cnt_")):
            raise errors.Validation("id must be a UUID (optionally prefixed cnt_).", path="id")
        first_id = normalize_id("cnt", body.id.removeprefix("cnt_"))
        existing = await cs.find(ctx, first_id)
        if existing is not None:
            if existing.get("_createBody") != canonical:
                raise errors.Conflict(f"Content {first_id} already exists with a different brief.",
                                      details={"containerId": first_id})
            return Reply(existing.get("_response"), 202)
        if await cs.id_taken(ctx, first_id):
            raise errors.Conflict(f"Content id {first_id} is not available.", details={"containerId": first_id})
    if body.projectLayerId:
        await _check_layer(call, project["id"], body.projectLayerId)
    brief = body.brief.model_dump(exclude_none=True) if body.brief else None
    b = body.brief or Brief()
    actor = await actors.resolve(ctx, project["id"], social_account_id=body.socialAccountId,
                                 influencer_id=body.influencerId or b.influencerId, required=False)
    fallback = actor.influencer or await actors.default_influencer(ctx, project["id"])
    hook, source, media_id = b.hook, None, None
    demo = await actors.app_demo(ctx, project["id"], None)
    if fmt == "auto":
        fmt = "ugc-remix" if demo is not None and fallback is not None else "slideshow-builder"
    if fmt != "slideshow-builder":  # remixes and ugc need an actor: the project's default one if none given
        actor = actors.Actor(fallback, actor.account, actor.layer_id)
    if fmt != "slideshow-builder" and actor.influencer is None:
        raise errors.Validation("No actor: pass influencerId or socialAccountId, or create an influencer first.",
                                path="influencerId", extra={"code": "NO_ACTOR"})
    if fmt == "ugc-remix":
        if demo is None:
            raise _missing_demo(None)
        media_id = demo.get("id") or demo.get("mediaId")
    elif fmt in ("slideshow-remix", "video-remix"):
        want = "slideshow" if fmt == "slideshow-remix" else "video"
        if b.sourceTiktokId:
            _check_source(b.sourceTiktokId, want, "brief.sourceTiktokId")
            source = b.sourceTiktokId
        else:
            picks = fake.portfolio(ctx.seed, project, want, 1)
            if not picks:
                raise errors.Validation("The project's portfolio has no source yet; pass brief.sourceTiktokId.",
                                        path="brief.sourceTiktokId")
            source = picks[0]["tiktokId"]
        hook = None
    elif hook is None:
        hook = fake.first_hook(ctx.seed, project, 0)
    job = await generation.start(
        ctx, project, fmt, actor, count=body.variantCount, hook=hook, source_id=source, media_id=media_id,
        brief=brief, first_id=first_id,
    )
    answer = {**generation.response(job), "format": fmt, "variantCount": body.variantCount}
    first = await cs.get(ctx, job["containerIds"][0])
    first["_createBody"], first["_response"] = canonical, answer
    await cs.save(ctx, first)
    return Reply(answer, 202, {"Location": job["locationUrl"]})


P = "/v1/projects/{projectId}/content"
ROUTES = [
    Route("GET", P + "/source-recommendations", source_recommendations, scope="content:read",
          query=("keyword", "kind", "limit", "cursor"), summary="Recommend TikTok sources", tags=("content",)),
    Route("GET", P + "/hooks", list_hooks, scope="content:read", summary="A fresh hooks bank", tags=("content",)),
    Route("POST", P + "/slideshow-builder", slideshow_builder, scope="content:write", body=BuilderBody, status=202,
          klass="long-running", summary="Generate a slideshow from a hook", audit="content.generate", tags=("content",)),
    Route("POST", P + "/slideshow-remix", slideshow_remix, scope="content:write", body=RemixBody, status=202,
          klass="long-running", summary="Remix a TikTok slideshow", audit="content.generate", tags=("content",)),
    Route("POST", P + "/video-remix", video_remix, scope="content:write", body=RemixBody, status=202,
          klass="long-running", summary="Remix a TikTok video", audit="content.generate", tags=("content",)),
    Route("POST", P + "/ugc-remix", ugc_remix, scope="content:write", body=UgcBody, status=202,
          klass="long-running", summary="Generate a UGC reaction video", audit="content.generate", tags=("content",)),
    Route("POST", P, generic_content, scope="content:write", body=GenericBody, status=202, klass="long-running",
          summary="Generate content (format, variants, brief)", audit="content.generate", tags=("content",)),
]
