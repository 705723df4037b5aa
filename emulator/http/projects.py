"""`/v1/projects`: create, list, get, patch, archive."""
from __future__ import annotations

from typing import Any, Literal

from emulator import errors
from emulator.http import query as q
from emulator.http.api import Body, Call, Reply, Route
from emulator.http.fields import Email, Language, Metadata, Timezone, text
from emulator.pagination import page_request
from emulator.services import projects

BrandVoice = Literal["authentic", "witty", "professional", "warm", "casual", "educational"]
TargetGender = Literal["all", "female", "male"]


class CreateProject(Body):
    id: str | None = None
    name: text(3, 30)  # type: ignore[valid-type]
    timezone: Timezone
    customerExternalId: text(1, 256) | None = None  # type: ignore[valid-type]
    ownerEmail: Email | None = None
    primaryLanguage: Language | None = None
    appName: text(3, 30) | None = None  # type: ignore[valid-type]
    appDescription: text(100, 1000) | None = None  # type: ignore[valid-type]
    tagline: text(0, 80) | None = None  # type: ignore[valid-type]
    brandVoice: BrandVoice | None = None
    targetGender: TargetGender | None = None
    metadata: Metadata | None = None


class PatchProject(Body):
    name: text(1, 128) | None = None  # type: ignore[valid-type]
    status: Literal["active", "archived"] | None = None
    timezone: Timezone | None = None
    customerExternalId: text(1, 256) | None = None  # type: ignore[valid-type]
    ownerEmail: Email | None = None
    primaryLanguage: Language | None = None
    appName: text(3, 30) | None = None  # type: ignore[valid-type]
    appDescription: text(100, 1000) | None = None  # type: ignore[valid-type]
    tagline: text(0, 80) | None = None  # type: ignore[valid-type]
    brandVoice: BrandVoice | None = None
    targetGender: TargetGender | None = None
    metadata: Metadata | None = None


NOT_NULLABLE = ("name", "status", "timezone", "primaryLanguage", "brandVoice", "targetGender")


async def create_project(call: Call) -> Reply:
    body: CreateProject = call.body
    fields = body.model_dump(exclude_unset=True)
    fields = {k: v for k, v in fields.items() if v is not None or k in ("id",)}
    project, _ = await projects.create(call.ctx, fields)
    return Reply(projects.public(project), 201)


async def list_projects(call: Call) -> dict[str, Any]:
    page = page_request(call.query, default=25, maximum=200)
    status = q.enum(call.query, "status", ("active", "archived"))
    items, cursor = await projects.list_page(
        call.ctx, page, status=status, search=call.query.get("search") or None,
        customer=call.query.get("customerExternalId"),
    )
    return {"items": items, "nextCursor": cursor}


async def get_project(call: Call) -> dict[str, Any]:
    return projects.public(await projects.get(call.ctx, call.params["projectId"]))


async def patch_project(call: Call) -> dict[str, Any]:
    sent = call.sent
    read_only = sorted(k for k in sent if k in projects.READ_ONLY)
    if read_only:
        raise errors.Validation(
            f"{', '.join(read_only)} cannot be changed with PATCH.",
            issues=[{"path": k, "message": "read-only field"} for k in read_only],
            status=400,
        )
    body: PatchProject = call.body
    changes = {k: getattr(body, k) for k in sent if k in PatchProject.model_fields}
    nulls = [k for k in NOT_NULLABLE if k in changes and changes[k] is None]
    if nulls:
        raise errors.Validation(f"{nulls[0]} cannot be null.", path=nulls[0])
    if not changes:
        raise errors.Validation("Send at least one field to change.", path="")
    return projects.public(await projects.patch(call.ctx, call.params["projectId"], changes))


async def archive_project(call: Call) -> dict[str, Any]:
    return await projects.archive(call.ctx, call.params["projectId"])


ROUTES = [
    Route("POST", "/v1/projects", create_project, scope="projects:write", body=CreateProject, status=201,
          summary="Create a project", audit="project.created", tags=("projects",)),
    Route("GET", "/v1/projects", list_projects, scope="projects:read", summary="List projects",
          query=("cursor", "limit", "status", "search", "customerExternalId"), tags=("projects",)),
    Route("GET", "/v1/projects/{projectId}", get_project, scope="projects:read", summary="Get a project", tags=("projects",)),
    Route("PATCH", "/v1/projects/{projectId}", patch_project, scope="projects:write", body=PatchProject,
          summary="Update a project", audit="project.updated", tags=("projects",)),
    Route("DELETE", "/v1/projects/{projectId}", archive_project, scope="projects:write",
          summary="Archive a project", audit="project.archived", tags=("projects",)),
]
