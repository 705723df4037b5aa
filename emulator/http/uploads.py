"""Finished-content uploads: from URLs, direct upload sessions (presigned PUT, key-less) with
finalize, and the caption fix."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from starlette.responses import Response

from emulator import errors
from emulator.http.api import Body, Call, Reply, Route
from emulator.http.content import seen
from emulator.http.fields import text
from emulator.http.social import tenant_ctx
from emulator.services import containers as cs
from emulator.services import uploads

Caption = text(0, 2200)
ContentType = Literal["video/mp4", "video/quicktime", "image/jpeg", "image/png", "image/webp"]


class MediaUrl(Body):
    url: text(1, 4096)  # type: ignore[valid-type]


class UploadBody(Body):
    media: list[MediaUrl] = Field(min_length=1, max_length=10)
    caption: Caption  # type: ignore[valid-type]


class FileDecl(Body):
    filename: text(1, 512)  # type: ignore[valid-type]
    contentType: ContentType
    sizeBytes: int = Field(ge=1)


class SessionBody(Body):
    files: list[FileDecl] = Field(min_length=1, max_length=10)
    grouping: Literal["per-file", "slideshow"] = "per-file"
    caption: Caption | None = None  # type: ignore[valid-type]


class FinalizeBody(Body):
    caption: Caption  # type: ignore[valid-type]


class CaptionBody(Body):
    caption: Caption  # type: ignore[valid-type]


async def upload_from_urls(call: Call) -> Reply:
    seen(call)
    body: UploadBody = call.body
    c = await uploads.from_urls(call.ctx, call.params["projectId"], [m.url for m in body.media], body.caption)
    return Reply(cs.public(c), 201)


async def create_session(call: Call) -> Reply:
    seen(call)
    body: SessionBody = call.body
    out = await uploads.create_session(
        call.ctx, call.params["projectId"], [f.model_dump() for f in body.files], body.grouping, body.caption,
        str(call.request.base_url),
    )
    return Reply(out, 201)


async def put_file(call: Call) -> Response:
    token = call.params["token"]
    emu = call.request.app.state.emulator
    async with emu.store.read() as db:
        tenant_id = await uploads.tenant_of(db, token)
    if tenant_id is None:
        raise errors.NotFound("Unknown upload URL.")
    data = await call.request.body()
    async with tenant_ctx(call.request, tenant_id) as ctx:
        row = await uploads.receive(ctx, token, data, call.request.headers.get("content-type"))
    return Response(status_code=200, headers={"ETag": f'"{row["checksumSha256"][:32]}"'})


async def finalize(call: Call) -> dict[str, Any]:
    seen(call)
    body: FinalizeBody = call.body
    return cs.public(await uploads.finalize(call.ctx, call.params["containerId"], body.caption))


async def patch_content(call: Call) -> dict[str, Any]:
    seen(call)
    body: CaptionBody = call.body
    return cs.public(await uploads.patch_caption(call.ctx, call.params["containerId"], body.caption))


TAGS = ("content",)
ROUTES = [
    Route("POST", "/v1/projects/{projectId}/content/upload", upload_from_urls, scope="content:write", body=UploadBody,
          status=201, summary="Upload finished content from URLs", audit="content.uploaded", tags=TAGS),
    Route("POST", "/v1/projects/{projectId}/content/uploads", create_session, scope="content:write", body=SessionBody,
          status=201, summary="Start a direct upload session", audit="content.upload_session", tags=TAGS),
    Route("PUT", "/_emulator/content-uploads/{token}", put_file, auth=False, raw=True, klass=None,
          summary="Presigned PUT target for content uploads", tags=("emulator",)),
    Route("POST", "/v1/content/{containerId}/finalize-upload", finalize, scope="content:write", body=FinalizeBody,
          summary="Finalize a direct upload", audit="content.upload_finalized", tags=TAGS),
    Route("PATCH", "/v1/content/{containerId}", patch_content, scope="content:write", body=CaptionBody,
          summary="Fix the caption of uploaded content", audit="content.updated", tags=TAGS),
]
