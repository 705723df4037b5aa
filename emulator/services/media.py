"""Media: app media (URL upload through the SSRF guard; logo / end-card replace, screenshot /
demo-video append) and the media library (inline base64 upload, presign → PUT → finalize).
One table (`media`, ids `med_`); `assetId` and `mediaId` name the same thing.

Interface for other areas: `await find_assets(ctx, ids)`, `await app_media(ctx, project_id, kind)`
(active rows of a kind, oldest first; content uses `demo-video` for ugc-remix).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import timedelta
from typing import Any

from emulator import errors
from emulator.clock import iso, parse_instant
from emulator.context import Ctx
from emulator.fakes.onboarding import CDN
from emulator.services import projects
from emulator.services.media_guard import UrlRefused, infer
from emulator.store.docs import Docs

MB = 1024 * 1024
APP_KINDS: dict[str, dict[str, Any]] = {
    "logo": {"role": "logo", "replace": True, "cap": 5 * MB,
             "mimes": ("image/png", "image/jpeg", "image/webp", "image/svg+xml")},
    "screenshot": {"role": "app-screenshot", "replace": False, "cap": 10 * MB,
                   "mimes": ("image/png", "image/jpeg", "image/webp", "image/heic")},
    "demo-video": {"role": "app-demo", "replace": False, "cap": 200 * MB,
                   "mimes": ("video/mp4", "video/quicktime", "video/webm")},
    "end-card": {"role": "end-card", "replace": True, "cap": 5 * MB,
                 "mimes": ("image/png", "image/jpeg", "image/webp")},
}
LIBRARY_KINDS = ("image", "video", "audio", "logo", "reference_image")
INLINE_CAP = 256 * 1024
PRESIGN_TTL = timedelta(minutes=15)
UPLOAD_GC = timedelta(hours=24)

MEDIA = Docs(
    "media",
    {"project_id": lambda r: r["projectId"], "kind": lambda r: r["kind"], "status": lambda r: r["_status"],
     "created_at": lambda r: r["createdAt"]},
    "Media",
)
UPLOADS = Docs(
    "media_uploads",
    {"project_id": lambda r: r["projectId"], "status": lambda r: r["status"], "created_at": lambda r: r["createdAt"]},
    "Upload",
)


def public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if not k.startswith("_")}


def _cdn(project_id: str, media_id: str, filename: str) -> str:
    return f"{CDN}/media/{project_id}/{media_id}/{filename}"


async def find_assets(ctx: Ctx, ids: list[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    marks = ",".join("?" for _ in ids)
    return await MEDIA.find(ctx.db, ctx.tenant_id, f"id IN ({marks}) AND status = 'active'", list(ids))


async def app_media(ctx: Ctx, project_id: str, kind: str) -> list[dict[str, Any]]:
    return await MEDIA.find(ctx.db, ctx.tenant_id, "project_id = ? AND kind = ? AND status = 'active'",
                            (project_id, kind), order="created_at, rowid")


# ---------------------------------------------------------------- app media (URL upload)

async def upload_app_media(ctx: Ctx, project_id: str, kind: str, url: str) -> dict[str, Any]:
    project = await projects.get_active(ctx, project_id)
    spec = APP_KINDS[kind]
    try:
        fetched = infer(url, spec["cap"])
    except UrlRefused as exc:
        raise errors.Validation(exc.message, path="url", extra={"reason": exc.reason}) from None
    if fetched.mime_type not in spec["mimes"]:
        raise errors.Validation(
            f"{kind} accepts {', '.join(spec['mimes'])}; the URL serves {fetched.mime_type}.",
            path="url", extra={"reason": "MIME_NOT_ALLOWED", "mimeType": fetched.mime_type, "allowed": list(spec["mimes"])},
        )
    if fetched.byte_size > spec["cap"]:
        raise errors.Validation(
            f"{kind} is capped at {spec['cap'] // MB} MB; the URL serves {fetched.byte_size} bytes.",
            path="url", extra={"reason": "TOO_LARGE", "byteSize": fetched.byte_size, "maxBytes": spec["cap"]},
        )
    if spec["replace"]:
        for old in await app_media(ctx, project["id"], kind):
            old["_status"] = "deleted"
            old["deletedAt"] = ctx.iso_now()
            await MEDIA.save(ctx.db, ctx.tenant_id, old)
    media_id = ctx.new_id("med")
    record = {
        "id": media_id, "kind": kind, "role": spec["role"], "url": _cdn(project["id"], media_id, fetched.filename),
        "sourceUrl": url, "mimeType": fetched.mime_type, "byteSize": fetched.byte_size, "projectId": project["id"],
        "createdAt": ctx.iso_now(), "_status": "active", "_surface": "app-media",
    }
    await MEDIA.insert(ctx.db, ctx.tenant_id, record)
    if kind == "logo":
        project["brandContext"] = {**_empty_context(project), **(project.get("brandContext") or {}), "logoUrl": record["url"]}
        project["updatedAt"] = ctx.iso_now()
        await projects.save(ctx, project)
    return record


def _empty_context(project: dict[str, Any]) -> dict[str, Any]:
    return {"appName": project.get("appName"), "appDescription": project.get("appDescription"),
            "tagline": project.get("tagline"), "audience": None, "icp": None, "brandVoice": project.get("brandVoice"),
            "keywords": [], "primaryLanguage": project.get("primaryLanguage", "en"), "logoUrl": None}


# ---------------------------------------------------------------- media library

def _library_record(
    ctx: Ctx, project_id: str, media_id: str, *, kind: str, mime: str, size: int, filename: str | None,
    checksum: str, upload_id: str | None,
) -> dict[str, Any]:
    name = filename or f"{media_id[4:]}.{mime.split('/')[-1].split('+')[0]}"
    return {
        "id": media_id, "mediaId": media_id, "assetId": media_id, "projectId": project_id, "kind": kind,
        "url": _cdn(project_id, media_id, name), "thumbnailUrl": None, "contentType": mime, "mimeType": mime,
        "byteSize": size, "filename": filename, "checksumSha256": checksum, "uploadId": upload_id,
        "createdAt": ctx.iso_now(), "_status": "active", "_surface": "library",
    }


async def upload_inline(ctx: Ctx, project_id: str, kind: str, data_b64: str, mime: str, filename: str | None) -> dict[str, Any]:
    project = await projects.get_active(ctx, project_id)
    try:
        raw = base64.b64decode(data_b64, validate=True)
    except (binascii.Error, ValueError):
        raise errors.Validation("dataBase64 is not valid base64.", path="dataBase64") from None
    if len(raw) >= INLINE_CAP:
        raise errors.Validation(
            f"Inline uploads must decode to less than 256 KB ({len(raw)} bytes); use presign + finalize.",
            path="dataBase64", extra={"byteSize": len(raw), "maxBytes": INLINE_CAP - 1},
        )
    media_id = ctx.new_id("med")
    record = _library_record(ctx, project["id"], media_id, kind=kind, mime=mime, size=len(raw), filename=filename,
                             checksum=hashlib.sha256(raw).hexdigest(), upload_id=None)
    await MEDIA.insert(ctx.db, ctx.tenant_id, record)
    return record


async def presign(
    ctx: Ctx, project_id: str, *, kind: str, mime: str, filename: str | None, size: int | None,
    checksum: str | None, base_url: str,
) -> dict[str, Any]:
    project = await projects.get_active(ctx, project_id)
    upload_id = ctx.new_id("upl")
    expires = iso(ctx.now + PRESIGN_TTL)
    headers = {"Content-Type": mime}
    if size is not None:
        headers["Content-Length"] = str(size)
    record = {
        "id": upload_id, "uploadId": upload_id, "projectId": project["id"], "kind": kind, "mimeType": mime,
        "filename": filename, "sizeBytes": size, "checksumSha256": checksum, "status": "presigned",
        "createdAt": ctx.iso_now(), "expiresAt": expires, "uploaded": None, "mediaId": None,
    }
    await UPLOADS.insert(ctx.db, ctx.tenant_id, record)
    return {"uploadId": upload_id, "uploadUrl": f"{base_url.rstrip('/')}/_emulator/uploads/{upload_id}",
            "method": "PUT", "headers": headers, "expiresAt": expires}


async def tenant_of_upload(db: Any, upload_id: str) -> str | None:
    cur = await db.execute("SELECT tenant_id FROM media_uploads WHERE id = ?", (upload_id,))
    row = await cur.fetchone()
    return row[0] if row else None


async def receive(ctx: Ctx, upload_id: str, body: bytes, content_type: str | None) -> dict[str, Any]:
    """The presigned PUT: checks expiry and Content-Type, stores size and checksum."""
    upload = await UPLOADS.require(ctx.db, ctx.tenant_id, upload_id)
    if ctx.now >= parse_instant(upload["expiresAt"]) or upload["status"] == "finalized":
        raise errors.custom("ACCESS_DENIED", 403, "The presigned URL has expired or was already used.")
    if (content_type or "").split(";")[0].strip().lower() != upload["mimeType"].lower():
        raise errors.custom("SIGNATURE_MISMATCH", 403,
                            f"Content-Type must be {upload['mimeType']}, the type the URL was signed for.")
    upload["uploaded"] = {"byteSize": len(body), "checksumSha256": hashlib.sha256(body).hexdigest(),
                          "at": ctx.iso_now()}
    upload["status"] = "uploaded"
    await UPLOADS.save(ctx.db, ctx.tenant_id, upload)
    return upload


async def finalize(ctx: Ctx, project_id: str, upload_id: str, checksum: str | None) -> dict[str, Any]:
    project = await projects.get(ctx, project_id)
    upload = await UPLOADS.get(ctx.db, ctx.tenant_id, upload_id)
    if upload is None or upload["projectId"] != project["id"] or (
        upload["status"] != "finalized" and ctx.now >= parse_instant(upload["createdAt"]) + UPLOAD_GC
    ):
        raise errors.NotFound(f"Upload {upload_id} not found.")
    if upload["status"] == "finalized":
        return await MEDIA.require(ctx.db, ctx.tenant_id, upload["mediaId"])
    got = upload.get("uploaded")
    if got is None:
        raise errors.custom("UPLOAD_INCOMPLETE", 409, f"Nothing was PUT to upload {upload_id} yet.",
                            {"uploadId": upload_id})
    if upload.get("sizeBytes") is not None and upload["sizeBytes"] != got["byteSize"]:
        raise errors.Validation(
            f"The object holds {got['byteSize']} bytes; presign declared {upload['sizeBytes']}.",
            path="sizeBytes", extra={"declared": upload["sizeBytes"], "actual": got["byteSize"]},
        )
    expected = checksum or upload.get("checksumSha256")
    if expected and expected.lower() != got["checksumSha256"]:
        raise errors.Validation("checksumSha256 does not match the uploaded bytes.", path="checksumSha256")
    media_id = ctx.new_id("med")
    record = _library_record(ctx, project["id"], media_id, kind=upload["kind"], mime=upload["mimeType"],
                             size=got["byteSize"], filename=upload["filename"], checksum=got["checksumSha256"],
                             upload_id=upload_id)
    await MEDIA.insert(ctx.db, ctx.tenant_id, record)
    upload.update(status="finalized", mediaId=media_id)
    await UPLOADS.save(ctx.db, ctx.tenant_id, upload)
    return record
