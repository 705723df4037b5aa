"""Scheduled posts: the one row shape shared by partner posts and Social Distribution slots,
the internal → partner status mapping, reads (get, list) and the partner-side mutations
(reschedule, cancel, cancel-on-archive).

Row (`scheduled_posts.data`, camelCase; the table columns mirror the marked keys):

    id (sp_…)            projectId*         layerId* (pl_… | None for partner rows)
    socialAccountId*     containerId*       platform ("tiktok" | "instagram")
    status*  INTERNAL: pending | pending_assets | ready | draft | posting | posted | failed
                       | pending_manual | canceled
    scheduledAt*  (UTC Z; the partner API shows it as scheduledFor)
    origin ("partner" | "layer")   mode (partner target mode: publish | draft | managed)
    postingMode ("automatic" | "manual" | "managed")   pinned (bool; rescheduled layer rows)
    captionOverride, firstCommentOverride, tiktokMusic, shareReelToFeed, tiktokSettings
    externalId, externalUrl, platformPostId, attemptedAt, publishedAt, canceledAt,
    cancelReason, lastError ({code, message} | None), createdAt*, updatedAt

Keys starting with `_` are internal (e.g. `_outcome`, the pending platform answer) and never
leave the emulator.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from emulator import errors
from emulator.clock import ceil_minute, iso
from emulator.context import Ctx
from emulator.domain import publish_time
from emulator.ids import normalize_id
from emulator.pagination import PageRequest
from emulator.store.docs import Docs

SCHEDULED_POSTS = Docs(
    "scheduled_posts",
    {
        "project_id": lambda r: r["projectId"],
        "layer_id": lambda r: r.get("layerId"),
        "social_account_id": lambda r: r.get("socialAccountId"),
        "container_id": lambda r: r.get("containerId"),
        "status": lambda r: r["status"],
        "scheduled_at": lambda r: r["scheduledAt"],
        "created_at": lambda r: r["createdAt"],
    },
    "Scheduled post",
)

INTERNAL_STATUSES = (
    "pending", "pending_assets", "ready", "draft", "posting", "posted", "failed", "pending_manual",
    "canceled",
)
PARTNER_STATUSES = ("queued", "publishing", "draft", "published", "failed", "canceled")
# V1 spelling accepted in filters.
STATUS_ALIASES = {"draft_in_inbox": "draft"}
QUEUED_INTERNAL = ("pending", "pending_assets", "ready")
DUE_KIND = "publish.due"


def partner_status(internal: str, last_error: Any = None) -> str:
    """The documented partner-visible status of an internal row status (distribution §5.9).

    `pending_manual` waits for a person: shown as `draft` when it is a hand-off, and as
    `failed` when it is the fallback after a failed automatic publish (`lastError` set)."""
    if internal in QUEUED_INTERNAL:
        return "queued"
    if internal == "posting":
        return "publishing"
    if internal == "posted":
        return "published"
    if internal == "pending_manual":
        return "failed" if last_error else "draft"
    if internal in ("draft", "failed", "canceled"):
        return internal
    raise ValueError(f"unknown internal scheduled-post status {internal!r}")


def internal_filter(partner: str) -> tuple[str, list[Any]]:
    """SQL (over the `status` column and `data`) selecting the rows shown with `partner`."""
    if partner == "queued":
        return "status IN ('pending_assets', 'ready', 'pending')", []
    if partner == "publishing":
        return "status = 'posting'", []
    if partner == "published":
        return "status = 'posted'", []
    if partner == "draft":
        return "(status = 'draft' OR (status = 'pending_manual' AND json_extract(data, '$.lastError') IS NULL))", []
    if partner == "failed":
        return "(status = 'failed' OR (status = 'pending_manual' AND json_extract(data, '$.lastError') IS NOT NULL))", []
    return "status = 'canceled'", []


def public(row: dict[str, Any]) -> dict[str, Any]:
    """The partner API object (distribution §2.5)."""
    return {
        "id": row["id"],
        "projectId": row.get("projectId"),
        "containerId": row.get("containerId"),
        "socialAccountId": row.get("socialAccountId"),
        "platform": row.get("platform"),
        "mode": row.get("mode") or _mode_of(row),
        "status": partner_status(row["status"], row.get("lastError")),
        "scheduledFor": row.get("scheduledAt"),
        "externalId": row.get("externalId"),
        "externalUrl": row.get("externalUrl"),
        "platformPostId": row.get("platformPostId"),
        "attemptedAt": row.get("attemptedAt"),
        "publishedAt": row.get("publishedAt"),
        "canceledAt": row.get("canceledAt"),
        "lastError": row.get("lastError"),
        "createdAt": row.get("createdAt"),
        "updatedAt": row.get("updatedAt") or row.get("createdAt"),
    }


def _mode_of(row: dict[str, Any]) -> str:
    posting = row.get("postingMode")
    return {"manual": "draft", "managed": "managed"}.get(posting or "", "publish")


def new_row(
    ctx: Ctx,
    *,
    project_id: str,
    container_id: str | None,
    account: dict[str, Any],
    scheduled_at: datetime,
    mode: str,
    origin: str = "partner",
    layer_id: str | None = None,
    status: str = "ready",
    row_id: str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    posting_mode = {"publish": "automatic", "draft": "manual", "managed": "managed"}[mode]
    now = ctx.iso_now()
    row: dict[str, Any] = {
        "id": row_id or ctx.new_id("sp"),
        "projectId": project_id,
        "layerId": layer_id,
        "socialAccountId": account["id"],
        "containerId": container_id,
        "platform": account.get("platform"),
        "status": status,
        "scheduledAt": iso(scheduled_at),
        "origin": origin,
        "mode": mode,
        "postingMode": posting_mode,
        "pinned": False,
        "captionOverride": None,
        "firstCommentOverride": None,
        "tiktokMusic": None,
        "shareReelToFeed": None,
        "tiktokSettings": None,
        "externalId": None,
        "externalUrl": None,
        "platformPostId": None,
        "attemptedAt": None,
        "publishedAt": None,
        "canceledAt": None,
        "cancelReason": None,
        "lastError": None,
        "createdAt": now,
        "updatedAt": now,
    }
    row.update(extra or {})
    return row


async def insert(ctx: Ctx, row: dict[str, Any]) -> dict[str, Any]:
    await SCHEDULED_POSTS.insert(ctx.db, ctx.tenant_id, row)
    await wake_commands(ctx, row)
    return row


async def save(ctx: Ctx, row: dict[str, Any]) -> dict[str, Any]:
    row["updatedAt"] = ctx.iso_now()
    changed = await SCHEDULED_POSTS.save_changed(ctx.db, ctx.tenant_id, row)
    if changed and ("status" in changed or "scheduled_at" in changed):
        await wake_commands(ctx, row)
    return row


# ---------------------------------------------------------------------------- wake hints

WAKE_STATUSES = ("ready", "pending_assets", "failed")
PROCESS_DUE, RECOVER_OVERDUE = "command.process-due", "command.recover-overdue"
RECOVER_WINDOW = timedelta(minutes=5)


async def wake_commands(ctx: Ctx, row: dict[str, Any]) -> None:
    """A layer row that just became publishable, failed, or moved: make sure the layer's
    process-due and recover-overdue commands have a timer by the time they may find work.

    process-due and recover-overdue coalesce idle fires (each schedules its next timer at the
    first cadence instant it can have work), so every write that makes a layer row publishable
    (attach, content completing, approval, reschedule) must leave a hint: a process-due timer at
    the minute of `max(scheduledAt, updatedAt)`; and a recover-overdue timer at the end of the
    row's 5-minute window (or at once, if it is already over) when the row failed or turned
    ready after its window closed. The handlers realign to their cadence and recompute. Call it
    after every insert or update that sets a layer row's status or scheduledAt."""
    if row.get("layerId") is None or row["status"] not in WAKE_STATUSES:
        return
    scheduled = datetime.fromisoformat(row["scheduledAt"])  # stored instants: `…sss.mmmZ`
    updated = datetime.fromisoformat(row.get("updatedAt") or row["scheduledAt"])
    if row["status"] != "failed":
        await _hint(ctx, PROCESS_DUE, row["layerId"], ceil_minute(max(scheduled, updated)))
    window_end = scheduled + RECOVER_WINDOW
    if row["status"] == "failed" or updated >= window_end:
        await _hint(ctx, RECOVER_OVERDUE, row["layerId"], max(window_end, updated))


