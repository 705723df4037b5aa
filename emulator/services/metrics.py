"""`GET /v1/projects/:id/metrics`: the unified organic metrics read.

Scope membership (spec measurement.md §3.4): `platform_post` one post of the URL project;
`social_account` that account's posts (the account must belong to the URL project); `project`
the project's own accounts (UGC creator accounts excluded; `id` must be the URL project);
`project_layer` posts published through that layer's rows; `organization` every project of the
caller (`id` must be the caller's org id). Anything else is 404.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from emulator import errors
from emulator.clock import db_time, from_db, iso
from emulator.context import Ctx
from emulator.domain import metric_series as ms
from emulator.domain import performance as perf
from emulator.services import metric_posts, projects
from emulator.store import codec

SCOPES = ("platform_post", "social_account", "project", "project_layer", "organization")
PAID_METRICS = ("spend", "conversions", "roas", "cpa", "cpc", "cpm", "ctr", "clicks", "revenue", "frequency",
                "installs")
DEFAULT_BUNDLES = {
    "platform_post": ("views", "likes", "comments", "shares", "saves", "reach", "impressions", "watch_time_ms",
                      "engagement_rate"),
    "social_account": ("views", "engagement_rate", "followers", "follower_delta", "posts_published"),
    "project": ("views", "engagement_rate", "watch_time_ms", "posts_published"),
    "project_layer": ("views", "engagement_rate", "watch_time_ms", "posts_published"),
    "organization": ("views", "engagement_rate", "watch_time_ms", "posts_published"),
}


@dataclass(frozen=True)
class Query:
    scope: str
    id: str
    metrics: tuple[str, ...]
    since: datetime
    until: datetime
    granularity: str


@dataclass
class Members:
    where: str
    params: list[Any]
    account_ids: list[str]


async def _project_accounts(ctx: Ctx, project_ids: list[str] | None) -> list[str]:
    from emulator.services.metric_posts import is_ugc_account

    sql = "SELECT id, data FROM social_accounts WHERE tenant_id = ?"
    params: list[Any] = [ctx.tenant_id]
    if project_ids is not None:
        sql += f" AND project_id IN ({','.join('?' for _ in project_ids) or 'NULL'})"
        params += project_ids
    rows = await ctx.db.execute_fetchall(sql + " ORDER BY id", params)
    return [r[0] for r in rows if not is_ugc_account(codec.loads(r[1]))]


async def layer_exists(ctx: Ctx, project_id: str, layer_id: str) -> bool:
    """A layer of the URL project (installed, or named by a scheduled or synced post)."""
    for sql in (
        "SELECT 1 FROM project_layers WHERE tenant_id = ? AND id = ? AND project_id = ?",
        "SELECT 1 FROM scheduled_posts WHERE tenant_id = ? AND layer_id = ? AND project_id = ? LIMIT 1",
        "SELECT 1 FROM metric_posts WHERE tenant_id = ? AND layer_id = ? AND project_id = ? LIMIT 1",
    ):
        cur = await ctx.db.execute(sql, (ctx.tenant_id, layer_id, project_id))
        if await cur.fetchone():
            return True
    return False


async def members(ctx: Ctx, project_id: str, scope: str, entity_id: str) -> Members:
    """SQL over `metric_posts` selecting the posts in scope; 404 for entities outside the URL project."""
    not_found = errors.NotFound(f"{scope} {entity_id} not found in project {project_id}.")
    if scope == "platform_post":
        cur = await ctx.db.execute(
            "SELECT social_account_id FROM metric_posts WHERE id = ? AND tenant_id = ? AND project_id = ?",
            (entity_id, ctx.tenant_id, project_id),
        )
        row = await cur.fetchone()
        if row is None:
            raise not_found
        return Members("id = ?", [entity_id], [row[0]] if row[0] else [])
    if scope == "social_account":
        cur = await ctx.db.execute(
            "SELECT 1 FROM social_accounts WHERE id = ? AND tenant_id = ? AND project_id = ?",
            (entity_id, ctx.tenant_id, project_id),
        )
        if await cur.fetchone() is None:
            raise not_found
        return Members("social_account_id = ?", [entity_id], [entity_id])
    if scope == "project":
        if entity_id != project_id:
            raise not_found
        accounts = await _project_accounts(ctx, [project_id])
        return Members("project_id = ? AND json_extract(data, '$.ugc') = 0", [project_id], accounts)
    if scope == "project_layer":
        if not await layer_exists(ctx, project_id, entity_id):
            raise not_found
        cur = await ctx.db.execute_fetchall(
            "SELECT DISTINCT social_account_id FROM metric_posts WHERE tenant_id = ? AND layer_id = ?"
            " AND social_account_id IS NOT NULL ORDER BY 1",
            (ctx.tenant_id, entity_id),
        )
        return Members("layer_id = ? AND project_id = ?", [entity_id, project_id], [r[0] for r in cur])
    if scope == "organization":
        if entity_id != ctx.tenant_id:
            raise not_found
        return Members("json_extract(data, '$.ugc') = 0", [], await _project_accounts(ctx, None))
    raise errors.Validation(f"scope must be one of {', '.join(SCOPES)}.", path="scope")


async def deltas(
    ctx: Ctx, where: str, params: list[Any], since: datetime, bounds: list[datetime]
) -> list[tuple[datetime, list[int]]]:
    """What every post matching `where` (over metric_posts) gained by each bound, as syncs
    made it visible: one `(since, counters at since)` row per post, then one row per bound
    with the growth since the previous bound. Bucketing these equals bucketing every sync
    tick's own delta (the sums telescope), at one model evaluation per post and bucket."""
    rows = await ctx.db.execute_fetchall(
        f"SELECT data FROM metric_posts WHERE tenant_id = ? AND ({where})", (ctx.tenant_id, *params))
    zero = [0] * len(perf.COUNTERS)
    out: list[tuple[datetime, list[int]]] = []
    for (data,) in rows:
        post = codec.loads(data)

        def counters(at: datetime, post: dict[str, Any] = post) -> list[int]:
            values = metric_posts.values_visible(ctx, post, at)
            return zero if values is None else [values[k] for k in perf.COUNTERS]

        before = counters(since)
        out.append((since, before))
        for bound in bounds:
            now = counters(bound)
            if now != before:
                out.append((bound, [a - b for a, b in zip(now, before, strict=True)]))
            before = now
    out.sort(key=lambda row: row[0])
    return out


