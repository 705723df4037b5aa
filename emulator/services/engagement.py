"""Social Engagement config (`GET`/`PATCH /v1/projects/:id/engagement`) and its runtime: a first
comment on every post published to an enabled platform, `publishedAt + 5 s` (timeline event
`engagement.first_comment`). Auto-replies are configuration only (not modelled at runtime).

Every project has one engagement layer; the emulator creates it lazily on the first GET/PATCH
(id `pl_…`), stored in `engagement_configs`.
"""
from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from emulator import errors
from emulator.clock import parse_instant
from emulator.context import Ctx
from emulator.engine import timer
from emulator.services import projects
from emulator.store.docs import Docs

CONFIGS = Docs(
    "engagement_configs",
    {"project_id": lambda r: r["projectId"], "created_at": lambda r: r["createdAt"]},
    "Engagement config",
)
FIRST_COMMENT_DELAY = timedelta(seconds=5)
FIRST_COMMENT_KIND = "engagement.first_comment"


def defaults(project: dict[str, Any]) -> dict[str, Any]:
    return {
        "enabled": False,
        "firstComment": {"targets": [], "commentTemplate": "", "strategy": "generated"},
        "replyToComments": {
            "targets": [],
            "autoReplyDelay": "PT3M",
            "tone": project.get("brandVoice") or "authentic",
            "maxPerPostPerHour": 10,
            "ignoreCommentsMatching": [],
            "escalateNegativeSentiment": False,
        },
    }


def public(config: dict[str, Any]) -> dict[str, Any]:
    return {
        "projectId": config["projectId"],
        "projectLayerId": config["id"],
        "enabled": config["enabled"],
        "firstComment": copy.deepcopy(config["firstComment"]),
        "replyToComments": copy.deepcopy(config["replyToComments"]),
        "updatedAt": config.get("updatedAt"),
    }


async def _find(ctx: Ctx, project_id: str) -> dict[str, Any] | None:
    found = await CONFIGS.find(ctx.db, ctx.tenant_id, "project_id = ?", [project_id], limit=1)
    return found[0] if found else None


async def load(ctx: Ctx, project_id: str) -> dict[str, Any]:
    """The project's config, creating its engagement layer on first use."""
    project = await projects.get(ctx, project_id)
    config = await _find(ctx, project["id"])
    if config is None:
        now = ctx.iso_now()
        config = {"id": ctx.new_id("pl"), "projectId": project["id"], "templateId": "social-engagement",
                  **defaults(project), "createdAt": now, "updatedAt": now}
        await CONFIGS.insert(ctx.db, ctx.tenant_id, config)
        await ctx.record("state", {"projectLayerId": config["id"], "templateId": "social-engagement"},
                         type="engagement.layer_created", project_id=project["id"])
    return config


async def patch(ctx: Ctx, project_id: str, changes: dict[str, Any], layer_id: str | None) -> dict[str, Any]:
    """Partial merge at every level; `changes` holds only what the caller sent (validated)."""
    config = await load(ctx, project_id)
    if layer_id is not None and layer_id != config["id"]:
        raise errors.NotFound(
            f"Engagement layer {layer_id} not found on project {config['projectId']}.",
            details={"path": "projectLayerId"},
        )
    if "enabled" in changes:
        config["enabled"] = changes["enabled"]
    for section in ("firstComment", "replyToComments"):
        for key, value in (changes.get(section) or {}).items():
            config[section][key] = value
    config["updatedAt"] = ctx.iso_now()
    await CONFIGS.save(ctx.db, ctx.tenant_id, config)
    await ctx.record("state", {"projectLayerId": config["id"], "changed": sorted(changes)},
                     type="engagement.updated", project_id=config["projectId"])
    return config


async def on_published(ctx: Ctx, row: dict[str, Any]) -> None:
    """Called by the publisher when a row reaches `posted`."""
    config = await _find(ctx, row["projectId"])
    if not config or not config.get("enabled"):
        return
    first = config["firstComment"]
    if row.get("platform") not in first.get("targets", []):
        return
    text = row.get("firstCommentOverride") or first.get("commentTemplate")
    if not text:
        return
    strategy = "literal" if row.get("firstCommentOverride") else first.get("strategy", "generated")
    due = parse_instant(row["publishedAt"]) + FIRST_COMMENT_DELAY
    await ctx.schedule(
        FIRST_COMMENT_KIND, due,
        {"scheduledPostId": row["id"], "platformPostId": row.get("platformPostId"), "platform": row["platform"],
         "externalId": row.get("externalId"), "projectId": row["projectId"], "text": text, "strategy": strategy},
        ref=row["id"],
    )


@timer(FIRST_COMMENT_KIND)
async def _first_comment(ctx: Ctx, payload: dict[str, Any], ref: str | None) -> None:
    await ctx.record("engagement", payload, type="engagement.first_comment", project_id=payload.get("projectId"))
