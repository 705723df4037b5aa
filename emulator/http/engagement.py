"""`GET`/`PATCH /v1/projects/:id/engagement`: the Social Engagement config."""
from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StrictBool

from emulator import errors
from emulator.clock import parse_duration
from emulator.http.api import Body, Call, Route
from emulator.http.fields import text
from emulator.services import engagement

Platform = Literal["tiktok", "instagram"]
Tone = Literal["authentic", "witty", "professional", "warm", "casual", "educational"]


def _delay(value: str) -> str:
    try:
        delay = parse_duration(value)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    if not timedelta(seconds=30) <= delay <= timedelta(hours=1):
        raise ValueError("autoReplyDelay must be between PT30S and PT1H")
    return value


def _unique(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


Targets = Annotated[list[Platform], AfterValidator(_unique)]


class FirstComment(Body):
    targets: Targets | None = None
    commentTemplate: text(1, 500) | None = None  # type: ignore[valid-type]
    strategy: Literal["literal", "generated"] | None = None


class Replies(Body):
    targets: Targets | None = None
    autoReplyDelay: Annotated[str, AfterValidator(_delay)] | None = None
    tone: Tone | None = None
    maxPerPostPerHour: int | None = Field(default=None, ge=1, le=60)
    ignoreCommentsMatching: list[text(1, 200)] | None = Field(default=None, max_length=50)  # type: ignore[valid-type]
    escalateNegativeSentiment: StrictBool | None = None


class PatchEngagement(Body):
    projectLayerId: text(1, 200) | None = None  # type: ignore[valid-type]
    enabled: StrictBool | None = None
    firstComment: FirstComment | None = None
    replyToComments: Replies | None = None
    replies: Replies | None = None  # the older (V1) spelling of replyToComments


def _sent(section: Body | None) -> dict[str, Any]:
    if section is None:
        return {}
    return {k: v for k, v in section.model_dump(exclude_unset=True).items()}


async def get_engagement(call: Call) -> dict[str, Any]:
    return engagement.public(await engagement.load(call.ctx, call.params["projectId"]))


async def patch_engagement(call: Call) -> dict[str, Any]:
    body: PatchEngagement = call.body
    raw = call.json if isinstance(call.json, dict) else {}
    for section in ("firstComment", "replyToComments", "replies"):
        values = raw.get(section)
        if isinstance(values, dict):
            nulls = sorted(k for k, v in values.items() if v is None)
            if nulls:
                raise errors.Validation(f"{section}.{nulls[0]} cannot be null.", path=f"{section}.{nulls[0]}")
    if raw.get("enabled", False) is None:
        raise errors.Validation("enabled cannot be null.", path="enabled")
    if not {"enabled", "firstComment", "replyToComments", "replies"} & set(raw):
        raise errors.Validation("Send at least one of enabled, firstComment, replyToComments.", path="")
    changes: dict[str, Any] = {}
    if body.enabled is not None:
        changes["enabled"] = body.enabled
    if body.firstComment is not None:
        changes["firstComment"] = _sent(body.firstComment)
    replies = {**_sent(body.replies), **_sent(body.replyToComments)}
    if replies:
        changes["replyToComments"] = replies
    config = await engagement.patch(call.ctx, call.params["projectId"], changes, body.projectLayerId)
    return engagement.public(config)


TAGS = ("engagement",)
ROUTES = [
    Route("GET", "/v1/projects/{projectId}/engagement", get_engagement, scope="engagement:read",
          summary="The project's Social Engagement config", tags=TAGS),
    Route("PATCH", "/v1/projects/{projectId}/engagement", patch_engagement, scope="engagement:write",
          body=PatchEngagement, summary="Change the Social Engagement config (partial merge)", tags=TAGS),
]
