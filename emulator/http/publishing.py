"""`POST /v1/content/:id/schedule`, `POST /v1/content/:id/publish`, and the fake platforms'
fault injection (`POST /_emulator/platforms/{platform}/faults`)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, StrictBool

from emulator import errors
from emulator.http.api import Body, Call, Reply, Route
from emulator.http.fields import text
from emulator.services import platforms, scheduling
from emulator.services import publishing as _publisher  # noqa: F401  (registers publish timers)


class TikTokMusic(Body):
    model_config = ConfigDict(strict=True, extra="allow")
    trackId: str


class TikTokSettings(Body):
    privacyLevel: Literal["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"] | None = None
    disableComment: StrictBool | None = None
    disableDuet: StrictBool | None = None
    disableStitch: StrictBool | None = None
    isAigc: StrictBool | None = None


class Target(Body):
    socialAccountId: text(1, 200)  # type: ignore[valid-type]
    mode: text(1, 40)  # type: ignore[valid-type]
    captionOverride: text(0, 4000) | None = None  # type: ignore[valid-type]
    firstCommentOverride: text(0, 4000) | None = None  # type: ignore[valid-type]
    scheduledPostId: text(1, 200) | None = None  # type: ignore[valid-type]
    tiktokMusic: TikTokMusic | None = None
    shareReelToFeed: StrictBool | None = None
    tiktokSettings: TikTokSettings | None = None


class PublishBody(Body):
    targets: list[Target] = Field(min_length=1, max_length=50)


class ScheduleBody(PublishBody):
    scheduledFor: str


def _targets(body: PublishBody) -> list[dict[str, Any]]:
    out = []
    for t in body.targets:
        d = t.model_dump()
        if t.tiktokMusic is not None:
            d["tiktokMusic"] = t.tiktokMusic.model_dump()
        if t.tiktokSettings is not None:
            d["tiktokSettings"] = t.tiktokSettings.model_dump(exclude_none=True)
        out.append(d)
    return out


async def schedule(call: Call) -> Reply:
    body: ScheduleBody = call.body
    answer, status = await scheduling.schedule(call.ctx, call.params["containerId"], body.scheduledFor, _targets(body))
    return Reply(answer, status)


async def publish(call: Call) -> Reply:
    body: PublishBody = call.body
    return Reply(await scheduling.publish_now(call.ctx, call.params["containerId"], _targets(body)), 201)


class Faults(Body):
    failNext: int = Field(ge=0, le=1000)
    status: int = Field(default=500, ge=400, le=599)
    code: text(1, 64) | None = None  # type: ignore[valid-type]
    message: text(1, 500) | None = None  # type: ignore[valid-type]


def _platform(call: Call) -> str:
    platform = call.params["platform"]
    if platform not in platforms.PLATFORMS:
        raise errors.NotFound(f"Unknown platform {platform}; use tiktok or instagram.")
    return platform


async def set_faults(call: Call) -> dict[str, Any]:
    body: Faults = call.body
    platform = _platform(call)
    view = platforms.set_faults(call.ctx, platform, body.failNext, body.status, body.code, body.message)
    await call.ctx.record("control", view, type="platform.faults")
    return view


async def get_faults(call: Call) -> dict[str, Any]:
    return platforms.fault_view(call.ctx, _platform(call))


async def platform_posts(call: Call) -> dict[str, Any]:
    from emulator.services import projects

    project = await projects.get(call.ctx, call.query.get("projectId") or "")
    items = [p for p in await platforms.posts_of_project(call.ctx, project["id"]) if p["platform"] == _platform(call)]
    return {"items": items}


CTL = ("emulator",)
PUB = ("publishing",)
ROUTES = [
    Route("POST", "/v1/content/{containerId}/schedule", schedule, scope="publish:write", body=ScheduleBody,
          status=201, summary="Schedule a completed container to one or more accounts", tags=PUB),
    Route("POST", "/v1/content/{containerId}/publish", publish, scope="publish:write", body=PublishBody,
          status=201, summary="Publish a completed container now", tags=PUB),
    Route("POST", "/_emulator/platforms/{platform}/faults", set_faults, klass=None, body=Faults, idempotent=False,
          summary="Make the next N publish calls to a fake platform fail (5xx transient, 4xx permanent)", tags=CTL),
    Route("GET", "/_emulator/platforms/{platform}/faults", get_faults, klass=None,
          summary="Pending injected platform faults", tags=CTL),
    Route("GET", "/_emulator/platforms/{platform}/posts", platform_posts, klass=None, query=("projectId",),
          summary="Posts live on a fake platform for a project (pp_...)", tags=CTL),
]
