"""Helpers for the measurement tests (no tests here): a social account row and a synthetic
`post.published` event emitted inside a transaction of the in-process emulator, exactly as
publishing emits it."""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from emulator.clock import iso
from emulator.context import Ctx
from tests.support import Api


def org_id(api: Api) -> str:
    return str(api.get("/v1/whoami").json()["organizationId"])


def in_tx(api: Api, fn: Callable[[Ctx], Awaitable[Any]]) -> Any:
    emu = api.client.app.state.emulator
    tenant_id = org_id(api)

    async def run() -> Any:
        async with emu.store.tx() as db:
            tenant = await emu.tenants.get(db, tenant_id)
        async with tenant.lock:
            await emu.engine.settle(tenant, tenant.now())
            async with emu.store.tx() as db:
                ctx = Ctx(emu, tenant, tenant.now(), db)
                return await fn(ctx)

    return api.client.portal.call(run)


def social_account(api: Api, project_id: str, platform: str = "tiktok", temperature: str | None = None,
                   **extra: Any) -> str:
    async def insert(ctx: Ctx) -> str:
        account_id = ctx.new_id("sa")
        record = {"id": account_id, "socialAccountId": account_id, "projectId": project_id, "platform": platform,
                  "status": "connected", "connectedAt": ctx.iso_now(), "temperaturePin": temperature, **extra}
        await ctx.db.execute(
            "INSERT INTO social_accounts(id, tenant_id, project_id, platform, status, created_at, data)"
            " VALUES (?,?,?,?,?,?,?)",
            (account_id, ctx.tenant_id, project_id, platform, "connected", ctx.iso_now(), json.dumps(record)),
        )
        return account_id

    return str(in_tx(api, insert))


def publish(api: Api, project_id: str, account_id: str, platform: str = "tiktok",
            container_id: str | None = None, layer_id: str | None = None) -> str:
    """Emit `post.published` now (as publishing does) and return the platform post id."""

    async def emit(ctx: Ctx) -> str:
        pp = ctx.new_id("pp")
        sp = ctx.new_id("sp")
        await ctx.emit(
            "post.published",
            {"scheduledPostId": sp, "containerId": container_id, "externalId": f"ext-{pp[-8:]}",
             "externalUrl": f"https://www.{platform}.com/p/{pp[-8:]}", "socialAccountId": account_id,
             "platform": platform, "publishedAt": iso(ctx.now), "projectId": project_id,
             "platformPostId": pp, "layerId": layer_id},
            project_id=project_id,
        )
        return pp

    return str(in_tx(api, emit))


def container(api: Api, project_id: str, *, hook: str = "Get things done faster", uploaded: bool = False,
              fmt: str = "video_remix") -> str:
    """A completed container row (as content generation leaves it)."""

    async def insert(ctx: Ctx) -> str:
        cid = ctx.new_id("cnt")
        now = ctx.iso_now()
        record = {"id": cid, "projectId": project_id, "status": "completed", "format": fmt,
                  "creativeType": "uploaded" if uploaded else "generated", "brief": {"hook": hook},
                  "caption": hook, "createdAt": now, "completedAt": now}
        await ctx.db.execute(
            "INSERT INTO containers(id, tenant_id, project_id, status, approval_status, created_at, completed_at, data)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (cid, ctx.tenant_id, project_id, "completed", "not_required", now, now, json.dumps(record)),
        )
        await ctx.emit("content.generated", {"containerId": cid, "projectId": project_id}, project_id=project_id)
        return cid

    return str(in_tx(api, insert))


def week_of_posts(api: Api, *, posts_per_day: int = 3, days: int = 7, platform: str = "tiktok",
                  temperature: str = "warm") -> tuple[str, str, list[str]]:
    """A project with one account that publishes `posts_per_day` generated posts a day for `days` days."""
    project = api.project()["id"]
    account = social_account(api, project, platform, temperature)
    posts = []
    for _ in range(days):
        for _ in range(posts_per_day):
            cid = container(api, project)
            posts.append(publish(api, project, account, platform, container_id=cid))
            api.advance(seconds=8 * 3600 // posts_per_day)
        api.advance(seconds=24 * 3600 - (8 * 3600 // posts_per_day) * posts_per_day)
    return project, account, posts
