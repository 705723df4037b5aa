"""Organic measurement: `/v1/projects/:id/metrics`, `/v1/projects/:id/top-performers`, and the
control route that injects UGC / organic posts (`POST /_emulator/platform-posts`)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import Field

from emulator import errors
from emulator.clock import parse_instant
from emulator.domain import metric_series as ms
from emulator.http import query as q
from emulator.http.api import Body, Call, Route
from emulator.services import metric_posts, metrics, projects, top_performers

# importing the services registers their timers and subscribers
from emulator.services import ads_content as _ads_content  # noqa: F401

MAX_WINDOW_BUCKETS = ms.MAX_BUCKETS


def many(call: Call, name: str) -> list[str]:
    """A repeatable query parameter (`?metrics=a&metrics=b`), commas accepted too; `name[]` too."""
    values = call.request.query_params.getlist(name) + call.request.query_params.getlist(f"{name}[]")
    out: list[str] = []
    for value in values:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


def window(call: Call, *, date_only_ok: bool = False) -> tuple[datetime, datetime]:
    now = call.ctx.now
    bounds: dict[str, datetime | None] = {}
    for name in ("since", "until"):
        raw = call.query.get(name)
        if date_only_ok and raw and len(raw.strip()) == 10:
            raw = raw.strip() + "T00:00:00Z"
        try:
            bounds[name] = q.instant({name: raw} if raw else {}, name)
        except errors.Validation:
            raise errors.Validation(
                f"{name} must be an ISO-8601 date-time such as 2026-04-10T00:00:00Z (date-only values are refused).",
                path=name,
            ) from None
    until = bounds["until"] or now
    since = bounds["since"] or (until - timedelta(days=30))
    if since >= until:
        raise errors.Validation("since must be earlier than until.", path="since")
    return since, until


def metric_names(call: Call, scope: str) -> tuple[str, ...]:
    names = many(call, "metrics")
    if not names:
        return metrics.DEFAULT_BUNDLES[scope]
    paid = [n for n in names if n in metrics.PAID_METRICS]
    if paid:
        raise errors.Validation(
            f"{paid[0]} is a paid metric: read it from GET /v1/projects/:projectId/ads-metrics.", path="metrics"
        )
    unknown = [n for n in names if n not in ms.ORGANIC_METRICS]
    if unknown:
        raise errors.Validation(
            f"Unknown metric '{unknown[0]}'; one of {', '.join(ms.ORGANIC_METRICS)}.", path="metrics"
        )
    return tuple(dict.fromkeys(names))


async def get_metrics(call: Call) -> dict[str, Any]:
    project_id = call.params["projectId"]
    await projects.get(call.ctx, project_id)
    scope = call.query.get("scope")
    if not scope:
        raise errors.Validation("scope is required.", path="scope")
    q.enum(call.query, "scope", metrics.SCOPES)
    entity_id = call.query.get("id")
    if not entity_id:
        raise errors.Validation("id is required.", path="id")
    names = metric_names(call, scope)
    granularity = q.enum(call.query, "granularity", ("hour", "day", "week"), "day")
    assert granularity is not None
    since, until = window(call)
    if ms.bucket_count(since, until, granularity) > MAX_WINDOW_BUCKETS:
        raise errors.Validation(
            f"The window holds more than {MAX_WINDOW_BUCKETS} {granularity} buckets; use a coarser granularity.",
            path="granularity",
        )
    query = metrics.Query(scope, entity_id, names, since, until, granularity)
    return await metrics.read(call.ctx, project_id, query)


async def get_top_performers(call: Call) -> dict[str, Any]:
    project_id = call.params["projectId"]
    await projects.get(call.ctx, project_id)
    metric = call.query.get("metric")
    if not metric:
        raise errors.Validation("metric is required.", path="metric")
    q.enum(call.query, "metric", top_performers.METRICS)
    win = q.enum(call.query, "window", top_performers.WINDOWS, "30d")
    source_types = many(call, "sourceType")
    bad = [s for s in source_types if s not in top_performers.SOURCE_TYPES]
    if bad:
        raise errors.Validation(
            f"sourceType must be among {', '.join(top_performers.SOURCE_TYPES)}.", path="sourceType")
    platforms = many(call, "platform")
    bad = [p for p in platforms if p not in top_performers.PLATFORMS]
    if bad:
        raise errors.Validation(f"platform must be among {', '.join(top_performers.PLATFORMS)}.", path="platform")
    limit = q.integer(call.query, "limit", 1, 100, 25)
    include = q.boolean(call.query, "includeIneligible", False)
    assert win is not None and limit is not None
    items = await top_performers.rank(
        call.ctx, project_id, metric=metric, window=win, source_types=source_types, platforms=platforms,
        limit=limit, include_ineligible=include,
    )
    return {"metric": metric, "window": win, "items": items}


class InjectPost(Body):
    projectId: str
    platform: Literal["tiktok", "instagram"]
    publishedAt: str | None = None
    socialAccountId: str | None = None
    id: str | None = None
    title: str | None = Field(default=None, max_length=500)
    ugc: bool = True
    views: int | None = Field(default=None, ge=0)
    likes: int | None = Field(default=None, ge=0)
    comments: int | None = Field(default=None, ge=0)
    shares: int | None = Field(default=None, ge=0)
    saves: int | None = Field(default=None, ge=0)
    watchTimeMs: int | None = Field(default=None, ge=0)


async def inject_post(call: Call) -> dict[str, Any]:
    body: InjectPost = call.body
    ctx = call.ctx
    await projects.get(ctx, body.projectId)
    try:
        published = parse_instant(body.publishedAt) if body.publishedAt else ctx.now
    except ValueError as exc:
        raise errors.Validation(str(exc), path="publishedAt") from None
    if published > ctx.now:
        raise errors.Validation("publishedAt cannot be in the future.", path="publishedAt")
    post_id = body.id or ctx.new_id("pp")
    record = await metric_posts.register_post(
        ctx, post_id=post_id, project_id=body.projectId, platform=body.platform, published_at=published,
        social_account_id=body.socialAccountId, source_type="platform_post", title=body.title, hook=body.title,
        ugc=body.ugc, fixed=_fixed(body),
    )
    assert record is not None
    return {k: v for k, v in record.items() if not k.startswith("_")}


def _fixed(body: InjectPost) -> dict[str, int] | None:
    if body.views is None:
        return None
    views = body.views
    return {
        "views": views, "reach": int(views * 0.9), "impressions": int(views * 1.2), "likes": body.likes or 0,
        "comments": body.comments or 0, "shares": body.shares or 0, "saves": body.saves or 0,
        "watch_time_ms": body.watchTimeMs or 0, "followers_gained": 0,
    }


TAGS = ("metrics",)
ROUTES = [
    Route("GET", "/v1/projects/{projectId}/metrics", get_metrics, scope="metrics:read",
          summary="Unified organic metrics (series and totals)",
          query=("scope", "id", "metrics", "since", "until", "granularity"), tags=TAGS),
    Route("GET", "/v1/projects/{projectId}/top-performers", get_top_performers, scope="metrics:read",
          summary="Ranked creatives (organic and paid)",
          query=("metric", "window", "sourceType", "platform", "limit", "includeIneligible"), tags=TAGS),
    Route("POST", "/_emulator/platform-posts", inject_post, klass=None, body=InjectPost, idempotent=False,
          summary="Inject a UGC / organic platform post (emulator control)", tags=("emulator",)),
]
