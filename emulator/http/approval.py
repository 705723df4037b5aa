"""Approval and content review: the two policy surfaces and approve / reject."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import field_validator

from emulator import errors
from emulator.clock import parse_duration
from emulator.http.api import Body, Call, Route
from emulator.http.fields import text
from emulator.services import approval, projects


async def get_review_policy(call: Call) -> dict[str, Any]:
    project = await projects.get(call.ctx, call.params["projectId"])
    return await approval.review_view(call.ctx, project["id"])


class ReviewPolicyBody(Body):
    policy: Literal["auto_approve", "review_first_n", "review_all"]
    firstN: int | None = None


async def patch_review_policy(call: Call) -> dict[str, Any]:
    body: ReviewPolicyBody = call.body
    project = await projects.get(call.ctx, call.params["projectId"])
    if body.policy == "review_first_n":
        if body.firstN is None:
            raise errors.Validation("firstN is required when policy is review_first_n.", path="firstN")
        if not 1 <= body.firstN <= 50:
            raise errors.Validation("firstN must be between 1 and 50.", path="firstN")
    elif "firstN" in call.sent:
        raise errors.Validation("firstN is only allowed with policy review_first_n.", path="firstN")
    return await approval.set_review(call.ctx, project["id"], body.policy, body.firstN)


async def get_approval_policy(call: Call) -> dict[str, Any]:
    project = await projects.get(call.ctx, call.params["projectId"])
    return await approval.approval_view(call.ctx, project["id"])


class ApprovalPolicyBody(Body):
    requiresApproval: bool | None = None
    firstNPostsBlocked: int | None = None
    autoApproveAfter: str | None = None

    @field_validator("autoApproveAfter")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)  # raises ValueError → 422 naming the field
        return value


async def patch_approval_policy(call: Call) -> dict[str, Any]:
    body: ApprovalPolicyBody = call.body
    project = await projects.get(call.ctx, call.params["projectId"])
    sent = {k for k in call.sent if k in ApprovalPolicyBody.model_fields}
    if not sent:
        raise errors.Validation("Send at least one of requiresApproval, firstNPostsBlocked, autoApproveAfter.", path="")
    if "requiresApproval" in sent and body.requiresApproval is None:
        raise errors.Validation("requiresApproval cannot be null.", path="requiresApproval")
    n = body.firstNPostsBlocked
    if n is not None and not 0 <= n <= 50:
        raise errors.Validation("firstNPostsBlocked must be between 0 and 50.", path="firstNPostsBlocked", status=400)
    changes = {k: getattr(body, k) for k in sent}
    return await approval.set_approval(call.ctx, project["id"], changes)


class ApproveBody(Body):
    note: text(0, 1024) | None = None  # type: ignore[valid-type]


class RejectBody(Body):
    reason: text(1, 1024)  # type: ignore[valid-type]


async def approve(call: Call) -> dict[str, Any]:
    body: ApproveBody = call.body
    return await approval.approve(call.ctx, call.params["containerId"], body.note)


async def reject(call: Call) -> dict[str, Any]:
    body: RejectBody = call.body
    return await approval.reject(call.ctx, call.params["containerId"], body.reason)


PP = "/v1/projects/{projectId}"
ROUTES = [
    Route("GET", PP + "/content-review-policy", get_review_policy, scope="content:read",
          summary="Get the content review policy", tags=("approval",)),
    Route("PATCH", PP + "/content-review-policy", patch_review_policy, scope="content:approve", body=ReviewPolicyBody,
          summary="Set the content review policy", audit="content.review_policy_updated", tags=("approval",)),
    Route("GET", PP + "/approval-policy", get_approval_policy, scope="content:read",
          summary="Get the approval policy", tags=("approval",)),
    Route("PATCH", PP + "/approval-policy", patch_approval_policy, scope="content:approve", body=ApprovalPolicyBody,
          summary="Update the approval policy", audit="content.approval_policy_updated", tags=("approval",)),
    Route("POST", "/v1/content/{containerId}/approve", approve, scope="content:approve", body=ApproveBody,
          summary="Approve content", audit="content.approved", tags=("approval",)),
    Route("POST", "/v1/content/{containerId}/reject", reject, scope="content:approve", body=RejectBody,
          summary="Reject content", audit="content.rejected", tags=("approval",)),
]
