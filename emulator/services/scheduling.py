"""`POST /v1/content/:id/schedule` and `/publish`: the gate, target validation (all or nothing),
row creation, and the stash of schedule intents for containers awaiting approval.

Gate (content.md §6.4): container not completed → 409 CONFLICT; rejected → 409
CONTENT_REJECTED; pending → schedule answers 202 `blocked_on_approval` and stashes the intent
(approve promotes it, reject / archive drop it), publish answers 403 APPROVAL_REQUIRED.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from emulator import errors
from emulator.clock import iso, parse_instant
from emulator.context import Ctx
from emulator.domain import publish_time
from emulator.services import containers, music, projects, publishing
from emulator.services import scheduled_posts as sp
from emulator.store.docs import Docs

INTENTS = Docs(
    "schedule_intents",
    {
        "project_id": lambda r: r["projectId"],
        "container_id": lambda r: r["containerId"],
        "status": lambda r: r["status"],
        "created_at": lambda r: r["createdAt"],
    },
    "Schedule intent",
)

V2_MODES = ("publish", "draft", "managed")
# V1 alias → (V2 mode, platforms it is valid on); distribution.md §2.2.1.
V1_MODES = {
    "direct_publish": ("publish", ("tiktok", "instagram")),
    "draft_to_device": ("draft", ("tiktok", "instagram")),
    "reels": ("publish", ("instagram",)),
    "feed": ("publish", ("instagram",)),
}
PARTNER_ID = re.compile(r"^sp_[A-Za-z0-9_-]{1,80}$")


def _invalid(path: str, message: str) -> errors.Validation:
    return errors.Validation(message, path=path)


def _require_completed(container: dict[str, Any]) -> None:
    if container.get("status") != "completed":
        raise errors.Conflict(
            f"Container {container['id']} is {container.get('status')}; it must be completed before it can be"
            " scheduled or published.",
            details={"containerId": container["id"], "status": container.get("status")},
        )


async def _load(ctx: Ctx, container_id: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    container = dict(await containers.get(ctx, container_id))
    project = await projects.get_active(ctx, container["projectId"])
    _require_completed(container)
    gate = publishing.gate_of(container)
    if gate == "rejected":
        raise errors.ContentRejected(
            f"Container {container['id']} was rejected; it can never be published. Generate new content instead.",
            details={"containerId": container["id"], "approvalStatus": "rejected"},
        )
    return container, project, gate


async def validate_targets(
    ctx: Ctx, container: dict[str, Any], targets: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Every target checked before anything is written; the first problem aborts the call."""
    out: list[dict[str, Any]] = []
    seen_ids: set[str] = set()
    kind = publishing.media_kind(container)
    catalog: set[str] | None = None
    for i, t in enumerate(targets):
        at = f"targets.{i}"
        account = await publishing.load_account(ctx, t["socialAccountId"])
        if account is None:
            raise errors.NotFound(
                f"Social account {t['socialAccountId']} not found.",
                details={"path": f"{at}.socialAccountId", "socialAccountId": t["socialAccountId"]},
            )
        if account.get("projectId") != container["projectId"]:
            raise _invalid(f"{at}.socialAccountId",
                           f"Social account {account['id']} belongs to another project than the container.")
        if account.get("status") == "disconnected":
            raise _invalid(f"{at}.socialAccountId",
                           f"Social account {account['id']} is disconnected; reconnect it first.")
        platform = account.get("platform")
        raw_mode = t["mode"]
        if raw_mode in V2_MODES:
            mode = raw_mode
        elif raw_mode in V1_MODES:
            mode, valid_on = V1_MODES[raw_mode]
            if platform not in valid_on:
                raise _invalid(f"{at}.mode", f"mode '{raw_mode}' is not valid on {platform}.")
        else:
            raise _invalid(f"{at}.mode", "mode must be one of publish, draft, managed"
                           " (or the older direct_publish, draft_to_device, reels, feed).")
        music_pick = t.get("tiktokMusic")
        if music_pick is not None:
            if platform != "tiktok":
                raise _invalid(f"{at}.tiktokMusic", "tiktokMusic is only valid on TikTok targets.")
            if mode == "draft":
                raise _invalid(f"{at}.tiktokMusic", "tiktokMusic cannot be combined with mode draft.")
            if catalog is None:
                catalog = music.track_ids(ctx.seed, ctx.now)
            if music_pick.get("trackId") not in catalog:
                raise _invalid(f"{at}.tiktokMusic.trackId",
                               "trackId is not in the current TikTok music catalog (GET /v1/tiktok-music).")
        if t.get("shareReelToFeed") is not None and not (platform == "instagram" and kind == "video" and mode == "publish"):
            raise _invalid(f"{at}.shareReelToFeed",
                           "shareReelToFeed is only valid on Instagram targets in mode publish with video content.")
        if t.get("tiktokSettings") is not None and platform != "tiktok":
            raise _invalid(f"{at}.tiktokSettings", "tiktokSettings is only valid on TikTok targets.")
        wanted = t.get("scheduledPostId")
        if wanted is not None:
            if not PARTNER_ID.match(wanted):
                raise _invalid(f"{at}.scheduledPostId", "scheduledPostId must start with sp_ (letters, digits, - and _).")
            if wanted in seen_ids:
                raise _invalid(f"{at}.scheduledPostId", "scheduledPostId is repeated in this request.")
            if await sp.exists_anywhere(ctx, wanted):
                raise errors.Conflict(f"Scheduled post id {wanted} is already taken.",
                                      details={"path": f"{at}.scheduledPostId", "scheduledPostId": wanted})
            seen_ids.add(wanted)
        out.append({
            "socialAccountId": account["id"], "mode": mode, "scheduledPostId": wanted,
            "captionOverride": t.get("captionOverride"), "firstCommentOverride": t.get("firstCommentOverride"),
            "tiktokMusic": music_pick, "shareReelToFeed": t.get("shareReelToFeed"),
            "tiktokSettings": t.get("tiktokSettings"),
        })
    return out


