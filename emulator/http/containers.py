"""Content containers: list a project's content, get one, its progress and its assets."""
from __future__ import annotations

from typing import Any

from emulator import errors
from emulator.clock import db_time
from emulator.http import query as q
from emulator.http.api import Call, Route
from emulator.http.content import seen
from emulator.pagination import page_request
from emulator.services import containers as cs
from emulator.services import generation, projects

STATUS_ALIASES = {"generating": "processing"}


def _many(call: Call, name: str) -> list[str]:
    values: list[str] = []
    for raw in call.request.query_params.getlist(name):
        values += [v.strip() for v in raw.split(",") if v.strip()]
    return values


async def list_content(call: Call) -> dict[str, Any]:
    seen(call)
    project = await projects.get(call.ctx, call.params["projectId"])
    page = page_request(call.query, default=25, maximum=200)
    statuses = []
    for s in _many(call, "status"):
        s = STATUS_ALIASES.get(s, s)
        if s not in cs.STATUSES:
            raise errors.Validation(f"status must be one of {', '.join(cs.STATUSES)}.", path="status")
        statuses.append(s)
    formats = []
    for f in _many(call, "format"):
        f = cs.normalize_format(f)
        if f not in cs.FORMATS:
            raise errors.Validation(f"format must be one of {', '.join(cs.FORMATS)}.", path="format")
        formats.append(f)
    creative = q.enum(call.query, "creativeType", ("generated", "uploaded"))
    since = q.instant(call.query, "since", z_only=True)
    until = q.instant(call.query, "until", z_only=True)
    if since and until and since > until:
        raise errors.Validation("since must not be after until.", path="since")
    items, cursor = await cs.list_page(
        call.ctx, project["id"], page, statuses=statuses, formats=formats, creative_type=creative,
        since=db_time(since) if since else None, until=db_time(until) if until else None,
    )
    return {"items": items, "nextCursor": cursor}


async def get_content(call: Call) -> dict[str, Any]:
    seen(call)
    return cs.public(await cs.get(call.ctx, call.params["containerId"]))


async def get_progress(call: Call) -> dict[str, Any]:
    container = await cs.get(call.ctx, call.params["containerId"])
    return await generation.progress(call.ctx, container)


async def get_asset(call: Call) -> dict[str, Any]:
    seen(call)
    container = await cs.get(call.ctx, call.params["containerId"])
    return cs.find_asset(container, call.params["assetId"])


ROUTES = [
    Route("GET", "/v1/projects/{projectId}/content", list_content, scope="content:read",
          query=("status", "format", "creativeType", "since", "until", "cursor", "limit"),
          summary="List content containers", tags=("content",)),
    Route("GET", "/v1/content/{containerId}", get_content, scope="content:read", summary="Get a content container",
          tags=("content",)),
    Route("GET", "/v1/content/{containerId}/progress", get_progress, scope="content:read",
          summary="Generation progress of a container", tags=("content",)),
    Route("GET", "/v1/content/{containerId}/assets/{assetId}", get_asset, scope="content:read",
          summary="One asset of a container", tags=("content",)),
]
