"""Projects: create, list, get, patch, archive.

Other areas react to project changes through hooks registered here (fire-and-forget in the
sense of the docs: a failing hook never fails the create): onboarding starts keyword research
and the first influencer when `appDescription` is set; publishing cancels queued posts on
archive.
"""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from emulator import errors
from emulator.context import Ctx
from emulator.ids import normalize_id
from emulator.pagination import PageRequest
from emulator.store.docs import Docs

Hook = Callable[[Ctx, dict[str, Any], dict[str, Any]], Awaitable[None]]
CREATED: list[Hook] = []  # (ctx, project, {}) after create
UPDATED: list[Hook] = []  # (ctx, project, previous) after patch
ARCHIVED: list[Callable[[Ctx, dict[str, Any]], Awaitable[int]]] = []  # → canceled post count

PROJECTS = Docs(
    "projects",
    {
        "status": lambda r: r["status"],
        "name": lambda r: r["name"],
        "customer_external_id": lambda r: r.get("customerExternalId"),
        "created_at": lambda r: r["createdAt"],
    },
    "Project",
)

BRAND_FIELDS = ("appName", "appDescription", "tagline", "brandVoice", "targetGender")
READ_ONLY = ("id", "organizationId", "createdAt", "updatedAt", "ingestState", "brandContext", "archivedAt")
LIST_FIELDS = (
    "id", "name", "status", "customerExternalId", "timezone", "primaryLanguage", "ownerEmail",
    "createdAt", "updatedAt",
)


def _brand_context(project: dict[str, Any]) -> dict[str, Any] | None:
    if not any(project.get(f) for f in BRAND_FIELDS) and project.get("brandContext") is None:
        return None
    current = dict(project.get("brandContext") or {})
    for key in ("appName", "appDescription", "tagline", "brandVoice"):
        if project.get(key) is not None:
            current[key] = project[key]
    current.setdefault("audience", None)
    current.setdefault("icp", None)
    current.setdefault("keywords", [])
    current["primaryLanguage"] = project.get("primaryLanguage", "en")
    current.setdefault("logoUrl", None)
    return current


async def create(ctx: Ctx, fields: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Returns (project, created). A partner-chosen `id` makes create idempotent on it."""
    wanted = fields.pop("id", None)
    if wanted is not None:
        project_id = normalize_id("prj", wanted)
        existing = await PROJECTS.get(ctx.db, ctx.tenant_id, project_id)
        if existing is not None:
            if existing.get("_createBody") != _canonical(fields):
                raise errors.Conflict(
                    f"Project {project_id} already exists with a different body.",
                    details={"projectId": project_id},
                )
            return existing, False
        if await _id_taken_elsewhere(ctx, project_id):
            raise errors.Conflict(f"Project id {project_id} is not available.")
    else:
        project_id = ctx.new_id("prj")
    now = ctx.iso_now()
    project: dict[str, Any] = {
        "id": project_id,
        "organizationId": ctx.tenant_id,
        "name": fields["name"],
        "status": "active",
        "customerExternalId": fields.get("customerExternalId"),
        "timezone": fields["timezone"],
        "primaryLanguage": fields.get("primaryLanguage") or "en",
        "ownerEmail": fields.get("ownerEmail"),
        "appName": fields.get("appName"),
        "appDescription": fields.get("appDescription"),
        "tagline": fields.get("tagline"),
        "brandVoice": fields.get("brandVoice") or "authentic",
        "targetGender": fields.get("targetGender") or "all",
        "brand": None,
        "brandContext": None,
        "ingestState": {"github": None, "website": None, "appstore": None},
        "metadata": fields.get("metadata"),
        "createdAt": now,
        "updatedAt": now,
        "archivedAt": None,
        "_createBody": _canonical(fields),
    }
    if fields.get("appName") or fields.get("appDescription"):
        project["brandContext"] = _brand_context(project)
    await PROJECTS.insert(ctx.db, ctx.tenant_id, project)
    await ctx.emit("project.created", public(project), project_id=project_id)
    for hook in CREATED:
        await hook(ctx, project, {})
    return project, True


async def _id_taken_elsewhere(ctx: Ctx, project_id: str) -> bool:
    cur = await ctx.db.execute("SELECT 1 FROM projects WHERE id = ?", (project_id,))
    return await cur.fetchone() is not None


def _canonical(fields: dict[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True)


def public(project: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in project.items() if not k.startswith("_")}


def summary(project: dict[str, Any]) -> dict[str, Any]:
    return {k: project.get(k) for k in LIST_FIELDS}


async def get(ctx: Ctx, project_id: str) -> dict[str, Any]:
    return await PROJECTS.require(ctx.db, ctx.tenant_id, normalize_id("prj", project_id))


async def get_active(ctx: Ctx, project_id: str) -> dict[str, Any]:
    """For writes that start work: an archived project answers 409 CONFLICT."""
    project = await get(ctx, project_id)
    if project["status"] == "archived":
        raise errors.Conflict(
            f"Project {project['id']} is archived; restore it with PATCH status=active first.",
            details={"projectStatus": "archived"},
        )
    return project


async def save(ctx: Ctx, project: dict[str, Any]) -> None:
    await PROJECTS.save(ctx.db, ctx.tenant_id, project)


async def list_page(
    ctx: Ctx, page: PageRequest, *, status: str | None, search: str | None, customer: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    where, params = ["1=1"], []
    if status:
        where.append("status = ?")
        params.append(status)
    if customer is not None:
        where.append("customer_external_id = ?")
        params.append(customer)
    if search:
        where.append("instr(lower(name), ?) > 0")
        params.append(search.lower())
    items, cursor = await PROJECTS.page(ctx.db, ctx.tenant_id, page, where=" AND ".join(where), params=params)
    return [summary(p) for p in items], cursor


async def patch(ctx: Ctx, project_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    project = await get(ctx, project_id)
    previous = dict(project)
    status = changes.pop("status", None)
    for key, value in changes.items():
        project[key] = value
    if any(k in changes for k in BRAND_FIELDS):
        project["brandContext"] = _brand_context(project)
    if "primaryLanguage" in changes and project.get("brandContext"):
        project["brandContext"]["primaryLanguage"] = project["primaryLanguage"]
    project["updatedAt"] = ctx.iso_now()
    if status == "archived" and project["status"] != "archived":
        await save(ctx, project)
        await archive(ctx, project_id)
        project = await get(ctx, project_id)
    elif status == "active" and project["status"] == "archived":
        project["status"] = "active"
        project["archivedAt"] = None
    await save(ctx, project)
    await ctx.emit("project.updated", public(project), project_id=project["id"])
    for hook in UPDATED:
        await hook(ctx, project, previous)
    return project


async def archive(ctx: Ctx, project_id: str) -> dict[str, Any]:
    project = await get(ctx, project_id)
    canceled = 0
    if project["status"] != "archived":
        for hook in ARCHIVED:
            canceled += await hook(ctx, project)
    project["status"] = "archived"
    project["archivedAt"] = ctx.iso_now()
    project["updatedAt"] = ctx.iso_now()
    await save(ctx, project)
    await ctx.emit("project.archived", {"id": project["id"]}, project_id=project["id"])
    return {"id": project["id"], "status": "archived", "archivedAt": project["archivedAt"], "canceledScheduledPosts": canceled}
