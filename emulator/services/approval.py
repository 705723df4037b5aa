"""Approval and content review: one stored policy per project shown through two surfaces
(the older approval-policy and the newer content-review-policy), the per-container
`approvalStatus`, approve / reject, and auto-approval after `autoApproveAfter`.

Stored policy: `{requiresApproval, firstNPostsBlocked (int|None), autoApproveAfter (ISO|None),
updatedAt}`. Mode: not requiresApproval → auto_approve; firstNPostsBlocked > 0 →
review_first_n; else review_all. First-N counts the project's containers that left `pending`
(approved or rejected), re-counted at each creation (V2 rule).
"""
from __future__ import annotations

from typing import Any

from emulator import errors
from emulator.clock import parse_duration, parse_instant
from emulator.context import Ctx
from emulator.engine import timer
from emulator.services import containers as cs
from emulator.store.docs import Docs

POLICIES = Docs("content_policies", {"updated_at": lambda r: r.get("updatedAt")}, "Policy")

DEFAULT = {"requiresApproval": False, "firstNPostsBlocked": 0, "autoApproveAfter": None, "updatedAt": None}


async def _row(ctx: Ctx, project_id: str) -> dict[str, Any]:
    row = await POLICIES.get(ctx.db, ctx.tenant_id, project_id)
    if row is None:
        row = {"id": project_id, **DEFAULT, "hooksCalls": 0}
        await POLICIES.insert(ctx.db, ctx.tenant_id, row)
    return row


async def save_row(ctx: Ctx, row: dict[str, Any]) -> None:
    await POLICIES.save(ctx.db, ctx.tenant_id, row)


async def state(ctx: Ctx, project_id: str) -> dict[str, Any]:
    return await _row(ctx, project_id)


def mode(row: dict[str, Any]) -> str:
    if not row.get("requiresApproval"):
        return "auto_approve"
    if row.get("firstNPostsBlocked"):
        return "review_first_n"
    return "review_all"


async def pending_count(ctx: Ctx, project_id: str) -> int:
    return await cs.CONTAINERS.count(
        ctx.db, ctx.tenant_id,
        "project_id = ? AND approval_status = 'pending' AND status NOT IN ('failed', 'canceled')", (project_id,),
    )


async def _decided_count(ctx: Ctx, project_id: str) -> int:
    return await cs.CONTAINERS.count(
        ctx.db, ctx.tenant_id, "project_id = ? AND approval_status IN ('approved', 'rejected')", (project_id,)
    )


async def initial_status(ctx: Ctx, project_id: str) -> str:
    """`pending` when the policy gates the project right now, else `not_required`."""
    row = await _row(ctx, project_id)
    m = mode(row)
    if m == "auto_approve":
        return "not_required"
    if m == "review_first_n" and await _decided_count(ctx, project_id) >= int(row["firstNPostsBlocked"]):
        return "not_required"
    return "pending"


# ---------------------------------------------------------------------------- views


async def review_view(ctx: Ctx, project_id: str) -> dict[str, Any]:
    row = await _row(ctx, project_id)
    out: dict[str, Any] = {"projectId": project_id, "policy": mode(row)}
    if out["policy"] == "review_first_n":
        out["firstN"] = row["firstNPostsBlocked"]
    out["pendingCount"] = await pending_count(ctx, project_id)
    if row.get("updatedAt"):
        out["updatedAt"] = row["updatedAt"]
    return out


async def approval_view(ctx: Ctx, project_id: str) -> dict[str, Any]:
    row = await _row(ctx, project_id)
    requires = bool(row.get("requiresApproval"))
    return {
        "projectId": project_id,
        "requiresApproval": requires,
        "firstNPostsBlocked": (row.get("firstNPostsBlocked") or None) if requires else 0,
        "autoApproveAfter": row.get("autoApproveAfter"),
        "pendingCount": await pending_count(ctx, project_id),
        "updatedAt": row.get("updatedAt"),
    }


async def set_review(ctx: Ctx, project_id: str, policy: str, first_n: int | None) -> dict[str, Any]:
    row = await _row(ctx, project_id)
    row["requiresApproval"] = policy != "auto_approve"
    row["firstNPostsBlocked"] = first_n if policy == "review_first_n" else (None if policy == "review_all" else 0)
    row["updatedAt"] = ctx.iso_now()
    await save_row(ctx, row)
    await ctx.record("transition", {"projectId": project_id, "policy": policy, "firstN": first_n},
                     type="content.review_policy_changed", project_id=project_id)
    return await review_view(ctx, project_id)


