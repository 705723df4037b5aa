"""Clone-from-post: "target-first" — the path id is a new container UUID the partner mints and
the idempotency key of the operation. One `content_clone_from_post` job covers all variations.

The source is a post Layers tracks: publishing's `platform_posts` (Layers' own posts) or
measurement's `metric_posts` (synced / injected organic posts), by Layers id (`pp_…`) or by the
platform-native id."""
from __future__ import annotations

import json
import sqlite3
from typing import Any

from emulator import errors
from emulator.context import Ctx
from emulator.fakes import content as fake
from emulator.ids import uuid_from
from emulator.services import actors, generation, projects
from emulator.services import containers as cs
from emulator.store import codec

KIND = "content_clone_from_post"
DURATION = 240


async def _first_row(ctx: Ctx, sql: str, params: tuple[Any, ...]) -> dict[str, Any] | None:
    try:
        cur = await ctx.db.execute(sql, params)
    except sqlite3.OperationalError:  # the owning area's table is not there
        return None
    row = await cur.fetchone()
    return codec.loads(row[0]) if row else None


async def find_post(ctx: Ctx, post_id: str) -> dict[str, Any] | None:
    for table in ("platform_posts", "metric_posts"):
        found = await _first_row(
            ctx, f"SELECT data FROM {table} WHERE tenant_id = ? AND (id = ? OR json_extract(data, '$.externalId') = ?)",
            (ctx.tenant_id, post_id, post_id),
        )
        if found is not None:
            return found
    return None


def _format_of(post: dict[str, Any], source: dict[str, Any] | None) -> str:
    if source and source.get("format") in generation.SPECS:
        return str(source["format"])
    kind = str(post.get("mediaKind") or post.get("format") or "video").lower()
    return "slideshow-remix" if any(w in kind for w in ("slideshow", "image", "photo", "carousel")) else "video-remix"


def _ids(first: str, n: int) -> list[str]:
    return [first] + [f"cnt_{uuid_from('clone', first, i)}" for i in range(1, n)]


async def clone(ctx: Ctx, path_id: str, body: dict[str, Any], sent: dict[str, Any]) -> dict[str, Any]:
    first = path_id if path_id.startswith("cnt_") else f"cnt_{path_id}"
    canonical = json.dumps(sent, sort_keys=True)
    existing = await cs.find(ctx, first)
    if existing is not None:
        if existing.get("_cloneBody") is None:
            raise errors.Conflict(f"Content {first} already exists and was not made by clone-from-post.",
                                  details={"containerId": first})
        if existing["_cloneBody"] != canonical:
            raise errors.Conflict(f"Clone {first} was already requested with a different body.",
                                  details={"containerId": first})
        return dict(existing["_response"])
    for cid in _ids(first, body["variations"]):
        if await cs.id_taken(ctx, cid):
            raise errors.Conflict(f"Content id {cid} is not available.", details={"containerId": cid})
    project = await projects.get_active(ctx, body["projectId"])
    post = await find_post(ctx, body["sourcePlatformPostId"])
    if post is None or post.get("projectId") != project["id"]:
        raise errors.NotFound(f"Post {body['sourcePlatformPostId']} is not tracked for this project.",
                              details={"field": "sourcePlatformPostId"})
    source = await cs.find(ctx, post["containerId"]) if post.get("containerId") else None
    fmt = _format_of(post, source)
    mode, overrides = body["mode"], body.get("overrides") or {}
    influencer_id = (source or {}).get("influencerId") if mode == "fork" else None
    if influencer_id:
        inf = await actors._row(ctx, "influencers", influencer_id)
        actor = actors.Actor(inf if inf and inf.get("status") != "deleted" else None, None, None)
    else:
        actor = actors.Actor(None, None, None)
    if actor.influencer is None:
        actor = actors.Actor(await actors.default_influencer(ctx, project["id"]), None, None)
    source_hook = (source or {}).get("hook") or post.get("hook") or post.get("title")
    hook = source_hook if mode == "fork" and source_hook else fake.first_hook(ctx.seed, project, len(first))
    extra: dict[str, Any] = {"sourcePlatformPostId": post["id"], "cloneMode": mode,
                             "cloneOverrides": overrides or None, "projectLayerId": body.get("projectLayerId")}
    if "caption" in overrides:
        extra["_fixedCaption"] = overrides["caption"]
    elif mode == "fork" and (source or {}).get("caption"):
        extra["_fixedCaption"] = source["caption"]  # type: ignore[index]
    job = await generation.start(
        ctx, project, fmt, actor, count=body["variations"], hook=hook,
        source_id=(source or {}).get("sourceTiktokId"), extra=extra, first_id=first, total=DURATION,
        kind=KIND, ids=_ids(first, body["variations"]),
    )
    answer = generation.response(job)
    head = await cs.get(ctx, first)
    head["_cloneBody"], head["_response"] = canonical, answer
    await cs.save(ctx, head)
    return answer
