"""Project layers: install, read, list, change, pause and uninstall (CONTRACT §6,
distribution.md §4.3-§4.5).

Emulator choices:
- PATCH `config` deep-merges (objects merge, other values replace, null removes a key) and
  the merged config is validated as a whole; `config.social.socialAccountId` cannot change
  (install another layer instead). `status` may be set to `active` or `paused`.
- DELETE is a soft delete (`status: "deleted"`, still readable, listed with
  `statusFilter=deleted`): its timers stop, its empty slots are removed and its queued posts
  are canceled with reason `layer_uninstalled`.
- Archiving a project pauses its live layers (their timers stop) and cancels their queued
  posts (reason `project_archived`); restoring the project leaves them paused (PATCH
  `status: "active"` resumes them).
- Install refuses an account that is not in the project or is disconnected (422 on
  `config.social.socialAccountId`) and a second live Social Distribution layer on one account
  (409 CONFLICT). An account with a token error can be installed on; its runs fail with
  `ACCOUNT_UNHEALTHY` until the error is cleared.
"""
from __future__ import annotations

import json
from typing import Any

from emulator import errors
from emulator.context import Ctx
from emulator.pagination import PageRequest
from emulator.services import layer_config as lc
from emulator.services import projects
from emulator.store.docs import Docs

LAYERS = Docs(
    "project_layers",
    {
        "project_id": lambda r: r["projectId"],
        "template_id": lambda r: r["templateId"],
        "status": lambda r: r["status"],
        "social_account_id": lambda r: (r.get("config", {}).get("social") or {}).get("socialAccountId"),
        "created_at": lambda r: r["createdAt"],
    },
    "Project layer",
)
STATUSES = ("active", "paused", "deleted")


def public(layer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in layer.items() if not k.startswith("_")}


async def get(ctx: Ctx, layer_id: str) -> dict[str, Any]:
    return await LAYERS.require(ctx.db, ctx.tenant_id, layer_id)


async def save(ctx: Ctx, layer: dict[str, Any]) -> None:
    layer["updatedAt"] = ctx.iso_now()
    await LAYERS.save(ctx.db, ctx.tenant_id, layer)


async def _account_for(ctx: Ctx, project_id: str, config: dict[str, Any]) -> dict[str, Any]:
    from emulator.services import distribution

    account_id = config["social"]["socialAccountId"]
    account = await distribution.load_account(ctx, account_id)
    if account is None or account.get("projectId") != project_id or account.get("status") == "disconnected":
        raise errors.Validation(
            f"config.social.socialAccountId {account_id} is not a connected social account of project {project_id}.",
            path="config.social.socialAccountId",
        )
    return account


async def install(
    ctx: Ctx, project_id: Any, template_id: Any, config: Any, schedule: Any
) -> dict[str, Any]:
    if not isinstance(project_id, str) or not project_id:
        raise errors.Validation("projectId is required.", path="projectId")
    tpl = lc.template(template_id)
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise errors.Validation("config must be an object.", path="config")
    project = await projects.get_active(ctx, project_id)
    config, schedule = lc.lift_cron(config, schedule)
    sched = lc.validate_schedule(schedule)
    if tpl.id != lc.SOCIAL_DISTRIBUTION:
        installer = lc.INSTALLERS.get(tpl.id)
        if installer is None:
            raise errors.Validation(f"templateId {tpl.id} cannot be installed through this route.", path="templateId")
        return await installer(ctx, project["id"], tpl.id, config, sched["cron"])
    cfg = lc.validate_social_distribution(config, None)
    account = await _account_for(ctx, project["id"], cfg)
    cfg.setdefault("postingMode", "manual" if account.get("platform") == "tiktok" else "automatic")
    clash = await LAYERS.find(
        ctx.db, ctx.tenant_id, "template_id = ? AND social_account_id = ? AND status != 'deleted'",
        (tpl.id, account["id"]), limit=1,
    )
    if clash:
        raise errors.Conflict(
            f"Social account {account['id']} already has a Social Distribution layer ({clash[0]['id']}); "
            "one layer instance per account.",
            details={"projectLayerId": clash[0]["id"], "socialAccountId": account["id"]},
        )
    now = ctx.iso_now()
    layer: dict[str, Any] = {
        "id": ctx.new_id("pl"),
        "projectId": project["id"],
        "templateId": tpl.id,
        "name": tpl.name,
        "version": tpl.version,
        "status": "active",
        "config": cfg,
        "schedule": sched,
        "configVersion": 1,
        "createdAt": now,
        "updatedAt": now,
        "deletedAt": None,
    }
    await LAYERS.insert(ctx.db, ctx.tenant_id, layer)
    await ctx.record("state", {"projectLayerId": layer["id"], "templateId": tpl.id}, type="layer.installed",
                     project_id=layer["projectId"])
    from emulator.services import commands

    await commands.on_installed(ctx, layer)
    return layer


async def list_page(
    ctx: Ctx, page: PageRequest, *, project_id: str | None, template_ids: list[str], statuses: list[str],
    where_contains: dict[str, Any] | None,
) -> tuple[list[dict[str, Any]], str | None]:
    where, params = selection(project_id, template_ids, statuses, where_contains)
    return await LAYERS.page(ctx.db, ctx.tenant_id, page, where=where, params=params, sort="created_at", descending=False)