async def set_approval(ctx: Ctx, project_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    row = await _row(ctx, project_id)
    if "requiresApproval" in changes:
        row["requiresApproval"] = bool(changes["requiresApproval"])
        if not row["requiresApproval"]:
            row["firstNPostsBlocked"] = 0
    if "firstNPostsBlocked" in changes:
        row["firstNPostsBlocked"] = changes["firstNPostsBlocked"] or None
    if "autoApproveAfter" in changes:
        row["autoApproveAfter"] = changes["autoApproveAfter"]
    row["updatedAt"] = ctx.iso_now()
    await save_row(ctx, row)
    await ctx.record("transition", {"projectId": project_id, **changes},
                     type="content.approval_policy_changed", project_id=project_id)
    return await approval_view(ctx, project_id)


# ---------------------------------------------------------------------------- decisions


def _actor(ctx: Ctx) -> str:
    key = ctx.api_key_id or "unknown"
    return key if key.startswith("api_key_") else f"api_key_{key}"


def _decidable(container: dict[str, Any]) -> None:
    if container["status"] != "completed":
        raise errors.Conflict(
            f"Content {container['id']} is {container['status']}; only completed content can be reviewed.",
            details={"status": container["status"], "containerId": container["id"]},
        )
    if container.get("approvalStatus") != "pending":
        raise errors.Conflict(
            f"Content {container['id']} is not awaiting approval (approvalStatus {container.get('approvalStatus')}).",
            details={"approvalStatus": container.get("approvalStatus"), "containerId": container["id"]},
        )


async def _approve(ctx: Ctx, container: dict[str, Any], by: str, note: str | None) -> dict[str, Any]:
    await ctx.cancel_timers("content.auto_approve", container["id"])
    container["approvalStatus"] = "approved"
    container["approvedAt"] = ctx.iso_now()
    container["approvedBy"] = by
    if note is not None:
        container["approvalNote"] = note
    await cs.save(ctx, container)
    await ctx.emit("content.approved", {
        "id": container["id"], "projectId": container["projectId"],
        "approvedAt": container["approvedAt"], "approvedBy": by,
    }, project_id=container["projectId"])
    promotion = None
    for hook in cs.ON_APPROVED:
        result = await hook(ctx, container)
        if promotion is None and result:
            promotion = result
    return {"id": container["id"], "approvalStatus": "approved", "approvedAt": container["approvedAt"],
            "approvedBy": by, "note": note, "pendingSchedulePromotion": promotion}


async def approve(ctx: Ctx, container_id: str, note: str | None) -> dict[str, Any]:
    container = await cs.get(ctx, container_id)
    _decidable(container)
    return await _approve(ctx, container, _actor(ctx), note)


async def reject(ctx: Ctx, container_id: str, reason: str) -> dict[str, Any]:
    container = await cs.get(ctx, container_id)
    _decidable(container)
    await ctx.cancel_timers("content.auto_approve", container["id"])
    by = _actor(ctx)
    container["approvalStatus"] = "rejected"
    container["rejectedAt"] = ctx.iso_now()
    container["rejectedBy"] = by
    container["rejectionReason"] = reason
    await cs.save(ctx, container)
    await ctx.emit("content.rejected", {
        "id": container["id"], "projectId": container["projectId"], "rejectedAt": container["rejectedAt"],
        "rejectedBy": by, "reason": reason,
    }, project_id=container["projectId"])
    for hook in cs.ON_REJECTED:
        await hook(ctx, container)
    return {"id": container["id"], "approvalStatus": "rejected", "rejectedAt": container["rejectedAt"],
            "rejectedBy": by, "reason": reason}


async def on_completed(ctx: Ctx, container: dict[str, Any]) -> None:
    """Called when a container reaches `completed`: arm auto-approval if the policy says so."""
    if container.get("approvalStatus") != "pending":
        return
    row = await _row(ctx, container["projectId"])
    after = row.get("autoApproveAfter")
    if not after:
        return
    due = parse_instant(container["completedAt"]) + parse_duration(after)
    await ctx.schedule("content.auto_approve", due, {}, ref=container["id"])


@timer("content.auto_approve")
async def _auto_approve(ctx: Ctx, payload: dict[str, Any], ref: str | None) -> None:
    container = await cs.find(ctx, ref or "")
    if container is None or container.get("approvalStatus") != "pending" or container["status"] != "completed":
        return
    await _approve(ctx, container, "system", None)