async def read(ctx: Ctx, project_id: str, query: Query) -> dict[str, Any]:
    await projects.get(ctx, project_id)
    scope = await members(ctx, project_id, query.scope, query.id)
    horizon = min(query.until, ctx.now)
    bounds = [b.hi for b in ms.buckets(query.since, query.until, ctx.now, query.granularity) if b.hi > b.lo]
    rows = await deltas(ctx, scope.where, scope.params, min(query.since, horizon), bounds)
    published_rows = await ctx.db.execute_fetchall(
        f"SELECT published_at FROM metric_posts WHERE tenant_id = ? AND ({scope.where})"
        " AND first_synced_at IS NOT NULL AND first_synced_at <= ?",
        (ctx.tenant_id, *scope.params, db_time(ctx.now)),
    )
    published = [from_db(r[0]) for r in published_rows]
    base = 0
    if "followers" in query.metrics:
        base = sum(perf.account_base_followers(ctx.seed, a) for a in scope.account_ids)
    series, totals = ms.aggregate(
        rows, [p for p in published if p is not None], since=query.since, until=query.until, now=ctx.now,
        granularity=query.granularity, metrics=query.metrics, base_followers=base,
    )
    return {
        "scope": query.scope,
        "id": query.id,
        "window": {"since": iso(query.since), "until": iso(query.until), "granularity": query.granularity},
        "series": series,
        "totals": totals,
    }