async def _hint(ctx: Ctx, kind: str, layer_id: str, due: datetime) -> None:
    current = await ctx.next_timer(kind, layer_id)
    if current is None or current > due:
        await ctx.schedule(kind, due, {"wake": True}, ref=layer_id)


async def get_row(ctx: Ctx, post_id: str) -> dict[str, Any]:
    return await SCHEDULED_POSTS.require(ctx.db, ctx.tenant_id, normalize_id("sp", post_id))


async def exists_anywhere(ctx: Ctx, post_id: str) -> bool:
    cur = await ctx.db.execute("SELECT 1 FROM scheduled_posts WHERE id = ?", (post_id,))
    return await cur.fetchone() is not None


async def list_page(
    ctx: Ctx,
    project_id: str,
    page: PageRequest,
    *,
    statuses: list[str],
    social_account_id: str | None,
    since: datetime | None,
    until: datetime | None,
) -> tuple[list[dict[str, Any]], str | None]:
    where: list[str] = ["project_id = ?", "container_id IS NOT NULL"]
    params: list[Any] = [project_id]
    if statuses:
        parts = []
        for s in statuses:
            sql, args = internal_filter(s)
            parts.append(sql)
            params.extend(args)
        where.append("(" + " OR ".join(parts) + ")")
    if social_account_id:
        where.append("social_account_id = ?")
        params.append(social_account_id)
    if since is not None:
        where.append("scheduled_at >= ?")
        params.append(iso(since))
    if until is not None:
        where.append("scheduled_at <= ?")
        params.append(iso(until))
    rows, cursor = await SCHEDULED_POSTS.page(
        ctx.db, ctx.tenant_id, page, where=" AND ".join(where), params=params, sort="scheduled_at"
    )
    return [public(r) for r in rows], cursor


