"""The ads authority gate and pending optimizer actions (spec measurement.md §8.5, §10).

Every optimizer / content-refresh action passes the gate of its campaign's axis: `off` →
denied, `draft` → a pending action (`pa_…`, expires after 7 days), `auto` → dispatched. An
approved pending action dispatches at the layer's next `ad-optimize` tick (`approval.dispatched`).
Campaign authority: a per-campaign block when one was PATCHed, else the ad layer's
`config.authority`, else `auto` on every axis (layer-created campaigns run on autopilot).
"""
from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

from emulator import errors
from emulator.context import Ctx
from emulator.engine import timer
from emulator.services import ads_content, ads_metrics
from emulator.store.docs import Docs

AXES = ("creative", "tactical", "structural")
MODES = ("off", "draft", "auto")
ACTION_AXIS = {
    "pause_ad": "structural", "pause_adset": "structural", "update_budget": "tactical",
    "update_targeting": "tactical", "update_schedule": "tactical", "push_creative": "creative",
    "replace_creative": "creative", "prune_creative": "creative",
}
ACTION_TYPES = tuple(ACTION_AXIS)
STATUSES = ("pending", "approved", "rejected", "dispatched", "dispatch_failed")
SHORT = {"meta_ads": "meta", "tiktok_ads": "tiktok", "apple_ads": "apple"}
EXPIRE_TIMER = "ads.pending.expire"
TTL = timedelta(days=7)

AUTHORITY = Docs("ads_authority", {"project_id": lambda r: r["projectId"], "platform": lambda r: r["platform"],
                                   "created_at": lambda r: r["createdAt"]}, "Campaign")
PENDING = Docs("ads_pending", {"project_id": lambda r: r["projectId"], "platform": lambda r: r["_platform"],
                               "status": lambda r: r["status"], "created_at": lambda r: r["createdAt"]},
               "Pending action")


def layer_defaults(layer: dict[str, Any] | None) -> dict[str, str]:
    configured = ((layer or {}).get("config") or {}).get("authority") or {}
    return {axis: configured.get(axis, "auto") if configured.get(axis) in MODES else "auto" for axis in AXES}


async def _campaign_exists(ctx: Ctx, project_id: str, platform: str, campaign_id: str) -> bool:
    promos = await ads_metrics.promotions(ctx, project_id)
    return any(p["campaignId"] == campaign_id and p["platform"] == platform for p in promos)


async def _ads_layer(ctx: Ctx, project_id: str, platform: str) -> dict[str, Any] | None:
    from emulator.services import ad_layers, layers

    template = {v: k for k, v in ad_layers.PLATFORM.items()}.get(platform)
    rows = await layers.LAYERS.find(ctx.db, ctx.tenant_id, "project_id = ? AND template_id = ? AND status = 'active'",
                                    (project_id, template), limit=1)
    return rows[0] if rows else None


async def authority(ctx: Ctx, project_id: str, platform: str, campaign_id: str,
                    layer: dict[str, Any] | None = None) -> dict[str, Any]:
    row = await AUTHORITY.get(ctx.db, ctx.tenant_id, campaign_id)
    if row is not None and row["projectId"] == project_id:
        return row
    layer = layer or await _ads_layer(ctx, project_id, platform)
    return {"campaignId": campaign_id, "platform": platform, "authority": layer_defaults(layer),
            "source": "layer_defaults", "lastModifiedAt": None, "lastModifiedBy": None}


async def get_authority(ctx: Ctx, project_id: str, platform: str, campaign_id: str) -> dict[str, Any]:
    if not await _campaign_exists(ctx, project_id, platform, campaign_id):
        raise errors.NotFound(f"Campaign {campaign_id} not found in project {project_id}.")
    row = await authority(ctx, project_id, platform, campaign_id)
    return {k: v for k, v in row.items() if k not in ("id", "projectId", "createdAt")}


