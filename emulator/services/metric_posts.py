"""Synced platform posts and the numbers each sync makes visible.

`post.published` (emitted by publishing) registers the post here with the inputs of the
synthetic model (account temperature at publish, format, hook). A post is synced on the posts
ticks (every 30 min for 72 h, then 6-hourly to day 30, then daily to day 90:
`domain.performance`); what a read sees at instant `t` is the model's value at the post's latest
tick at or before `t`. Both are pure functions of the post, so nothing is stored per sync and
no timer runs: the numbers are computed when read (`values_visible`, `latest_values`), which
keeps a week of a hundred automatic projects from writing a quarter of a million snapshot rows.
`first_synced_at` is the first tick, known at registration (ads content creates a UGC post's
creative at that instant when it catches up).
"""
from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from emulator.clock import db_time, iso, parse_instant
from emulator.context import Ctx, subscribe
from emulator.domain import performance as perf
from emulator.store import codec

UGC_SOURCES = ("ugc", "creator", "external", "sift")


def _first(*values: Any) -> Any:
    for v in values:
        if v not in (None, ""):
            return v
    return None


async def _row(ctx: Ctx, table: str, id_: str | None) -> dict[str, Any] | None:
    if not id_:
        return None
    cur = await ctx.db.execute(f"SELECT data FROM {table} WHERE id = ? AND tenant_id = ?", (id_, ctx.tenant_id))
    row = await cur.fetchone()
    return codec.loads(row[0]) if row else None


def temperature_of(account: dict[str, Any] | None) -> str:
    if not account:
        return "cold"
    health = account.get("health") if isinstance(account.get("health"), dict) else {}
    meta = account.get("metadata") if isinstance(account.get("metadata"), dict) else {}
    value = _first(
        account.get("temperaturePin"), account.get("_temperature"), account.get("temperature"),
        health.get("temperature"), meta.get("temperature"),
    )
    return value if value in ("cold", "warm", "hot") else "cold"


async def _temperature(ctx: Ctx, account: dict[str, Any] | None) -> str:
    """The account's temperature at publish: distribution's health snapshot when available."""
    if not account:
        return "cold"
    from emulator.services import temperature

    snap = await temperature.snapshot(ctx, account)
    value = snap.get("temperature")
    return value if value in ("cold", "warm", "hot") else temperature_of(account)


def is_ugc_account(account: dict[str, Any] | None) -> bool:
    if not account:
        return False
    kind = str(_first(account.get("accountType"), account.get("kind"), account.get("source"), "")).lower()
    return kind in UGC_SOURCES


def _hook_of(container: dict[str, Any] | None) -> str | None:
    if not container:
        return None
    brief = container.get("brief") if isinstance(container.get("brief"), dict) else {}
    return _first(container.get("hook"), brief.get("hook"), container.get("title"), container.get("caption"))


def _thumbnail_of(container: dict[str, Any] | None) -> str | None:
    if not container:
        return None
    candidates: list[Any] = [container.get("preview"), container.get("primaryAsset")]
    for key in ("assets", "media"):
        items = container.get(key)
        if isinstance(items, list) and items:
            candidates.append(items[0])
    found = [container.get("thumbnailUrl"), container.get("coverUrl")]
    for c in candidates:
        if isinstance(c, dict):
            found += [c.get("thumbnailUrl"), c.get("coverUrl")]
    return _first(*found)


async def register_post(
    ctx: Ctx,
    *,
    post_id: str,
    project_id: str,
    platform: str,
    published_at: datetime,
    social_account_id: str | None = None,
    container_id: str | None = None,
    layer_id: str | None = None,
    scheduled_post_id: str | None = None,
    external_url: str | None = None,
    source_type: str | None = None,
    temperature: str | None = None,
    fmt: str | None = None,
    hook: str | None = None,
    title: str | None = None,
    ugc: bool | None = None,
    fixed: dict[str, int] | None = None,
) -> dict[str, Any] | None:
    """Idempotent on `post_id`: a post already known is left as it is."""
    cur = await ctx.db.execute("SELECT data FROM metric_posts WHERE id = ? AND tenant_id = ?", (post_id, ctx.tenant_id))
    existing = await cur.fetchone()
    if existing:
        return codec.loads(existing[0])
    # the records publishing just loaded or wrote for this post, when it handed them over
    known = {r["id"]: r for r in ctx.scratch.pop(("published", post_id), ())}
    account = known.get(social_account_id or "") or await _row(ctx, "social_accounts", social_account_id)
    container = known.get(container_id or "") or await _row(ctx, "containers", container_id)
    try:  # publishing's platform post row (media kind, caption) when it exists
        platform_post = known.get(post_id) or await _row(ctx, "platform_posts", post_id) or {}
    except sqlite3.OperationalError:  # table not there (yet): the container alone decides
        platform_post = {}
    if source_type is None:
        if container is not None:
            uploaded = str(container.get("creativeType", "")).lower() == "uploaded"
            source_type = "manual" if uploaded else "content_container"
        else:
            source_type = "platform_post"
    media_format = fmt or perf.format_of(_first(
        platform_post.get("mediaKind"), ((container or {}).get("preview") or {}).get("kind"),
        (container or {}).get("format"), (container or {}).get("mediaType"),
        (container or {}).get("kind")))
    hook = hook if hook is not None else _first(_hook_of(container), platform_post.get("caption"))
    record = {
        "id": post_id,
        "projectId": project_id,
        "socialAccountId": social_account_id,
        "containerId": container_id,
        "layerId": layer_id,
        "scheduledPostId": scheduled_post_id,
        "platform": platform if platform in ("tiktok", "instagram") else "tiktok",
        "sourceType": source_type,
        "publishedAt": iso(published_at),
        "externalUrl": external_url,
        "temperature": temperature or await _temperature(ctx, account),
        "format": media_format,
        "hook": hook,
        "title": title or hook,
        "thumbnailUrl": _thumbnail_of(container),
        "ugc": ugc if ugc is not None else is_ugc_account(account),
    }
    if fixed is not None:
        record["fixed"] = fixed
    first_tick = perf.first_sync(published_at)
    await ctx.db.execute(
        "INSERT INTO metric_posts(id, tenant_id, project_id, social_account_id, container_id, layer_id, platform,"
        " source_type, published_at, first_synced_at, next_sync_at, data) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (post_id, ctx.tenant_id, project_id, social_account_id, container_id, layer_id, record["platform"],
         source_type, db_time(published_at), db_time(first_tick), None, codec.dumps(record)),
    )
    return record


