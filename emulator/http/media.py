"""App media (`POST /v1/projects/{id}/app-media`) and the media library (inline upload,
presign, the emulator-hosted presigned PUT, finalize)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator
from starlette.responses import Response

from emulator import errors
from emulator.http.api import Body, Call, Reply, Route
from emulator.http.fields import text
from emulator.http.social import tenant_ctx
from emulator.services import media

AppKind = Literal["logo", "screenshot", "demo-video", "end-card"]
LibraryKind = Literal["image", "video", "audio", "logo", "reference_image"]
Checksum = Field(default=None, pattern=r"^[0-9a-fA-F]{64}$")
Mime = text(3, 255)


class AppMedia(Body):
    kind: AppKind
    url: text(1, 4096)  # type: ignore[valid-type]


class _MimeAlias(Body):
    mimeType: Mime | None = None  # type: ignore[valid-type]
    contentType: Mime | None = None  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _one_type(self) -> _MimeAlias:
        if not (self.mimeType or self.contentType):
            raise ValueError("mimeType (or contentType) is required")
        if self.mimeType and self.contentType and self.mimeType != self.contentType:
            raise ValueError("mimeType and contentType disagree")
        if "/" not in (self.mimeType or self.contentType or ""):
            raise ValueError("mimeType must look like type/subtype")
        return self

    @property
    def mime(self) -> str:
        return str(self.mimeType or self.contentType).lower()


class InlineUpload(_MimeAlias):
    kind: LibraryKind
    dataBase64: text(1, 400_000)  # type: ignore[valid-type]
    filename: text(1, 256) | None = None  # type: ignore[valid-type]


class Presign(_MimeAlias):
    kind: LibraryKind
    filename: text(1, 256) | None = None  # type: ignore[valid-type]
    sizeBytes: int | None = Field(default=None, ge=1, le=2 * 1024**3)
    byteSize: int | None = Field(default=None, ge=1, le=2 * 1024**3)
    checksumSha256: str | None = Checksum


class Finalize(Body):
    uploadId: text(1, 64)  # type: ignore[valid-type]
    checksumSha256: str | None = Checksum


async def app_media(call: Call) -> Reply:
    body: AppMedia = call.body
    record = await media.upload_app_media(call.ctx, call.params["projectId"], body.kind, body.url)
    return Reply(media.public(record), 201)


async def inline_upload(call: Call) -> Reply:
    body: InlineUpload = call.body
    record = await media.upload_inline(call.ctx, call.params["projectId"], body.kind, body.dataBase64, body.mime,
                                       body.filename)
    return Reply(media.public(record), 201)


async def presign(call: Call) -> dict[str, Any]:
    body: Presign = call.body
    if body.sizeBytes and body.byteSize and body.sizeBytes != body.byteSize:
        raise errors.Validation("sizeBytes and byteSize disagree.", path="sizeBytes")
    return await media.presign(
        call.ctx, call.params["projectId"], kind=body.kind, mime=body.mime, filename=body.filename,
        size=body.sizeBytes or body.byteSize, checksum=body.checksumSha256, base_url=str(call.request.base_url),
    )


async def finalize(call: Call) -> dict[str, Any]:
    body: Finalize = call.body
    record = await media.finalize(call.ctx, call.params["projectId"], body.uploadId, body.checksumSha256)
    return media.public(record)


async def put_upload(call: Call) -> Response:
    """The presigned URL (no key: the upload id names the tenant)."""
    upload_id = call.params["uploadId"]
    emu = call.request.app.state.emulator
    async with emu.store.read() as db:
        tenant_id = await media.tenant_of_upload(db, upload_id)
    if tenant_id is None:
        raise errors.NotFound(f"Upload {upload_id} not found.")
    data = await call.request.body()
    async with tenant_ctx(call.request, tenant_id) as ctx:
        upload = await media.receive(ctx, upload_id, data, call.request.headers.get("content-type"))
    return Response(status_code=200, headers={"ETag": f'"{upload["uploaded"]["checksumSha256"][:32]}"'})


TAGS = ("media",)
ROUTES = [
    Route("POST", "/v1/projects/{projectId}/app-media", app_media, scope="projects:write", body=AppMedia, status=201,
          summary="Upload app media from a URL", tags=TAGS),
    Route("POST", "/v1/projects/{projectId}/media", inline_upload, scope="projects:write", body=InlineUpload,
          status=201, summary="Upload media inline (base64)", tags=TAGS),
    Route("POST", "/v1/projects/{projectId}/media/presign", presign, scope="projects:write", body=Presign,
          summary="Presign a media upload", tags=TAGS),
    Route("POST", "/v1/projects/{projectId}/media/finalize", finalize, scope="projects:write", body=Finalize,
          summary="Finalize a presigned upload", tags=TAGS),
    Route("PUT", "/_emulator/uploads/{uploadId}", put_upload, auth=False, raw=True, klass=None,
          summary="Presigned upload target (PUT the bytes)", tags=("control",)),
]
