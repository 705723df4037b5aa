"""`/api/project-layers`: install, list, read, change, uninstall, execute commands, slots
(CONTRACT §6). Scopes `layers:read` / `layers:write` (emulator choice; the docs name none)."""
from __future__ import annotations

import json
from typing import Any, Literal

from emulator import errors
from emulator.clock import iso
from emulator.http import query as q
from emulator.http.api import Body, Call, Reply, Route
from emulator.pagination import page_request
from emulator.services import commands, distribution, layers, projects
from emulator.services import scheduled_posts as sp

STATUS_FILTERS = ("active", "paused", "deleted", "all")
TAGS = ("layers",)


class Install(Body):
    projectId: str
    templateId: str
    config: dict[str, Any] | None = None
    schedule: dict[str, Any] | None = None


class Patch(Body):
    config: dict[str, Any] | None = None
    schedule: dict[str, Any] | None = None
    status: Literal["active", "paused"] | None = None


class Execute(Body):
    commandId: str
    parameters: dict[str, Any] | None = None


class CrossExecute(Execute):
    projectId: str | None = None
    templateIds: list[str] | str | None = None
    statusFilter: list[str] | str | None = None
    whereContains: dict[str, Any] | None = None


async def view(call: Call, layer: dict[str, Any]) -> dict[str, Any]:
    return {**layers.public(layer), "scheduler": await commands.scheduler_view(call.ctx, layer)}


async def install(call: Call) -> Reply:
    body: Install = call.body
    layer = await layers.install(call.ctx, body.projectId, body.templateId, body.config,
                                 body.schedule if "schedule" in call.sent else None)
    return Reply(await view(call, layer), 201)


def _listing(values: list[str] | str | None, name: str) -> list[str]:
    if values is None:
        return []
    items = values if isinstance(values, list) else [values]
    out: list[str] = []
    for item in items:
        out.extend(v.strip() for v in str(item).split(",") if v.strip())
    return out


def statuses(values: list[str], name: str = "statusFilter") -> list[str]:
    for v in values:
        if v not in STATUS_FILTERS:
            raise errors.Validation(f"{name} must be one of {', '.join(STATUS_FILTERS)}.", path=name)
    if not values:
        return ["active", "paused"]
    return [] if "all" in values else values


def where_contains(raw: Any, name: str = "whereContains") -> dict[str, Any] | None:
    if raw is None or raw == "":
        return None
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except ValueError:
            raise errors.Validation(f"{name} must be a JSON object (contained in config).", path=name) from None
    if not isinstance(value, dict):
        raise errors.Validation(f"{name} must be a JSON object (contained in config).", path=name)
    return value


async def list_layers(call: Call) -> dict[str, Any]:
    page = page_request(call.query, default=25, maximum=200)
    params = call.request.query_params
    items, cursor = await layers.list_page(
        call.ctx, page,
        project_id=call.query.get("projectId") or None,
        template_ids=_listing(params.getlist("templateIds"), "templateIds"),
        statuses=statuses(_listing(params.getlist("statusFilter"), "statusFilter")),
        where_contains=where_contains(call.query.get("whereContains")),
    )
    return {"items": [await view(call, layer) for layer in items], "nextCursor": cursor}


async def get_layer(call: Call) -> dict[str, Any]:
    return await view(call, await layers.get(call.ctx, call.params["id"]))


async def patch_layer(call: Call) -> dict[str, Any]:
    body: Patch = call.body
    sent = call.sent & {"config", "schedule", "status"}
    if not sent:
        raise errors.Validation("Send at least one of config, schedule or status.", path="")
    if "status" in sent and body.status is None:
        raise errors.Validation("status cannot be null.", path="status")
    layer = await layers.patch(
        call.ctx, call.params["id"], config=body.config if "config" in sent else None,
        schedule=body.schedule, schedule_sent="schedule" in sent, status=body.status,
    )
    return await view(call, layer)


async def delete_layer(call: Call) -> dict[str, Any]:
    return await layers.uninstall(call.ctx, call.params["id"])