async def patch_authority(ctx: Ctx, project_id: str, platform: str, campaign_id: str,
                          changes: dict[str, str]) -> dict[str, Any]:
    current = await get_authority(ctx, project_id, platform, campaign_id)
    merged = {**current["authority"], **changes}
    actor = {"actorType": "partner", "actorOrganizationId": ctx.tenant_id, "actorApiKeyId": ctx.api_key_id}
    row = {"id": campaign_id, "projectId": project_id, "campaignId": campaign_id, "platform": platform,
           "authority": merged, "source": "per_campaign", "lastModifiedAt": ctx.iso_now(), "lastModifiedBy": actor,
           "createdAt": ctx.iso_now()}
    if await AUTHORITY.get(ctx.db, ctx.tenant_id, campaign_id) is None:
        await AUTHORITY.insert(ctx.db, ctx.tenant_id, row)
    else:
        await AUTHORITY.save(ctx.db, ctx.tenant_id, row)
    return {"campaignId": campaign_id, "platform": platform, "authority": merged, "source": "per_campaign",
            "verdictId": ctx.new_id("ver"), "lastModifiedAt": row["lastModifiedAt"], "lastModifiedBy": actor}


async def gate(ctx: Ctx, layer: dict[str, Any], promo: dict[str, Any], action_type: str, *, rationale: str,
               current: dict[str, Any], new: dict[str, Any], detail: dict[str, Any],
               decision_id: str | None = None) -> tuple[str, dict[str, Any] | None]:
    """('auto' | 'queued' | 'denied', the pending row when queued)."""
    block = await authority(ctx, layer["projectId"], promo["platform"], promo["campaignId"], layer)
    mode = block["authority"][ACTION_AXIS[action_type]]
    if mode == "off":
        return "denied", None
    if mode == "auto":
        return "auto", None
    for open_row in await PENDING.find(ctx.db, ctx.tenant_id, "project_id = ? AND status IN ('pending', 'approved')",
                                       [layer["projectId"]]):
        if open_row["actionType"] == action_type and open_row["entityId"] == promo["id"]:
            return "queued", open_row  # already waiting for a decision: not queued twice
    pending_id = ctx.new_id("pa")
    row = {
        "id": pending_id, "pendingId": pending_id, "projectId": layer["projectId"], "projectLayerId": layer["id"],
        "actionType": action_type, "entityType": "creative" if action_type in ("push_creative", "replace_creative")
        else "ad", "entityId": promo["id"], "entityName": promo["name"],
        "platform": SHORT[promo["platform"]], "currentValue": current, "newValue": new, "rationale": rationale,
        "proposedAction": {"detail": detail}, "status": "pending", "decisionId": decision_id, "verdictId": None,
        "comment": None, "reason": None, "createdAt": ctx.iso_now(), "expiresAt": _iso(ctx, ctx.now + TTL),
        "decidedAt": None, "dispatchedAt": None, "dispatchFailureReason": None, "_platform": promo["platform"],
    }
    await PENDING.insert(ctx.db, ctx.tenant_id, row)
    await ctx.schedule(EXPIRE_TIMER, ctx.now + TTL, {}, ref=pending_id)
    return "queued", row


def _iso(ctx: Ctx, at: Any) -> str:
    from emulator.clock import iso

    text = iso(at)
    assert text is not None
    return text


def public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_") and k != "id"}


@timer(EXPIRE_TIMER)
async def _expire(ctx: Ctx, payload: dict[str, Any], ref: str | None) -> None:
    row = await PENDING.get(ctx.db, ctx.tenant_id, ref or "")
    if row is not None and row["status"] == "pending":
        row.update(status="rejected", reason="expired", decidedAt=ctx.iso_now())
        await PENDING.save(ctx.db, ctx.tenant_id, row)


async def list_page(ctx: Ctx, project_id: str, platform: str, *, statuses: list[str], action_type: str | None,
                    cursor: str | None, limit: int) -> dict[str, Any]:
    rows = await PENDING.find(ctx.db, ctx.tenant_id, "project_id = ? AND platform = ?", [project_id, platform],
                              order="created_at, rowid")
    rows = [r for r in rows if r["status"] in statuses and (action_type is None or r["actionType"] == action_type)]
    start = 0
    if cursor:
        try:
            start = max(0, int(json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["o"]))
        except Exception:
            raise errors.Validation("cursor is malformed; pass back nextCursor verbatim", path="cursor") from None
    page = rows[start:start + limit]
    nxt = (base64.urlsafe_b64encode(json.dumps({"o": start + limit}).encode()).decode().rstrip("=")
           if start + limit < len(rows) else None)
    return {"items": [public(r) for r in page], "nextCursor": nxt}


