"""`/v1/projects/{projectId}/sdk-apps`: create (key shown once), get, patch (rotateKey, CAPI)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from emulator import errors
from emulator.http.api import Body, Call, Reply, Route
from emulator.http.fields import text
from emulator.services import sdk_apps

Platform = Literal["ios", "android", "web", "react-native", "flutter", "expo"]
Domain = Field(default=None, max_length=253, pattern=r"^([a-z0-9-]{1,63}\.)+[a-z]{2,63}$")


class CreateSdkApp(Body):
    appId: str | None = Field(default=None, pattern=r"^app_[0-9a-f]{24}$")
    name: text(1, 128)  # type: ignore[valid-type]
    platform: Platform
    bundleId: text(1, 255) | None = None  # type: ignore[valid-type]
    androidPackage: text(1, 255) | None = None  # type: ignore[valid-type]
    webDomain: str | None = Domain


class CapiToggle(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    enabled: bool
    pixelId: text(1, 64) | None = None  # type: ignore[valid-type]


class Capi(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    meta: CapiToggle | None = None
    tiktok: CapiToggle | None = None
    apple: CapiToggle | None = None


class PatchSdkApp(Body):
    name: text(1, 128) | None = None  # type: ignore[valid-type]
    bundleId: text(1, 255) | None = None  # type: ignore[valid-type]
    androidPackage: text(1, 255) | None = None  # type: ignore[valid-type]
    webDomain: str | None = Domain
    capi: Capi | None = None
    rotateKey: bool | None = None


async def create(call: Call) -> Reply:
    body: CreateSdkApp = call.body
    return Reply(await sdk_apps.create(call.ctx, call.params["projectId"], body.model_dump(exclude_none=True)), 201)


async def get(call: Call) -> dict[str, Any]:
    return sdk_apps.public(await sdk_apps.get(call.ctx, call.params["projectId"], call.params["appId"]))


async def patch(call: Call) -> dict[str, Any]:
    body: PatchSdkApp = call.body
    changes: dict[str, Any] = {}
    for key in call.sent:
        if key not in PatchSdkApp.model_fields:
            continue
        value = getattr(body, key)
        if key == "name" and value is None:
            raise errors.Validation("name cannot be null.", path="name")
        changes[key] = value.model_dump() if key == "capi" and value is not None else value
    if not changes:
        raise errors.Validation("Send at least one field to change.", path="")
    return await sdk_apps.patch(call.ctx, call.params["projectId"], call.params["appId"], changes)


TAGS = ("sdk-apps",)
ROUTES = [
    Route("POST", "/v1/projects/{projectId}/sdk-apps", create, scope="projects:write", body=CreateSdkApp, status=201,
          summary="Create an SDK app (the key is shown once)", tags=TAGS),
    Route("GET", "/v1/projects/{projectId}/sdk-apps/{appId}", get, scope="projects:read", summary="Get an SDK app",
          tags=TAGS),
    Route("PATCH", "/v1/projects/{projectId}/sdk-apps/{appId}", patch, scope="projects:write", body=PatchSdkApp,
          summary="Update an SDK app, rotate its key, toggle CAPI", tags=TAGS),
]