async def _create_rows(
    ctx: Ctx, container: dict[str, Any], targets: list[dict[str, Any]], when: datetime, *, timers: bool
) -> list[dict[str, Any]]:
    rows = []
    for t in targets:
        account = await publishing.load_account(ctx, t["socialAccountId"])
        if account is None:
            continue
        row_id = t.get("scheduledPostId")
        if row_id and await sp.exists_anywhere(ctx, row_id):
            row_id = None
        extra = {k: t.get(k) for k in ("captionOverride", "firstCommentOverride", "tiktokMusic",
                                        "shareReelToFeed", "tiktokSettings")}
        row = sp.new_row(ctx, project_id=container["projectId"], container_id=container["id"], account=account,
                         scheduled_at=when, mode=t["mode"], row_id=row_id, extra=extra)
        await sp.insert(ctx, row)
        if timers:
            await ctx.schedule(sp.DUE_KIND, max(when, ctx.now), {"id": row["id"]}, ref=row["id"])
        await ctx.emit(
            "post.scheduled",
            {"scheduledPostId": row["id"], "containerId": container["id"], "scheduledFor": row["scheduledAt"],
             "socialAccountId": row["socialAccountId"], "projectId": row["projectId"]},
            project_id=row["projectId"],
        )
        rows.append(row)
    return rows


async def schedule(ctx: Ctx, container_id: str, scheduled_for: Any, targets: list[dict[str, Any]]) -> tuple[dict[str, Any], int]:
    container, project, gate = await _load(ctx, container_id)
    try:
        when = publish_time.resolve(scheduled_for, project.get("timezone") or "UTC", ctx.now)
    except publish_time.PublishTimeError as exc:
        raise _invalid("scheduledFor", str(exc)) from None
    normalized = await validate_targets(ctx, container, targets)
    if gate == "pending":
        await _stash(ctx, container, when, normalized)
        return {"scheduledPostIds": [], "gateStatus": "blocked_on_approval", "scheduledFor": iso(when)}, 202
    rows = await _create_rows(ctx, container, normalized, when, timers=True)
    return {"scheduledPostIds": [r["id"] for r in rows], "gateStatus": "queued", "scheduledFor": iso(when)}, 201