async def reschedule(ctx: Ctx, post_id: str, scheduled_for: str) -> dict[str, Any]:
    from emulator.services import projects

    row = await get_row(ctx, post_id)
    shown = partner_status(row["status"], row.get("lastError"))
    if shown != "queued":
        raise errors.Conflict(
            f"Scheduled post {row['id']} is {shown}; only queued posts can be rescheduled.",
            details={"status": shown},
        )
    project = await projects.get(ctx, row["projectId"])
    try:
        when = publish_time.resolve(scheduled_for, project.get("timezone") or "UTC", ctx.now)
    except publish_time.PublishTimeError as exc:
        raise errors.Validation(str(exc), path="scheduledFor") from None
    previous = row["scheduledAt"]
    row["scheduledAt"] = iso(when)
    if row.get("origin") == "layer" or row.get("layerId"):
        row["pinned"] = True
    await save(ctx, row)
    if row.get("origin", "partner") == "partner":
        await ctx.cancel_timers(DUE_KIND, row["id"])
        await ctx.schedule(DUE_KIND, when, {"id": row["id"]}, ref=row["id"])
    await ctx.record(
        "state", {"scheduledPostId": row["id"], "from": previous, "to": row["scheduledAt"]},
        type="scheduled_post.rescheduled", project_id=row["projectId"],
    )
    return {"id": row["id"], "status": "queued", "scheduledFor": row["scheduledAt"], "updatedAt": row["updatedAt"]}


async def cancel(ctx: Ctx, post_id: str, reason: str | None) -> dict[str, Any]:
    row = await get_row(ctx, post_id)
    shown = partner_status(row["status"], row.get("lastError"))
    if shown != "queued":
        raise errors.Conflict(
            f"Scheduled post {row['id']} is {shown}; only queued posts can be canceled.",
            details={"status": shown},
        )
    await _cancel_row(ctx, row, reason)
    return {"id": row["id"], "status": "canceled", "canceledAt": row["canceledAt"]}


async def _cancel_row(ctx: Ctx, row: dict[str, Any], reason: str | None) -> None:
    row["status"] = "canceled"
    row["canceledAt"] = ctx.iso_now()
    row["cancelReason"] = reason
    await save(ctx, row)
    await ctx.cancel_timers(DUE_KIND, row["id"])
    await ctx.emit(
        "post.canceled",
        {
            "scheduledPostId": row["id"], "containerId": row.get("containerId"),
            "socialAccountId": row.get("socialAccountId"), "projectId": row["projectId"],
            "canceledAt": row["canceledAt"], "reason": reason,
        },
        project_id=row["projectId"],
    )


async def cancel_queued(
    ctx: Ctx, *, project_id: str | None = None, social_account_id: str | None = None,
    reason: str, partner_only: bool = False,
) -> int:
    """Cancel every queued row of a project and/or an account (archive, account revoke)."""
    where, params = ["status IN ('pending_assets', 'ready')"], []
    if project_id:
        where.append("project_id = ?")
        params.append(project_id)
    if social_account_id:
        where.append("social_account_id = ?")
        params.append(social_account_id)
    if partner_only:
        where.append("layer_id IS NULL")
    rows = await SCHEDULED_POSTS.find(ctx.db, ctx.tenant_id, " AND ".join(where), params, order="scheduled_at, id")
    for row in rows:
        await _cancel_row(ctx, row, reason)
    return len(rows)

