"""Ads content: scored creatives (one per generated / uploaded container and per synced UGC
post), the organic scoring run (`update-organic-performance`, every 6 h at 00/06/12/18 UTC,
which also applies decay), the eligibility gate and the partner override.

Scoring runs on demand. Everything a run reads is either a pure function of time (synced
metrics, ad spend accrual) or changes only through this module and ads_metrics, so instead of a
timer rescoring every creative of the tenant four times a day, `catch_up(ctx, project_id)`
replays what the runs would have done since the project was last brought up to date: each
first sync (which creates a UGC post's creative) and each 6-hour tick (which adopts newly
completed containers, rescores, and refreshes recommendations) in time order, each at its own
instant. Every reader of creatives or recommendations and every change to their inputs
(override, safety, promotions) calls it first, so what anyone observes is exactly what the
eager runs would have produced, and a week nobody reads costs nothing.

Interface for other areas (optimizer / content refresh):
    await eligible_rows(ctx, project_id) -> [row]    rows that clear the gate, best first
    await get_row(ctx, project_id, id) -> row        404 outside the project
    await catch_up(ctx, project_id)                  before reading ADS rows directly
"""
from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from emulator import errors
from emulator.clock import db_time, from_db, iso, parse_instant
from emulator.context import Ctx
from emulator.domain import scoring
from emulator.services import metric_posts
from emulator.store import codec
from emulator.store.docs import Docs

SCORE_EVERY = timedelta(hours=6)

ADS = Docs(
    "ads_content",
    {
        "project_id": lambda r: r["projectId"],
        "source_type": lambda r: r["sourceType"],
        "scoring_pool": lambda r: r["scoringPool"],
        "container_id": lambda r: r.get("containerId"),
        "platform_post_id": lambda r: r.get("platformPostId"),
        "organic_score": lambda r: r.get("organicScore"),
        "scored_at": lambda r: r.get("scoredAt"),
        "override": lambda r: r.get("override"),
        "eligible": lambda r: 1 if r.get("eligible") else 0,
        "created_at": lambda r: r["createdAt"],
    },
    "Ads content",
)

# (ctx, project_id) hooks run after each scoring pass of a project (recommendations refresh).
SCORED: list[Any] = []


