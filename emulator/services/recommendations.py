"""Recommendations: agent-ready suggestions refreshed by every organic scoring run.

Two kinds (docs): `value_propositions` (a hook whose posts beat the project's engagement is
under-used: generate more with it pinned) and `refresh_fatigued` (a promoted creative has run
two weeks or more and its click-through is fading: refresh the ad set's creatives). One row per
(kind, subject); later runs refresh confidence, rationale and evidence but never a status the
partner set.
"""
from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

from emulator import errors
from emulator.clock import db_time, parse_instant
from emulator.context import Ctx
from emulator.domain import performance as perf
from emulator.services import ads_content, ads_metrics, metric_posts
from emulator.store import codec
from emulator.store.docs import Docs

KINDS = ("value_propositions", "refresh_fatigued")
STATUSES = ("open", "acknowledged", "dismissed", "acted_on")
STAMPS = {"acknowledged": "acknowledgedAt", "dismissed": "dismissedAt", "acted_on": "actedOnAt"}
FATIGUE_DAYS = 14
MIN_HOOK_POSTS = 2

RECS = Docs(
    "recommendations",
    {
        "project_id": lambda r: r["projectId"],
        "kind": lambda r: r["kind"],
        "subject_key": lambda r: r["_subjectKey"],
        "status": lambda r: r["status"],
        "confidence": lambda r: r["confidence"],
        "created_at": lambda r: r["createdAt"],
    },
    "Recommendation",
)


def public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_") and k != "id"}


async def _upsert(ctx: Ctx, project_id: str, kind: str, key: str, fields: dict[str, Any]) -> None:
    rows = await RECS.find(ctx.db, ctx.tenant_id, "project_id = ? AND kind = ? AND subject_key = ?",
                           [project_id, kind, key])
    now = ctx.iso_now()
    if rows:
        row = rows[0]
        row.update(fields)  # confidence, rationale, evidence, suggestedAction: never status
        row["updatedAt"] = now
        await RECS.save(ctx.db, ctx.tenant_id, row)
        return
    rec_id = ctx.named_id("rec", project_id, kind, key)
    row = {"id": rec_id, "recommendationId": rec_id, "projectId": project_id, "kind": kind, "status": "open",
           **fields, "note": None, "acknowledgedAt": None, "dismissedAt": None, "actedOnAt": None,
           "createdAt": now, "updatedAt": now, "_subjectKey": key}
    await RECS.insert(ctx.db, ctx.tenant_id, row)


async def refresh(ctx: Ctx, project_id: str) -> None:
    await _value_propositions(ctx, project_id)
    await _refresh_fatigued(ctx, project_id)


async def _value_propositions(ctx: Ctx, project_id: str) -> None:
    since = ctx.now - timedelta(days=30)
    rows = await ctx.db.execute_fetchall(
        "SELECT data FROM metric_posts WHERE tenant_id = ? AND project_id = ? AND first_synced_at <= ?"
        " AND published_at >= ? ORDER BY published_at, id",
        (ctx.tenant_id, project_id, db_time(ctx.now), db_time(since)),
    )
    posts = [codec.loads(r[0]) for r in rows]
    latest = await metric_posts.latest_values(ctx, [p["id"] for p in posts], ctx.now)
    by_hook: dict[str, dict[str, Any]] = {}
    overall = dict.fromkeys(perf.COUNTERS, 0)
    for p in posts:
        values = latest.get(p["id"])
        if not values:
            continue
        for k in perf.COUNTERS:
            overall[k] += values[k]
        hook = perf.normalize_hook(p.get("hook"))
        if not hook:
            continue
        entry = by_hook.setdefault(hook, {"text": p.get("hook"), "posts": 0, "values": dict.fromkeys(perf.COUNTERS, 0)})
        entry["posts"] += 1
        for k in perf.COUNTERS:
            entry["values"][k] += values[k]
    base_er = perf.engagement_rate(overall)
    if not base_er:
        return
    for key in sorted(by_hook):
        entry = by_hook[key]
        er = perf.engagement_rate(entry["values"])
        if entry["posts"] < MIN_HOOK_POSTS or er <= base_er * 1.1:
            continue
        lift = er / base_er
        confidence = round(min(0.95, 0.35 + 0.1 * entry["posts"] + 0.3 * min(1.0, lift - 1.0)), 2)
        await _upsert(ctx, project_id, "value_propositions", key, {
            "subject": {"type": "hook", "hook": entry["text"]},
            "rationale": (f"Posts using this hook engage at {er:.1%} against {base_er:.1%} for the project over the"
                          f" last 30 days ({entry['posts']} posts); it is under-used in new generations."),
            "confidence": confidence,
            "evidence": {"posts": entry["posts"], "engagementRate": er, "projectEngagementRate": base_er,
                         "views": entry["values"]["views"]},
            "suggestedAction": {"endpoint": f"/v1/projects/{project_id}/content", "method": "POST",
                                "body": {"format": "video_remix", "brief": {"hook": entry["text"]}}},
        })


