"""The publisher: one due scheduled-post row → the fake platform → posted / failed / draft.

Interface for the Social Distribution layer:

    await publish_row(ctx, row)          one due row (internal status `ready`), any origin
    await due_partner_posts(ctx, until)  every due partner row (sweep; timers normally do it)

Partner rows get one timer each (`publish.due`, ref = row id) at their `scheduledAt`;
reschedule moves it, cancel deletes it. A publish attempt answers at once with the row in
`posting` (partner `publishing`); the outcome lands 6 s later (`publish.complete`), or at the
next 15-minute managed-distribution tick for `managed` rows.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from emulator import errors
from emulator.clock import iso
from emulator.context import Ctx
from emulator.engine import timer
from emulator.ids import normalize_id
from emulator.services import containers, platforms, projects, social
from emulator.services import scheduled_posts as sp

COMPLETE_KIND = "publish.complete"
PUBLISH_LATENCY = timedelta(seconds=6)
MAX_ATTEMPTS = 3
MANAGED_TICK_MINUTES = 15


async def load_account(ctx: Ctx, account_id: str | None) -> dict[str, Any] | None:
    if not account_id:
        return None
    try:
        return dict(await social.get_account(ctx, account_id))
    except errors.NotFound:
        return None


def account_healthy(account: dict[str, Any]) -> bool:
    if account.get("tokenError") or account.get("status") in ("reauth_required", "disconnected"):
        return False
    return social.is_healthy(account)


async def load_container(ctx: Ctx, container_id: str | None) -> dict[str, Any] | None:
    if not container_id:
        return None
    try:
        return dict(await containers.get(ctx, container_id))
    except errors.NotFound:
        return None


async def _gate(ctx: Ctx, container_id: str | None) -> str | None:
    """The container's approval gate (`gate_of`), None when there is no container: read from
    the indexed approval_status column, so a publish does not decode the whole document
    (assets and all) for the gate alone."""
    if not container_id:
        return None
    row = ctx.db.run(
        "SELECT approval_status FROM containers WHERE id = ? AND tenant_id = ?",
        (normalize_id("cnt", container_id), ctx.tenant_id),
    ).fetchone()
    return None if row is None else containers.gate_for(row[0])


def gate_of(container: dict[str, Any]) -> str:
    """"ok" | "pending" | "rejected" (the content engineer's approval gate)."""
    return containers.approval_gate(container)


def media_kind(container: dict[str, Any] | None) -> str | None:
    if not container:
        return None
    preview = container.get("preview") or {}
    kind = preview.get("kind") if isinstance(preview, dict) else None
    return kind or container.get("kind") or container.get("mediaKind")


# --- the publisher ------------------------------------------------------------------------

async def publish_row(ctx: Ctx, post: dict[str, Any], *, current: bool = False) -> dict[str, Any]:
    """Attempt one due row now. Returns the stored row (internal shape) after the attempt.
    `current`: `post` is the stored row as this transaction last read or wrote it (else it is
    read again)."""
    row = post if current else await sp.SCHEDULED_POSTS.get(ctx.db, ctx.tenant_id, post["id"])
    if row is None or row["status"] not in ("ready", "queued"):
        return row or post
    gate = await _gate(ctx, row.get("containerId"))
    if gate == "rejected":
        return await _fail(ctx, row, "CONTENT_REJECTED", "The container was rejected; it cannot be published.")
    if gate == "pending":  # defence in depth: approval re-checked just before publish
        await ctx.record("state", {"scheduledPostId": row["id"], "reason": "approval_pending"},
                         type="scheduled_post.held", project_id=row["projectId"])
        return row
    account = await load_account(ctx, row.get("socialAccountId"))
    if account is None or not account_healthy(account):
        reason = (account or {}).get("tokenError") or "the account is disconnected or its token is invalid"
        return await _fail(ctx, row, "CREDENTIAL_INVALID",
                           f"Social account {row.get('socialAccountId')} needs re-authorization: {reason}.")
    row["attemptedAt"] = ctx.iso_now()
    mode = row.get("postingMode") or "automatic"
    if mode == "manual":
        return await _hand_off(ctx, row)
    if mode == "managed":
        row["status"] = "posting"
        row["_outcome"] = {"ok": True}
        await sp.save(ctx, row)
        await ctx.schedule(COMPLETE_KIND, next_managed_tick(ctx.now), {"id": row["id"]}, ref=row["id"])
        await _transition(ctx, row, "ready", "posting")
        return row
    answer = platforms.call(ctx, row["platform"])
    attempts = 1
    while answer.transient and attempts < MAX_ATTEMPTS:
        answer = platforms.call(ctx, row["platform"])
        attempts += 1
    row["status"] = "posting"
    row["_attempts"] = attempts
    row["_outcome"] = {"ok": answer.ok, "status": answer.status, "code": answer.code, "message": answer.message}
    await sp.save(ctx, row)
    await ctx.schedule(COMPLETE_KIND, ctx.now + PUBLISH_LATENCY, {"id": row["id"]}, ref=row["id"])
    await _transition(ctx, row, "ready", "posting")
    return row


def next_managed_tick(now: datetime) -> datetime:
    """The next :00/:15/:30/:45 UTC boundary strictly after `now` (MSD reconcile)."""
    base = now.replace(second=0, microsecond=0)
    minutes = MANAGED_TICK_MINUTES - base.minute % MANAGED_TICK_MINUTES
    return base + timedelta(minutes=minutes)


async def _hand_off(ctx: Ctx, row: dict[str, Any]) -> dict[str, Any]:
    """Non-automatic posting: TikTok → the creator's drafts inbox; Instagram → a person."""
    row["status"] = "draft" if row["platform"] == "tiktok" else "pending_manual"
    await sp.save(ctx, row)
    await _transition(ctx, row, "ready", row["status"])
    if row["status"] == "draft":
        await ctx.record("platform", {"scheduledPostId": row["id"], "socialAccountId": row["socialAccountId"],
                                      "platform": "tiktok", "inbox": "drafts"},
                         type="platform.draft_delivered", project_id=row["projectId"])
    return row


async def _fail(ctx: Ctx, row: dict[str, Any], code: str, message: str, *, status: str = "failed") -> dict[str, Any]:
    before = row["status"]
    row["status"] = status
    row["attemptedAt"] = row.get("attemptedAt") or ctx.iso_now()
    row["lastError"] = {"code": code, "message": message}
    row.pop("_outcome", None)
    await sp.save(ctx, row)
    await _transition(ctx, row, before, status)
    await ctx.emit(
        "post.failed",
        {"scheduledPostId": row["id"], "containerId": row.get("containerId"),
         "socialAccountId": row.get("socialAccountId"), "platform": row.get("platform"),
         "projectId": row["projectId"], "lastError": row["lastError"]},
        project_id=row["projectId"],
    )
    return row


async def _transition(ctx: Ctx, row: dict[str, Any], before: str, after: str) -> None:
    await ctx.record("state", {"scheduledPostId": row["id"], "from": before, "to": after},
                     type="scheduled_post.status", project_id=row["projectId"])


@timer(COMPLETE_KIND)
async def _complete(ctx: Ctx, payload: dict[str, Any], ref: str | None) -> None:
    row = await sp.SCHEDULED_POSTS.get(ctx.db, ctx.tenant_id, payload["id"])
    if row is None or row["status"] != "posting":
        return
    outcome = row.pop("_outcome", None) or {"ok": True}
    if not outcome.get("ok"):
        status_code = int(outcome.get("status") or 500)
        if status_code >= 500:
            code = outcome.get("code") or "PLATFORM_ERROR"
            await _fail(ctx, row, code, f"{outcome.get('message')}; gave up after {row.get('_attempts', 1)} attempts.")
        else:
            await _fail(ctx, row, outcome.get("code") or "PLATFORM_REJECTED", str(outcome.get("message")),
                        status="pending_manual")
        return
    loaded = await load_account(ctx, row.get("socialAccountId"))
    account = loaded or {"id": row.get("socialAccountId")}
    container = await load_container(ctx, row.get("containerId"))
    external_id, external_url = platforms.external_ids(ctx, row["platform"], account, row["id"])
    row.update(status="posted", externalId=external_id, externalUrl=external_url, publishedAt=ctx.iso_now())
    caption = row.get("captionOverride")
    if caption is None and container is not None:
        caption = container.get("caption")
    post = await platforms.create_post(ctx, row, account, media_kind(container), caption)
    row["platformPostId"] = post["id"]
    await sp.save(ctx, row)
    await _transition(ctx, row, "posting", "posted")
    # what the post.published subscribers would read again (metric_posts.register_post)
    ctx.scratch[("published", post["id"])] = [r for r in (loaded, container, post) if r is not None]
    await ctx.emit(
        "post.published",
        {"scheduledPostId": row["id"], "containerId": row.get("containerId"), "externalId": external_id,
         "externalUrl": external_url, "socialAccountId": row.get("socialAccountId"),
         "platform": row["platform"], "publishedAt": row["publishedAt"], "projectId": row["projectId"],
         "platformPostId": post["id"], "layerId": row.get("layerId")},
        project_id=row["projectId"],
    )
    from emulator.services import engagement

    await engagement.on_published(ctx, row)


@timer(sp.DUE_KIND)
async def _due(ctx: Ctx, payload: dict[str, Any], ref: str | None) -> None:
    row = await sp.SCHEDULED_POSTS.get(ctx.db, ctx.tenant_id, payload["id"])
    if row is None or row.get("layerId") or row["status"] != "ready":
        return
    await publish_row(ctx, row)


async def due_partner_posts(ctx: Ctx, until: datetime) -> list[dict[str, Any]]:
    """Publish every partner row that is `ready` and due at or before `until`."""
    rows = await sp.SCHEDULED_POSTS.find(
        ctx.db, ctx.tenant_id, "layer_id IS NULL AND status = 'ready' AND scheduled_at <= ?",
        [iso(until)], order="scheduled_at, id",
    )
    out = []
    for row in rows:
        await ctx.cancel_timers(sp.DUE_KIND, row["id"])
        out.append(await publish_row(ctx, row))
    return out


# --- project archive / account revoke: queued posts are canceled --------------------------

async def _on_archive(ctx: Ctx, project: dict[str, Any]) -> int:
    from emulator.services import scheduling

    await scheduling.drop_intents(ctx, project_id=project["id"], reason="project_archived")
    return await sp.cancel_queued(ctx, project_id=project["id"], reason="project_archived", partner_only=True)


async def _on_revoke(ctx: Ctx, account: dict[str, Any]) -> int:
    """Account revoked: every queued post on it is canceled (partner and layer rows)."""
    return await sp.cancel_queued(ctx, social_account_id=account["id"], reason="account_revoked")


if _on_archive not in projects.ARCHIVED:
    projects.ARCHIVED.append(_on_archive)


if _on_revoke not in social.REVOKED:
    social.REVOKED.append(_on_revoke)