async def publish_now(ctx: Ctx, container_id: str, targets: list[dict[str, Any]]) -> dict[str, Any]:
    container, _project, gate = await _load(ctx, container_id)
    normalized = await validate_targets(ctx, container, targets)
    if gate == "pending":
        raise errors.ApprovalRequired(
            f"Container {container['id']} is awaiting approval; approve it, then publish again.",
            details={"containerId": container["id"], "approvalStatus": container.get("approvalStatus", "pending")},
        )
    rows = await _create_rows(ctx, container, normalized, ctx.now, timers=False)
    for row in rows:
        await publishing.publish_row(ctx, row)
    return {"scheduledPostIds": [r["id"] for r in rows], "gateStatus": "queued", "scheduledFor": ctx.iso_now()}


# --- stashed intents ----------------------------------------------------------------------

async def _stash(ctx: Ctx, container: dict[str, Any], when: datetime, targets: list[dict[str, Any]]) -> None:
    intent = {
        "id": ctx.new_id("sti"), "projectId": container["projectId"], "containerId": container["id"],
        "status": "stashed", "scheduledAt": iso(when), "targets": targets, "createdAt": ctx.iso_now(),
    }
    await INTENTS.insert(ctx.db, ctx.tenant_id, intent)
    await ctx.record("state", {"containerId": container["id"], "intentId": intent["id"], "scheduledFor": iso(when),
                               "targets": len(targets)},
                     type="schedule.blocked_on_approval", project_id=container["projectId"])


async def promote_intents(ctx: Ctx, container: dict[str, Any], *_: Any) -> dict[str, Any] | None:
    """On approve: every stashed intent of the container becomes scheduled posts (a stashed
    time already in the past goes out at once). Returns `{scheduledPostIds, scheduledFor}`."""
    stashed = await INTENTS.find(ctx.db, ctx.tenant_id, "container_id = ? AND status = 'stashed'",
                                 [container["id"]], order="created_at, rowid")  # insertion order
    if not stashed:
        return None
    ids: list[str] = []
    first_when: str | None = None
    for intent in stashed:
        when = parse_instant(intent["scheduledAt"])
        rows = await _create_rows(ctx, container, intent["targets"], when, timers=True)
        ids.extend(r["id"] for r in rows)
        first_when = first_when or intent["scheduledAt"]
        intent.update(status="promoted", promotedAt=ctx.iso_now(), scheduledPostIds=[r["id"] for r in rows])
        await INTENTS.save(ctx.db, ctx.tenant_id, intent)
    return {"scheduledPostIds": ids, "scheduledFor": first_when}


async def drop_intents(ctx: Ctx, *, project_id: str | None = None, container_id: str | None = None,
                       reason: str = "rejected") -> int:
    where, params = ["status = 'stashed'"], []
    if project_id:
        where.append("project_id = ?")
        params.append(project_id)
    if container_id:
        where.append("container_id = ?")
        params.append(container_id)
    stashed = await INTENTS.find(ctx.db, ctx.tenant_id, " AND ".join(where), params)
    for intent in stashed:
        intent.update(status="dropped", droppedAt=ctx.iso_now(), reason=reason)
        await INTENTS.save(ctx.db, ctx.tenant_id, intent)
    return len(stashed)


async def _drop_on_reject(ctx: Ctx, container: dict[str, Any], *_: Any) -> None:
    await drop_intents(ctx, container_id=container["id"], reason="rejected")


# approving a container promotes its stashed intents; rejecting drops them
for _hooks, _fn in ((containers.ON_APPROVED, promote_intents), (containers.ON_REJECTED, _drop_on_reject)):
    if _fn not in _hooks:
        _hooks.append(_fn)