async def open_keys(ctx: Ctx, project_id: str, platform: str) -> set[tuple[str, str]]:
    rows = await PENDING.find(ctx.db, ctx.tenant_id, "project_id = ? AND platform = ? AND status IN ('pending', 'approved')",
                              [project_id, platform])
    return {(r["actionType"], r["entityId"]) for r in rows}


async def count(ctx: Ctx, project_id: str, platform: str) -> dict[str, int]:
    n = await PENDING.count(ctx.db, ctx.tenant_id, "project_id = ? AND platform = ? AND status = 'pending'",
                            (project_id, platform))
    return {"count": n}


async def _decidable(ctx: Ctx, project_id: str, platform: str, pending_id: str) -> dict[str, Any]:
    row = await PENDING.get(ctx.db, ctx.tenant_id, pending_id)
    if row is None or row["projectId"] != project_id or row["_platform"] != platform:
        raise errors.NotFound(f"Pending action {pending_id} not found.")
    if row["status"] != "pending":
        raise errors.Conflict(f"Pending action {pending_id} is already {row['status']}.",
                              details={"status": row["status"], "reason": row.get("reason")})
    return row


async def approve(ctx: Ctx, project_id: str, platform: str, pending_id: str, comment: str | None) -> dict[str, Any]:
    row = await _decidable(ctx, project_id, platform, pending_id)
    row.update(status="approved", comment=comment, decidedAt=ctx.iso_now(), verdictId=ctx.new_id("ver"))
    await PENDING.save(ctx.db, ctx.tenant_id, row)
    await ctx.cancel_timers(EXPIRE_TIMER, pending_id)
    return {"pendingId": pending_id, "status": "approved", "dispatched": False, "dispatchedAt": None,
            "verdictId": row["verdictId"]}


async def reject(ctx: Ctx, project_id: str, platform: str, pending_id: str, reason: str) -> dict[str, Any]:
    row = await _decidable(ctx, project_id, platform, pending_id)
    row.update(status="rejected", reason=reason, decidedAt=ctx.iso_now(), verdictId=ctx.new_id("ver"))
    await PENDING.save(ctx.db, ctx.tenant_id, row)
    await ctx.cancel_timers(EXPIRE_TIMER, pending_id)
    return {"pendingId": pending_id, "status": "rejected", "reason": reason, "verdictId": row["verdictId"]}


async def dispatch_approved(ctx: Ctx, layer: dict[str, Any], platform: str) -> list[dict[str, Any]]:
    """At an `ad-optimize` tick: carry out every approved action of the layer's project/platform."""
    rows = await PENDING.find(ctx.db, ctx.tenant_id, "project_id = ? AND platform = ? AND status = 'approved'",
                              [layer["projectId"], platform], order="created_at, rowid")
    done = []
    for row in rows:
        if row["actionType"] in ("push_creative", "replace_creative"):
            promo: dict[str, Any] | None = {"platform": platform}
        else:
            promo = await ads_metrics.PROMOS.get(ctx.db, ctx.tenant_id, row["entityId"])
        if promo is None:
            row.update(status="dispatch_failed", dispatchFailureReason="entity_not_found")
        else:
            await _apply(ctx, layer, row, promo)
            row.update(status="dispatched", dispatchedAt=ctx.iso_now())
            await ctx.emit("approval.dispatched", {
                "pendingId": row["pendingId"], "verdictId": row["verdictId"], "platform": row["platform"],
                "projectId": row["projectId"], "dispatchedAt": row["dispatchedAt"], "actionType": row["actionType"],
            }, project_id=row["projectId"])
        await PENDING.save(ctx.db, ctx.tenant_id, row)
        done.append(public(row))
    return done


async def _apply(ctx: Ctx, layer: dict[str, Any], row: dict[str, Any], promo: dict[str, Any]) -> None:
    action = row["actionType"]
    if action in ("pause_ad", "prune_creative") and promo["status"] == "active":
        await ads_metrics.pause(ctx, promo, row["rationale"])
    elif action == "update_budget":
        await ads_metrics.set_budget(ctx, promo, int(row["newValue"]["dailyBudgetCents"]))
    elif action in ("push_creative", "replace_creative"):
        content = row["newValue"].get("adsContentId")
        if content and await ads_content.ADS.get(ctx.db, ctx.tenant_id, content):
            await ads_metrics.promote(ctx, layer["projectId"], content, promo["platform"],
                                      layer["config"]["dailyBudgetCents"], layer["id"])
