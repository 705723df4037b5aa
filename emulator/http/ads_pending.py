"""Ads pending actions (optimizer proposals waiting for approval) and campaign authority:
`/v1/projects/:id/ads/:platform/pending[...]` and `/ads/:platform/campaigns/:id/authority`."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from emulator import errors
from emulator.http import query as q
from emulator.http.api import Body, Call, Route
from emulator.http.metrics import many
from emulator.pagination import page_request
from emulator.services import ads_metrics, ads_pending, projects

Mode = Literal["off", "draft", "auto"]


def _platform(call: Call) -> str:
    name = ads_metrics.platform_name(call.params["platform"])
    if name is None:
        raise errors.Validation("platform must be meta, tiktok or apple.", path="platform")
    return name


async def list_pending(call: Call) -> dict[str, Any]:
    project_id = call.params["projectId"]
    await projects.get(call.ctx, project_id)
    platform = _platform(call)
    statuses = many(call, "status") or ["pending"]
    if any(s not in ads_pending.STATUSES for s in statuses):
        raise errors.Validation(f"status must be among {', '.join(ads_pending.STATUSES)}.", path="status")
    action = q.enum(call.query, "actionType", ads_pending.ACTION_TYPES)
    page = page_request({k: v for k, v in call.query.items() if k == "limit"}, default=50, maximum=200)
    return await ads_pending.list_page(call.ctx, project_id, platform, statuses=statuses, action_type=action,
                                       cursor=call.query.get("cursor"), limit=page.limit)


async def count_pending(call: Call) -> dict[str, Any]:
    await projects.get(call.ctx, call.params["projectId"])
    return await ads_pending.count(call.ctx, call.params["projectId"], _platform(call))


class Approve(Body):
    comment: str | None = Field(default=None, max_length=1024)


class Reject(Body):
    reason: str = Field(min_length=1, max_length=1024)


async def approve(call: Call) -> dict[str, Any]:
    await projects.get(call.ctx, call.params["projectId"])
    return await ads_pending.approve(call.ctx, call.params["projectId"], _platform(call), call.params["pendingId"],
                                     call.body.comment)


async def reject(call: Call) -> dict[str, Any]:
    await projects.get(call.ctx, call.params["projectId"])
    return await ads_pending.reject(call.ctx, call.params["projectId"], _platform(call), call.params["pendingId"],
                                    call.body.reason)


class AuthorityBlock(Body):
    creative: Mode | None = None
    tactical: Mode | None = None
    structural: Mode | None = None


class PatchAuthority(Body):
    authority: AuthorityBlock


async def get_authority(call: Call) -> dict[str, Any]:
    await projects.get(call.ctx, call.params["projectId"])
    return await ads_pending.get_authority(call.ctx, call.params["projectId"], _platform(call),
                                           call.params["campaignId"])


async def patch_authority(call: Call) -> dict[str, Any]:
    await projects.get(call.ctx, call.params["projectId"])
    body: PatchAuthority = call.body
    changes = body.authority.model_dump(exclude_none=True)
    if not changes:
        raise errors.Validation("Send at least one of authority.creative, .tactical or .structural.", path="authority")
    return await ads_pending.patch_authority(call.ctx, call.params["projectId"], _platform(call),
                                             call.params["campaignId"], changes)


BASE = "/v1/projects/{projectId}/ads/{platform}"
TAGS = ("ads",)
ROUTES = [
    Route("GET", f"{BASE}/pending", list_pending, scope="ads:read", summary="Pending optimizer actions",
          query=("status", "actionType", "cursor", "limit"), tags=TAGS),
    Route("GET", f"{BASE}/pending/count", count_pending, scope="ads:read", summary="Pending actions count",
          tags=TAGS),
    Route("POST", f"{BASE}/pending/{{pendingId}}/approve", approve, scope="ads:write:pending", body=Approve,
          summary="Approve a pending action", audit="ads.pending.approved", tags=TAGS),
    Route("POST", f"{BASE}/pending/{{pendingId}}/reject", reject, scope="ads:write:pending", body=Reject,
          summary="Reject a pending action", audit="ads.pending.rejected", tags=TAGS),
    Route("GET", f"{BASE}/campaigns/{{campaignId}}/authority", get_authority, scope="ads:read",
          summary="A campaign's authority (bucket mode)", tags=TAGS),
    Route("PATCH", f"{BASE}/campaigns/{{campaignId}}/authority", patch_authority, scope="ads:write:policy",
          body=PatchAuthority, summary="Change a campaign's authority", audit="ads.authority.updated", tags=TAGS),
]
