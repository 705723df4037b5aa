"""`/v1/scheduled-posts/:id` (get, reschedule, cancel) and `/v1/projects/:id/scheduled-posts`."""
from __future__ import annotations

from typing import Any

from emulator import errors
from emulator.http import query as q
from emulator.http.api import Body, Call, Route
from emulator.http.fields import text
from emulator.pagination import page_request
from emulator.services import projects
from emulator.services import publishing as _publisher  # noqa: F401  (registers publish timers)
from emulator.services import scheduled_posts as sp


class RescheduleBody(Body):
    scheduledFor: str


class CancelBody(Body):
    reason: text(0, 1024) | None = None  # type: ignore[valid-type]


def _statuses(call: Call) -> list[str]:
    raw: list[str] = []
    for value in call.request.query_params.getlist("status"):
        raw.extend(v.strip() for v in value.split(",") if v.strip())
    out = []
    for value in raw:
        value = sp.STATUS_ALIASES.get(value, value)
        if value not in sp.PARTNER_STATUSES:
            raise errors.Validation(
                f"status must be one of {', '.join(sp.PARTNER_STATUSES)} (draft_in_inbox is accepted for draft).",
                path="status",
            )
        if value not in out:
            out.append(value)
    return out


async def list_posts(call: Call) -> dict[str, Any]:
    project = await projects.get(call.ctx, call.params["projectId"])
    page = page_request(call.query, default=50, maximum=100)
    since = q.instant(call.query, "since")
    until = q.instant(call.query, "until")
    if since and until and since > until:
        raise errors.Validation("since must not be after until.", path="since")
    items, cursor = await sp.list_page(
        call.ctx, project["id"], page, statuses=_statuses(call),
        social_account_id=call.query.get("socialAccountId") or None, since=since, until=until,
    )
    return {"items": items, "nextCursor": cursor}


async def get_post(call: Call) -> dict[str, Any]:
    return sp.public(await sp.get_row(call.ctx, call.params["scheduledPostId"]))


async def reschedule(call: Call) -> dict[str, Any]:
    body: RescheduleBody = call.body
    return await sp.reschedule(call.ctx, call.params["scheduledPostId"], body.scheduledFor)


async def cancel(call: Call) -> dict[str, Any]:
    body: CancelBody = call.body
    return await sp.cancel(call.ctx, call.params["scheduledPostId"], body.reason)


PUB = ("publishing",)
ROUTES = [
    Route("GET", "/v1/projects/{projectId}/scheduled-posts", list_posts, scope="publish:read",
          query=("status", "socialAccountId", "since", "until", "cursor", "limit"),
          summary="List a project's scheduled posts (newest scheduledFor first)", tags=PUB),
    Route("GET", "/v1/scheduled-posts/{scheduledPostId}", get_post, scope="publish:read",
          summary="Get a scheduled post", tags=PUB),
    Route("POST", "/v1/scheduled-posts/{scheduledPostId}/reschedule", reschedule, scope="publish:write",
          body=RescheduleBody, summary="Move a queued post to another time", tags=PUB),
    Route("DELETE", "/v1/scheduled-posts/{scheduledPostId}", cancel, scope="publish:write", body=CancelBody,
          summary="Cancel a queued post", tags=PUB),
]