async def select(
    ctx: Ctx, *, project_id: str | None, template_ids: list[str], statuses: list[str],
    where_contains: dict[str, Any] | None,
) -> list[dict[str, Any]]:
    where, params = selection(project_id, template_ids, statuses, where_contains)
    return await LAYERS.find(ctx.db, ctx.tenant_id, where, params, order="created_at, rowid")


def selection(
    project_id: str | None, template_ids: list[str], statuses: list[str], where_contains: dict[str, Any] | None
) -> tuple[str, list[Any]]:
    where, params = ["1=1"], []
    if project_id:
        where.append("project_id = ?")
        params.append(project_id)
    if template_ids:
        where.append(f"template_id IN ({','.join('?' for _ in template_ids)})")
        params.extend(template_ids)
    if statuses:
        where.append(f"status IN ({','.join('?' for _ in statuses)})")
        params.extend(statuses)
    if where_contains:
        sql, args = contains_sql(where_contains, "$.config")
        where.append(sql)
        params.extend(args)
    return " AND ".join(where), params


def contains_sql(value: Any, path: str) -> tuple[str, list[Any]]:
    """JSON containment (`config @> value`) as SQL over `data`: objects match key by key,
    arrays match when every given element is in the stored array, scalars match equal.
    Paths and values travel as parameters."""
    if isinstance(value, dict):
        if not value:
            return "json_type(data, ?) = 'object'", [path]
        parts, args = [], []
        for key, sub in value.items():
            sql, a = contains_sql(sub, f"{path}.{json.dumps(str(key))}")
            parts.append(sql)
            args.extend(a)
        return "(" + " AND ".join(parts) + ")", args
    if isinstance(value, list):
        parts, args = ["json_type(data, ?) = 'array'"], [path]
        for item in value:
            parts.append("EXISTS (SELECT 1 FROM json_each(data, ?) e WHERE e.value IS json_extract(?, '$'))")
            args.extend([path, json.dumps(item)])
        return "(" + " AND ".join(parts) + ")", args
    if value is None:
        return "json_type(data, ?) = 'null'", [path]
    return "json_extract(data, ?) IS json_extract(?, '$')", [path, json.dumps(value)]


async def patch(
    ctx: Ctx, layer_id: str, *, config: dict[str, Any] | None, schedule: Any, schedule_sent: bool,
    status: str | None,
) -> dict[str, Any]:
    layer = await get(ctx, layer_id)
    if layer["status"] == "deleted":
        raise errors.Conflict(f"Project layer {layer_id} is uninstalled.", details={"status": "deleted"})
    before_config = layer["config"]
    before_cron = (layer.get("schedule") or {}).get("cron")
    before_status = layer["status"]
    if config is not None:
        merged, lifted = lc.lift_cron(lc.deep_merge(before_config, config), None)
        if lifted is not None and not schedule_sent:
            schedule, schedule_sent = lifted, True
        if layer["templateId"] == lc.SOCIAL_DISTRIBUTION:
            cfg = lc.validate_social_distribution(merged, None)
            old_account = before_config["social"]["socialAccountId"]
            if cfg["social"]["socialAccountId"] != old_account:
                raise errors.Validation(
                    "config.social.socialAccountId cannot change; install another layer for another account.",
                    path="config.social.socialAccountId",
                )
            cfg.setdefault("postingMode", before_config.get("postingMode", "automatic"))
        else:
            cfg = lc.VALIDATORS.get(layer["templateId"], lambda c: c)(merged)
        if cfg != before_config:
            layer["config"] = cfg
            layer["configVersion"] = int(layer.get("configVersion", 1)) + 1
    if schedule_sent:
        if schedule is None:
            layer["schedule"] = {"cron": None}
        else:
            layer["schedule"] = lc.validate_schedule({"cron": None, **schedule} if isinstance(schedule, dict) else schedule)
    if status is not None:
        layer["status"] = status
    await save(ctx, layer)
    refresh_keys = (lc.changed_refresh_keys(before_config, layer["config"])
                    if layer["templateId"] == lc.SOCIAL_DISTRIBUTION else [])
    from emulator.services import commands

    await commands.on_changed(
        ctx, layer, cron_changed=(layer.get("schedule") or {}).get("cron") != before_cron,
        status_changed=layer["status"] != before_status, refresh_keys=refresh_keys,
    )
    return layer


async def uninstall(ctx: Ctx, layer_id: str) -> dict[str, Any]:
    layer = await get(ctx, layer_id)
    if layer["status"] == "deleted":
        return {**public(layer), "canceledScheduledPosts": 0}
    layer["status"] = "deleted"
    layer["deletedAt"] = ctx.iso_now()
    await save(ctx, layer)
    from emulator.services import commands

    canceled = await commands.on_uninstalled(ctx, layer)
    await ctx.record("state", {"projectLayerId": layer["id"], "canceledScheduledPosts": canceled},
                     type="layer.uninstalled", project_id=layer["projectId"])
    return {**public(layer), "canceledScheduledPosts": canceled}


async def _on_project_archived(ctx: Ctx, project: dict[str, Any]) -> int:
    from emulator.services import commands

    canceled = 0
    for layer in await LAYERS.find(ctx.db, ctx.tenant_id, "project_id = ? AND status = 'active'", (project["id"],)):
        layer["status"] = "paused"
        await save(ctx, layer)
        canceled += await commands.on_paused_by_archive(ctx, layer)
    return canceled


if _on_project_archived not in projects.ARCHIVED:
    projects.ARCHIVED.append(_on_project_archived)
