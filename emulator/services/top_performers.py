"""`GET /v1/projects/:id/top-performers`: one ranked list of creatives.

Rows: one per container (Layers-generated `content_container`, uploaded `manual`) summing its
synced posts, and one per synced post without a container (`platform_post`: UGC / organic).
Window `[now - N days, now)`: posts published in it, with their values as of the latest sync.
The eligibility gate keeps rows whose ads-content creative clears it (spec §6.4) unless
`includeIneligible`. Paid rows: promoted creatives' spend over the window.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from emulator.clock import db_time
from emulator.context import Ctx
from emulator.domain import performance as perf
from emulator.services import ads_content, ads_metrics, metric_posts

METRICS = ("views", "engagement_rate", "conversions", "roas", "watch_time_ms")
WINDOWS = {"7d": 7, "30d": 30, "90d": 90}
SOURCE_TYPES = ("content_container", "platform_post", "manual")
PLATFORMS = ("instagram", "tiktok", "youtube", "meta_ads", "tiktok_ads", "apple_ads")
PAID_AXES = ("conversions", "roas")


async def rank(
    ctx: Ctx, project_id: str, *, metric: str, window: str, source_types: list[str], platforms: list[str],
    limit: int, include_ineligible: bool,
) -> list[dict[str, Any]]:
    since = ctx.now - timedelta(days=WINDOWS[window])
    await ads_content.catch_up(ctx, project_id)
    rows = await ctx.db.execute_fetchall(
        "SELECT id FROM metric_posts WHERE tenant_id = ? AND project_id = ? AND first_synced_at IS NOT NULL"
        " AND first_synced_at <= ? AND published_at >= ? AND published_at < ? ORDER BY published_at, id",
        (ctx.tenant_id, project_id, db_time(ctx.now), db_time(since), db_time(ctx.now)),
    )
    posts = await metric_posts.posts_by_id(ctx, [r[0] for r in rows])
    latest = await metric_posts.latest_values(ctx, [p["id"] for p in posts], ctx.now)
    creatives = await ads_content.ADS.find(ctx.db, ctx.tenant_id, "project_id = ?", [project_id])
    by_container = {c["containerId"]: c for c in creatives if c.get("containerId")}
    by_post = {c["platformPostId"]: c for c in creatives if not c.get("containerId") and c.get("platformPostId")}

    groups: dict[str, dict[str, Any]] = {}
    for post in sorted(posts, key=lambda p: p["id"]):
        key = post.get("containerId") or post["id"]
        g = groups.setdefault(key, {"posts": [], "sourceType": post["sourceType"],
                                    "containerId": post.get("containerId")})
        g["posts"].append(post)
    paid_blocks = await ads_metrics.paid_blocks(ctx, [c["id"] for c in creatives], since, ctx.now)

    items = []
    for key, g in groups.items():
        creative = by_container.get(g["containerId"]) if g["containerId"] else by_post.get(key)
        if source_types and g["sourceType"] not in source_types:
            continue
        if not include_ineligible and not (creative and creative.get("eligible")):
            continue
        totals = dict.fromkeys(perf.COUNTERS, 0)
        best, best_views = g["posts"][0], -1
        for post in g["posts"]:
            values = latest.get(post["id"]) or dict.fromkeys(perf.COUNTERS, 0)
            for k in perf.COUNTERS:
                totals[k] += values[k]
            if values["views"] > best_views:
                best, best_views = post, values["views"]
        post_platforms = sorted({p["platform"] for p in g["posts"]})
        organic = {"views": totals["views"], "engagementRate": perf.engagement_rate(totals),
                   "watchTimeMs": totals["watch_time_ms"], "platforms": post_platforms}
        paid = paid_blocks.get(creative["id"]) if creative else None
        if platforms and not _platform_match(platforms, post_platforms, paid):
            continue
        if metric in PAID_AXES:
            if paid is None or paid.get(metric) is None:
                continue
            value = paid[metric]
        else:
            value = {"views": organic["views"], "engagement_rate": organic["engagementRate"],
                     "watch_time_ms": organic["watchTimeMs"]}[metric]
        items.append({
            "sourceType": g["sourceType"],
            "sourceId": g["containerId"],
            "platformPostId": best["id"],
            "adsContentId": creative["id"] if creative and paid is not None else None,
            "title": best.get("title") or (creative or {}).get("title"),
            "thumbnailUrl": best.get("thumbnailUrl") or (creative or {}).get("thumbnailUrl"),
            "metricValue": value,
            "organic": organic,
            "paid": paid,
            "_key": key,
        })
    items.sort(key=lambda r: (-r["metricValue"], -r["organic"]["views"], r["_key"]))
    out = []
    for i, item in enumerate(items[:limit], start=1):
        item.pop("_key")
        out.append({"rank": i, **item})
    return out


def _platform_match(wanted: list[str], organic: list[str], paid: dict[str, Any] | None) -> bool:
    if any(p in organic for p in wanted):
        return True
    return bool(paid and any(p in paid["platforms"] for p in wanted))