async def execute(call: Call) -> Reply:
    body: Execute = call.body
    run = await commands.execute(call.ctx, call.params["id"], body.commandId, body.parameters)
    return Reply({"runId": run["runId"], "status": run["status"], "projectLayerId": run["projectLayerId"],
                  "commandId": run["commandId"]}, 202)


async def execute_across(call: Call) -> Reply:
    body: CrossExecute = call.body
    selected = await layers.select(
        call.ctx, project_id=body.projectId, template_ids=_listing(body.templateIds, "templateIds"),
        statuses=statuses(_listing(body.statusFilter, "statusFilter")) if body.statusFilter else ["active"],
        where_contains=where_contains(body.whereContains),
    )
    for layer in selected:  # validate once for every layer before starting any run
        commands.command_for(layer, body.commandId, external=True)
    if not selected:
        from emulator.services import layer_config as lc

        known = {c.id for t in lc.TEMPLATES.values() for c in t.commands if c.trigger != "internal"}
        if body.commandId not in known:
            raise errors.Validation(f"commandId {body.commandId!r} is not a command of any template.", path="commandId")
    run_ids = []
    for layer in selected:
        if layer["status"] != "active":
            continue
        run = await commands.start(call.ctx, layer, body.commandId, "manual", body.parameters or {}, inline=False)
        run_ids.append(run["runId"])
    return Reply({"runIds": run_ids, "matched": len(selected), "status": "running"}, 202)


async def layer_slots(call: Call) -> dict[str, Any]:
    layer = await layers.get(call.ctx, call.params["id"])
    page = page_request(call.query, default=100, maximum=1000)
    where, params = ["layer_id = ?"], [layer["id"]]
    since = q.instant(call.query, "from")
    until = q.instant(call.query, "to")
    if since is not None:
        where.append("scheduled_at >= ?")
        params.append(iso(since))
    if until is not None:
        where.append("scheduled_at <= ?")
        params.append(iso(until))
    wanted = q.listing(call.query, "status")
    for s in wanted:
        if s not in sp.INTERNAL_STATUSES:
            raise errors.Validation(f"status must be among {', '.join(sp.INTERNAL_STATUSES)}.", path="status")
    if wanted:
        where.append(f"status IN ({','.join('?' for _ in wanted)})")
        params.extend(wanted)
    rows, cursor = await sp.SCHEDULED_POSTS.page(
        call.ctx.db, call.ctx.tenant_id, page, where=" AND ".join(where), params=params,
        sort="scheduled_at", descending=False,
    )
    project = await projects.get(call.ctx, layer["projectId"])
    tz = project.get("timezone") or "UTC"
    return {"items": [distribution.slot_view(r, tz) for r in rows], "nextCursor": cursor,
            "projectLayerId": layer["id"], "timezone": tz}


ROUTES = [
    Route("POST", "/api/project-layers", install, scope="layers:write", body=Install, status=201,
          summary="Install a layer on a project", audit="layer.installed", tags=TAGS),
    Route("GET", "/api/project-layers", list_layers, scope="layers:read", summary="List project layers",
          query=("projectId", "templateIds", "statusFilter", "whereContains", "cursor", "limit"), tags=TAGS),
    Route("POST", "/api/project-layers/execute", execute_across, scope="layers:write", body=CrossExecute, status=202,
          summary="Run a command across layers chosen by filters", tags=TAGS),
    Route("GET", "/api/project-layers/{id}", get_layer, scope="layers:read", summary="Get a project layer", tags=TAGS),
    Route("PATCH", "/api/project-layers/{id}", patch_layer, scope="layers:write", body=Patch,
          summary="Change a layer's config, cron or status", audit="layer.updated", tags=TAGS),
    Route("DELETE", "/api/project-layers/{id}", delete_layer, scope="layers:write", summary="Uninstall a layer",
          audit="layer.uninstalled", tags=TAGS),
    Route("POST", "/api/project-layers/{id}/execute", execute, scope="layers:write", body=Execute, status=202,
          summary="Execute a layer command", tags=TAGS),
    Route("GET", "/api/project-layers/{id}/slots", layer_slots, scope="layers:read",
          summary="The layer's slots (scheduled_posts rows)", query=("from", "to", "status", "cursor", "limit"), tags=TAGS),
]