def next_score_tick(after: datetime) -> datetime:
    base = after.replace(minute=0, second=0, microsecond=0)
    tick = base.replace(hour=(base.hour // 6) * 6)
    while tick <= after:
        tick += SCORE_EVERY
    return tick


def public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


async def _find_one(ctx: Ctx, where: str, params: list[Any]) -> dict[str, Any] | None:
    rows = await ADS.find(ctx.db, ctx.tenant_id, where, params, limit=1)
    return rows[0] if rows else None


async def ensure_row(
    ctx: Ctx, *, project_id: str, source_type: str, container_id: str | None, post_id: str | None,
    title: str | None, thumbnail: str | None, basis: str | None,
) -> dict[str, Any]:
    if container_id:
        existing = await _find_one(ctx, "container_id = ? AND project_id = ?", [container_id, project_id])
    else:
        existing = await _find_one(ctx, "platform_post_id = ? AND container_id IS NULL", [post_id])
    if existing is not None:
        if post_id and not existing.get("platformPostId"):
            existing["platformPostId"] = post_id
            await ADS.save(ctx.db, ctx.tenant_id, existing)
        return existing
    pool = {"content_container": "generated", "manual": "manual"}.get(source_type, "ugc")
    now = ctx.iso_now()
    eligible, reason = scoring.eligibility(None, None, False, pool)
    row = {
        "adsContentId": ctx.named_id("adc", project_id, container_id or "", post_id or ""),
        "projectId": project_id,
        "sourceType": source_type,
        "scoringPool": pool,
        "containerId": container_id,
        "platformPostId": post_id,
        "organicScore": None,
        "scoredAt": None,
        "scoringVersion": None,
        "eligible": eligible,
        "ineligibleReason": reason,
        "override": None,
        "overrideNote": None,
        "safetyFailed": False,
        "activePromotions": [],
        "title": title,
        "thumbnailUrl": thumbnail,
        "createdAt": now,
        "updatedAt": now,
        "_basis": basis or now,  # age origin: container completedAt, else the post's publishedAt
    }
    row["id"] = row["adsContentId"]
    await ADS.insert(ctx.db, ctx.tenant_id, row)
    return row


async def _on_first_sync(ctx: Ctx, post: dict[str, Any], tick: datetime) -> None:
    basis = post["publishedAt"]
    if post.get("containerId"):
        cur = await ctx.db.execute(
            "SELECT completed_at FROM containers WHERE id = ? AND tenant_id = ?", (post["containerId"], ctx.tenant_id))
        row = await cur.fetchone()
        basis = (row[0] if row and row[0] else None) or basis
    await ensure_row(
        ctx, project_id=post["projectId"], source_type=post["sourceType"], container_id=post.get("containerId"),
        post_id=post["id"], title=post.get("title"), thumbnail=post.get("thumbnailUrl"), basis=basis,
    )



async def _adopt_containers(ctx: Ctx, project_id: str) -> None:
    """Containers completed before now without a creative row get one (every generated
    container has a row)."""
    rows = await ctx.db.execute_fetchall(
        "SELECT c.id, c.completed_at, c.data FROM containers c WHERE c.tenant_id = ? AND c.project_id = ?"
        " AND c.status = 'completed' AND c.completed_at < ? AND NOT EXISTS (SELECT 1 FROM ads_content a"
        " WHERE a.tenant_id = c.tenant_id AND a.container_id = c.id) ORDER BY c.created_at, c.id",
        (ctx.tenant_id, project_id, db_time(ctx.now)),
    )
    for cid, completed_at, data in rows:
        container = codec.loads(data)
        uploaded = str(container.get("creativeType", "")).lower() == "uploaded"
        await ensure_row(
            ctx, project_id=project_id, source_type="manual" if uploaded else "content_container",
            container_id=cid, post_id=None, title=metric_posts._hook_of(container),
            thumbnail=metric_posts._thumbnail_of(container), basis=completed_at or container.get("createdAt"),
        )


def _apply_gate(row: dict[str, Any]) -> None:
    row["eligible"], row["ineligibleReason"] = scoring.eligibility(
        row.get("organicScore"), row.get("override"), bool(row.get("safetyFailed")), row["scoringPool"])


async def score_project(ctx: Ctx, project_id: str, rows: list[dict[str, Any]]) -> None:
    from emulator.services import ads_metrics

    now = ctx.now
    ugc_rows = [r for r in rows if r["scoringPool"] == "ugc" and r.get("platformPostId")]
    latest = await metric_posts.latest_values(ctx, [r["platformPostId"] for r in ugc_rows], now)
    posts = {p["id"]: p for p in await metric_posts.posts_by_id(ctx, [r["platformPostId"] for r in ugc_rows])}
    pool = []
    for r in ugc_rows:
        v = latest.get(r["platformPostId"])
        post = posts.get(r["platformPostId"])
        if v is None or post is None:
            continue
        age = (now - parse_instant(post["publishedAt"])).total_seconds() / 86400
        pool.append(scoring.UgcPost(r["id"], post.get("socialAccountId") or r["id"], v["views"], v["likes"],
                                    v["comments"], v["shares"], v["saves"], age))
    ugc = scoring.ugc_scores(pool)
    for row in rows:
        if row.get("safetyFailed"):
            score: float | None = 0.0
        elif row["scoringPool"] == "ugc":
            score = ugc.get(row["id"])
        else:
            basis = parse_instant(row.get("_basis") or row["createdAt"])
            age = max(0.0, (now - basis).total_seconds() / 86400)
            spend = await ads_metrics.spend_for_content(ctx, row["id"], now - timedelta(days=30), now)
            score = scoring.generated_score(age, spend)
        before = (row.get("organicScore"), row.get("eligible"))
        row["organicScore"] = score
        if score is not None:
            row["scoredAt"] = iso(now)
            row["scoringVersion"] = scoring.SCORING_VERSION
        _apply_gate(row)
        if (row["organicScore"], row["eligible"]) != before or score is not None:
            row["updatedAt"] = iso(now)
        await ADS.save(ctx.db, ctx.tenant_id, row)
    for hook in SCORED:
        await hook(ctx, project_id)


# ------------------------------------------------------------------ the scoring run, on demand


async def catch_up(ctx: Ctx, project_id: str) -> None:
    """Apply every first sync and scoring tick of the project due since its last catch-up, up
    to `ctx.now`, in time order and each at its own instant (see the module docstring)."""
    until = ctx.now
    cur = await ctx.db.execute(
        "SELECT through FROM ads_scoring WHERE tenant_id = ? AND project_id = ?", (ctx.tenant_id, project_id))
    found = await cur.fetchone()
    through = from_db(found[0]) if found else None
    if through is not None and through >= until:
        return
    # from `through` itself: a post registered at that instant after the last catch-up
    # (replaying a first sync is harmless: ensure_row is idempotent)
    lower = db_time(through) if through is not None else ""
    syncs = await ctx.db.execute_fetchall(
        "SELECT first_synced_at, data FROM metric_posts WHERE tenant_id = ? AND project_id = ?"
        " AND first_synced_at >= ? AND first_synced_at <= ? ORDER BY first_synced_at, id",
        (ctx.tenant_id, project_id, lower, db_time(until)),
    )
    pending = [(from_db(at), codec.loads(data)) for at, data in syncs]
    tick = next_score_tick(through) if through is not None else None
    while True:
        if tick is None or not await _has_rows(ctx, project_id):
            # idle until the project's first creative (or the next thing that makes one): the
            # first run after it comes strictly after it
            start = await _first_event(ctx, project_id, pending, until)
            if start is None:
                break
            tick = max(tick, next_score_tick(start)) if tick else next_score_tick(start)
        if tick > until:
            break
        while pending and pending[0][0] < tick:  # at one instant the run goes first
            at, post = pending.pop(0)
            await _on_first_sync(replace(ctx, now=at), post, at)
        at_tick = replace(ctx, now=tick)
        await _adopt_containers(at_tick, project_id)
        rows = await ADS.find(ctx.db, ctx.tenant_id, "project_id = ?", [project_id], order="created_at, id")
        if rows:
            await score_project(at_tick, project_id, rows)
        tick += SCORE_EVERY
    for at, post in pending:  # first syncs after the last tick up to now
        await _on_first_sync(replace(ctx, now=at), post, at)
    await ctx.db.execute(
        "INSERT INTO ads_scoring(tenant_id, project_id, through) VALUES (?,?,?)"
        " ON CONFLICT(tenant_id, project_id) DO UPDATE SET through = excluded.through",
        (ctx.tenant_id, project_id, db_time(until)),
    )


async def _has_rows(ctx: Ctx, project_id: str) -> bool:
    cur = await ctx.db.execute(
        "SELECT 1 FROM ads_content WHERE tenant_id = ? AND project_id = ? LIMIT 1", (ctx.tenant_id, project_id))
    return await cur.fetchone() is not None


async def _first_event(
    ctx: Ctx, project_id: str, pending: list[tuple[Any, dict[str, Any]]], until: datetime
) -> datetime | None:
    """The earliest of: the project's oldest creative, its first completed container not yet
    adopted, its next first sync."""
    cur = await ctx.db.execute(
        "SELECT (SELECT MIN(created_at) FROM ads_content WHERE tenant_id = ? AND project_id = ?),"
        " (SELECT MIN(c.completed_at) FROM containers c WHERE c.tenant_id = ? AND c.project_id = ?"
        "  AND c.status = 'completed' AND c.completed_at <= ? AND NOT EXISTS (SELECT 1 FROM ads_content a"
        "  WHERE a.tenant_id = c.tenant_id AND a.container_id = c.id))",
        (ctx.tenant_id, project_id, ctx.tenant_id, project_id, db_time(until)),
    )
    row = await cur.fetchone()
    candidates = [from_db(v) for v in row if v] + ([pending[0][0]] if pending else [])
    return min(candidates) if candidates else None


async def get_row(ctx: Ctx, project_id: str, id_: str) -> dict[str, Any]:
    key = id_ if id_.startswith("adc_") else f"adc_{id_}"
    await catch_up(ctx, project_id)
    row = await _find_one(ctx, "(id = ? OR id = ?) AND project_id = ?", [key, id_, project_id])
    if row is None:
        raise errors.NotFound(f"Ads content {id_} not found in project {project_id}.")
    return row


async def patch(ctx: Ctx, project_id: str, id_: str, override: str | None, note: str | None,
                note_sent: bool) -> dict[str, Any]:
    row = await get_row(ctx, project_id, id_)
    previous = row.get("override")
    row["override"] = override
    if note_sent:
        row["overrideNote"] = note
    _apply_gate(row)
    row["updatedAt"] = ctx.iso_now()
    await ADS.save(ctx.db, ctx.tenant_id, row)
    event_id = ctx.new_id("evt")[4:]
    await ctx.db.execute(
        "INSERT INTO audit_log(id, tenant_id, event_type, project_id, occurred_at, data) VALUES (?,?,?,?,?,?)",
        (event_id, ctx.tenant_id, "ads_content.override_changed", project_id, db_time(ctx.now),
         json.dumps({
             "event_id": event_id, "request_id": ctx.request_id, "event_type": "ads_content.override_changed",
             "actor": ctx.api_key_id or "system", "api_key_id": ctx.api_key_id, "org_id": ctx.tenant_id,
             "project_id": project_id, "pii_redacted": False, "occurred_at": ctx.iso_now(),
             "data": {"adsContentId": row["id"], "override": override, "previousOverride": previous,
                      "note": row.get("overrideNote")},
         })),
    )
    return public(row)


async def set_safety(ctx: Ctx, id_: str, failed: bool) -> dict[str, Any]:
    """Control route: mark a creative's safety check failed (score 0, out of ad selection; not
    overridable) or passed again."""
    key = id_ if id_.startswith("adc_") else f"adc_{id_}"
    row = await ADS.require(ctx.db, ctx.tenant_id, key)
    await catch_up(ctx, row["projectId"])
    row = await ADS.require(ctx.db, ctx.tenant_id, key)
    row["safetyFailed"] = failed
    if failed:
        row["organicScore"] = 0.0
    _apply_gate(row)
    row["updatedAt"] = ctx.iso_now()
    await ADS.save(ctx.db, ctx.tenant_id, row)
    return public(row)


SORTS = {
    "score_desc": lambda r: (r.get("organicScore") is None, -(r.get("organicScore") or 0), r["id"]),
    "score_asc": lambda r: (r.get("organicScore") is None, r.get("organicScore") or 0, r["id"]),
    "scored_at_desc": lambda r: (r.get("scoredAt") is None, _neg_time(r.get("scoredAt")), r["id"]),
}


def _neg_time(text: str | None) -> float:
    dt = from_db(text) if text else None
    return -dt.timestamp() if dt else 0.0


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
        return max(0, int(value["o"]))
    except Exception:  # forged cursors are ignored: first page (spec §5.1)
        return 0


async def list_rows(
    ctx: Ctx, project_id: str, *, pools: list[str], min_score: float, override: str | None,
    eligible: bool | None, sort: str, cursor: str | None, limit: int,
) -> dict[str, Any]:
    from emulator.services import ads_metrics

    await catch_up(ctx, project_id)
    rows = await ADS.find(ctx.db, ctx.tenant_id, "project_id = ?", [project_id])
    out = []
    for r in rows:
        if pools and r["scoringPool"] not in pools:
            continue
        if min_score > 0 and (r.get("organicScore") is None or r["organicScore"] < min_score):
            continue
        if override == "none" and r.get("override") is not None:
            continue
        if override in ("include", "exclude") and r.get("override") != override:
            continue
        if eligible is not None and bool(r.get("eligible")) != eligible:
            continue
        out.append(r)
    out.sort(key=SORTS[sort])
    start = _offset(cursor)
    page = out[start:start + limit]
    promos = await ads_metrics.active_promotions(ctx, [r["id"] for r in page])
    items = []
    for r in page:
        item = public(r)
        item["activePromotions"] = promos.get(r["id"], [])
        items.append(item)
    nxt = None
    if start + limit < len(out):
        nxt = base64.urlsafe_b64encode(json.dumps({"o": start + limit}).encode()).decode().rstrip("=")
    return {"items": items, "nextCursor": nxt}


async def eligible_rows(ctx: Ctx, project_id: str) -> list[dict[str, Any]]:
    await catch_up(ctx, project_id)
    rows = await ADS.find(ctx.db, ctx.tenant_id, "project_id = ? AND eligible = 1", [project_id])
    rows.sort(key=SORTS["score_desc"])
    return rows