def inputs_of(ctx: Ctx, post: dict[str, Any]) -> perf.PostInputs:
    return perf.PostInputs(
        seed=ctx.seed, post_id=post["id"], account_id=post.get("socialAccountId") or "",
        platform=post["platform"], temperature=post.get("temperature") or "cold",
        format=post.get("format") or "video", hook=post.get("hook"),
    )


def values_at(ctx: Ctx, post: dict[str, Any], at: datetime) -> dict[str, int]:
    """The model's cumulative counters of `post` at instant `at` (not visibility-adjusted)."""
    published = parse_instant(post["publishedAt"])
    if "fixed" in post:  # injected UGC posts carry explicit lifetime numbers
        return _fixed_values(post, perf.hours_between(published, at))
    return perf.cumulative(perf.profile(inputs_of(ctx, post)), perf.hours_between(published, at))


def _fixed_values(post: dict[str, Any], hours: float) -> dict[str, int]:
    import math

    fixed = post["fixed"]
    frac = 0.0 if hours <= 0 else 1.0 - math.exp(-hours / perf.TAU_HOURS.get(post["platform"], 20.0))
    return {k: math.floor(int(fixed.get(k, 0)) * frac) for k in perf.COUNTERS}


def values_visible(ctx: Ctx, post: dict[str, Any], at: datetime) -> dict[str, int] | None:
    """The counters a read at `at` sees: the model at the post's latest sync tick (None before
    its first sync)."""
    tick = perf.last_sync(parse_instant(post["publishedAt"]), at)
    return None if tick is None else values_at(ctx, post, tick)


def _published_fields(data: dict[str, Any]) -> dict[str, Any]:
    sp = data.get("scheduledPost") if isinstance(data.get("scheduledPost"), dict) else {}
    return {
        "post_id": _first(data.get("platformPostId"), sp.get("platformPostId"), data.get("postId")),
        "project_id": _first(data.get("projectId"), sp.get("projectId")),
        "platform": _first(data.get("platform"), sp.get("platform")),
        "published_at": _first(data.get("publishedAt"), sp.get("publishedAt")),
        "social_account_id": _first(data.get("socialAccountId"), sp.get("socialAccountId")),
        "container_id": _first(data.get("containerId"), sp.get("containerId")),
        "layer_id": _first(data.get("layerId"), data.get("projectLayerId"), sp.get("layerId"), sp.get("projectLayerId")),
        "scheduled_post_id": _first(data.get("scheduledPostId"), sp.get("id"), sp.get("scheduledPostId")),
        "external_url": _first(data.get("externalUrl"), sp.get("externalUrl")),
    }


@subscribe
async def on_post_published(ctx: Ctx, event: dict[str, Any]) -> None:
    if event.get("type") != "post.published":
        return
    fields = _published_fields(event.get("data") or {})
    if not fields["project_id"]:
        fields["project_id"] = event.get("projectId")
    if not fields["project_id"]:
        return
    try:
        published_at = parse_instant(fields["published_at"]) if fields["published_at"] else ctx.now
    except ValueError:
        published_at = ctx.now
    if not fields["post_id"]:
        fields["post_id"] = ctx.new_id("pp")
    if fields["layer_id"] is None and fields["scheduled_post_id"]:
        cur = await ctx.db.execute(
            "SELECT layer_id FROM scheduled_posts WHERE id = ? AND tenant_id = ?",
            (fields["scheduled_post_id"], ctx.tenant_id),
        )
        row = await cur.fetchone()
        fields["layer_id"] = row[0] if row else None
    await register_post(
        ctx, post_id=fields["post_id"], project_id=fields["project_id"], platform=fields["platform"] or "tiktok",
        published_at=published_at, social_account_id=fields["social_account_id"],
        container_id=fields["container_id"], layer_id=fields["layer_id"],
        scheduled_post_id=fields["scheduled_post_id"], external_url=fields["external_url"],
    )


async def posts_by_id(ctx: Ctx, ids: list[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    rows = await ctx.db.execute_fetchall(
        f"SELECT data FROM metric_posts WHERE tenant_id = ? AND id IN ({','.join('?' for _ in ids)})",
        (ctx.tenant_id, *ids),
    )
    return [codec.loads(r[0]) for r in rows]


async def latest_values(ctx: Ctx, ids: list[str], at: datetime) -> dict[str, dict[str, int]]:
    """Visible cumulative counters of each post at `at` (as of its latest sync at or before)."""
    out = {}
    for post in await posts_by_id(ctx, ids):
        values = values_visible(ctx, post, at)
        if values is not None:
            out[post["id"]] = values
    return out