def _running_at(promo: dict[str, Any], at: datetime) -> bool:
    """Active at `at` by its own timestamps (a run replayed by the catch-up sees promotions as
    they were then, not as they are now)."""
    started = parse_instant(promo["startedAt"])
    paused = parse_instant(promo["pausedAt"]) if promo.get("pausedAt") else None
    return started <= at and (paused is None or paused > at)


async def _refresh_fatigued(ctx: Ctx, project_id: str) -> None:
    for promo in await ads_metrics.promotions(ctx, project_id):
        if not _running_at(promo, ctx.now):
            continue
        age = (ctx.now - parse_instant(promo["startedAt"])).total_seconds() / 86400
        if age < FATIGUE_DAYS:
            continue
        confidence = round(min(0.95, 0.4 + (age - FATIGUE_DAYS) / 28), 2)
        platform = promo["platform"].split("_")[0]
        await _upsert(ctx, project_id, "refresh_fatigued", promo["id"], {
            "subject": {"type": "ad", "adId": promo["id"], "adsContentId": promo["adsContentId"],
                        "adsetId": promo["adsetId"], "platform": promo["platform"]},
            "rationale": (f"This ad has run {int(age)} days; its click-through is fading with frequency."
                          " Refresh the ad set's creatives with fresh eligible content."),
            "confidence": confidence,
            "evidence": {"ageDays": round(age, 1), "frequency": round(min(6.0, 1.2 + 0.08 * age), 2)},
            "suggestedAction": {"endpoint": f"/v1/projects/{project_id}/ads/{platform}/content-refresh",
                                "method": "POST", "body": {"layerId": promo.get("layerId")}},
        })


ads_content.SCORED.append(refresh)


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return max(0, int(json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["o"]))
    except Exception:
        raise errors.Validation("cursor is malformed; pass back nextCursor verbatim", path="cursor") from None


async def list_page(ctx: Ctx, project_id: str, *, kinds: list[str], statuses: list[str], min_confidence: float,
                    sort: str, cursor: str | None, limit: int) -> dict[str, Any]:
    await ads_content.catch_up(ctx, project_id)
    rows = await RECS.find(ctx.db, ctx.tenant_id, "project_id = ?", [project_id])
    rows = [r for r in rows if (not kinds or r["kind"] in kinds) and r["status"] in statuses
            and r["confidence"] >= min_confidence]
    if sort == "created_desc":
        rows.sort(key=lambda r: (r["createdAt"], r["id"]), reverse=True)
    else:
        rows.sort(key=lambda r: (-r["confidence"], r["id"]))
    start = _offset(cursor)
    page = rows[start:start + limit]
    nxt = None
    if start + limit < len(rows):
        nxt = base64.urlsafe_b64encode(json.dumps({"o": start + limit}).encode()).decode().rstrip("=")
    return {"items": [public(r) for r in page], "nextCursor": nxt}


async def set_status(ctx: Ctx, project_id: str, rec_id: str, status: str, note: str | None) -> dict[str, Any]:
    await ads_content.catch_up(ctx, project_id)
    rows = await RECS.find(ctx.db, ctx.tenant_id, "id = ? AND project_id = ?", [rec_id, project_id])
    if not rows:
        raise errors.NotFound(f"Recommendation {rec_id} not found in project {project_id}.")
    row = rows[0]
    if row["status"] != status:
        row["status"] = status
        stamp = STAMPS.get(status)
        if stamp and not row.get(stamp):
            row[stamp] = ctx.iso_now()
        row["updatedAt"] = ctx.iso_now()
    if note is not None:
        row["note"] = note
    await RECS.save(ctx.db, ctx.tenant_id, row)
    return {"recommendationId": row["recommendationId"], "status": row["status"], "updatedAt": row["updatedAt"]}
