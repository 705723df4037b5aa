"""Finished-content uploads (creativeType `uploaded`): URL fetch (synchronous, all files checked
before any write) and direct upload (session with presigned PUT URLs → PUT → finalize), plus
the caption fix. No network: a URL's type comes from its extension and its size is derived
deterministically (the onboarding SSRF guard decides what is fetchable)."""
from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from emulator import errors
from emulator.clock import iso, parse_instant
from emulator.context import Ctx
from emulator.ids import stable_int
from emulator.services import approval, generation, projects
from emulator.services import containers as cs
from emulator.store.docs import Docs

MB = 1024 * 1024
TYPES = ("video/mp4", "video/quicktime", "image/jpeg", "image/png", "image/webp")
CAP = {"video": 100 * MB, "image": 30 * MB}
SESSION_TTL = timedelta(minutes=15)

FILES = Docs(
    "content_upload_files",
    {"container_id": lambda r: r["containerId"], "created_at": lambda r: r["createdAt"]},
    "Upload",
)


def _family(mime: str) -> str:
    return "video" if mime.startswith("video/") else "image"


def _shape_error(mimes: list[str], path: str) -> None:
    videos = sum(1 for m in mimes if _family(m) == "video")
    if videos and len(mimes) > 1:
        raise errors.Validation("A video is always posted alone; send one video, one image or 2-10 images.",
                                path=path, extra={"code": "INVALID_POST_SHAPE"})


def platform_fit(kind: str, count: int, duration_ms: int | None) -> dict[str, Any]:
    tiktok: list[str] = []
    instagram: list[str] = []
    if kind == "image" and count == 1:
        tiktok.append("TikTok photo posts work best with 2 or more images.")
    if kind == "video" and duration_ms and duration_ms > 90_000:
        instagram.append("Reels longer than 90 s are not shown in the Reels tab.")
    return {"tiktok": {"ok": True, "warnings": tiktok}, "instagram": {"ok": True, "warnings": instagram}}


def _video_ms(key: str) -> int:
    return 9000 + stable_int("upload-duration", key) % 21001


async def _new(ctx: Ctx, project: dict[str, Any], **fields: Any) -> dict[str, Any]:
    status = await approval.initial_status(ctx, project["id"])
    return cs.blank(ctx, ctx.new_id("cnt"), project["id"], creativeType="uploaded", format=None,
                    adsEnrollment="opted_out", approvalStatus=status, **fields)


async def _complete(ctx: Ctx, c: dict[str, Any], files: list[dict[str, Any]], caption: str) -> None:
    kind = "video" if _family(files[0]["contentType"]) == "video" else ("image" if len(files) == 1 else "slideshow")
    duration = _video_ms(c["id"]) if kind == "video" else None
    cs.build_media(ctx, c, kind, len(files), duration_ms=duration, uploads=files)
    for asset, f in zip(c["assets"], files):
        if f.get("sourceUrl"):
            asset["sourceUrl"] = f["sourceUrl"]
    c.update(caption=caption, status="completed", completedAt=ctx.iso_now(),
             platformFit=platform_fit("video" if kind == "video" else "image", len(files), duration))


async def from_urls(ctx: Ctx, project_id: str, urls: list[str], caption: str) -> dict[str, Any]:
    from emulator.services.media_guard import UrlRefused, infer  # onboarding's SSRF guard (shared rules)

    project = await projects.get_active(ctx, project_id)
    files = []
    for i, url in enumerate(urls):
        path = f"media.{i}.url"
        try:
            fetched = infer(url, CAP["video"])
        except UrlRefused as exc:
            raise errors.Validation(exc.message, path=path, extra={"reason": exc.reason}) from None
        if fetched.mime_type not in TYPES:
            raise errors.Validation(f"{fetched.mime_type} is not accepted; send {', '.join(TYPES)}.", path=path,
                                    extra={"reason": "MIME_NOT_ALLOWED", "mimeType": fetched.mime_type})
        cap = CAP[_family(fetched.mime_type)]
        if fetched.byte_size > cap:
            raise errors.Validation(f"The file is {fetched.byte_size} bytes; the cap is {cap // MB} MB.", path=path,
                                    extra={"reason": "TOO_LARGE", "limits": {"maxBytes": cap}})
        files.append({"filename": fetched.filename, "contentType": fetched.mime_type,
                      "sizeBytes": fetched.byte_size, "sourceUrl": url})
    _shape_error([f["contentType"] for f in files], "media")
    c = await _new(ctx, project)
    await _complete(ctx, c, files, caption)
    await cs.insert(ctx, c)
    await generation.announce_completed(ctx, c)
    return c


async def create_session(ctx: Ctx, project_id: str, files: list[dict[str, Any]], grouping: str,
                         caption: str | None, base_url: str) -> dict[str, Any]:
    project = await projects.get_active(ctx, project_id)
    for i, f in enumerate(files):
        cap = CAP[_family(f["contentType"])]
        if f["sizeBytes"] > cap:
            raise errors.Validation(f"files[{i}] is over the {cap // MB} MB cap for {_family(f['contentType'])}.",
                                    path=f"files.{i}.sizeBytes", extra={"limits": {"maxBytes": cap}})
    if grouping == "slideshow":
        if any(_family(f["contentType"]) == "video" for f in files):
            raise errors.Validation("A slideshow takes images only.", path="grouping", extra={"code": "INVALID_POST_SHAPE"})
        if len(files) < 2:
            raise errors.Validation("A slideshow needs 2-10 images.", path="files")
        groups = [files]
    else:
        groups = [[f] for f in files]
    expires = ctx.now + SESSION_TTL
    out_files, ids = [], []
    for group in groups:
        c = await _new(ctx, project)
        c["_upload"] = {"expiresAt": iso(expires), "caption": caption}
        await cs.insert(ctx, c)
        ids.append(c["id"])
        for index, f in enumerate(group):
            token = ctx.tenant.ids.token(24)
            row = {"id": token, "containerId": c["id"], "index": index, "filename": f["filename"],
                   "contentType": f["contentType"], "sizeBytes": f["sizeBytes"], "expiresAt": iso(expires),
                   "receivedBytes": None, "checksumSha256": None, "createdAt": ctx.iso_now()}
            await FILES.insert(ctx.db, ctx.tenant_id, row)
            out_files.append({
                "filename": f["filename"], "contentType": f["contentType"], "sizeBytes": f["sizeBytes"],
                "containerId": c["id"], "uploadUrl": f"{base_url.rstrip('/')}/_emulator/content-uploads/{token}",
                "method": "PUT", "headers": {"Content-Type": f["contentType"]}, "expiresAt": iso(expires),
            })
        await ctx.record("transition", {"containerId": c["id"], "to": "queued", "creativeType": "uploaded"},
                         type="content.upload_session", project_id=project["id"])
    return {"grouping": grouping, "containerIds": ids, "expiresAt": iso(expires), "files": out_files}


async def tenant_of(db: Any, token: str) -> str | None:
    cur = await db.execute("SELECT tenant_id FROM content_upload_files WHERE id = ?", (token,))
    row = await cur.fetchone()
    return str(row[0]) if row else None


async def receive(ctx: Ctx, token: str, body: bytes, content_type: str | None) -> dict[str, Any]:
    row = await FILES.require(ctx.db, ctx.tenant_id, token)
    if ctx.now > parse_instant(row["expiresAt"]):
        raise errors.custom("UPLOAD_URL_EXPIRED", 403, "This upload URL has expired; start a new upload session.")
    if (content_type or "").split(";")[0].strip().lower() != row["contentType"]:
        raise errors.custom("SIGNATURE_MISMATCH", 403,
                            f"Content-Type must be exactly {row['contentType']} (it is part of the signature).",
                            {"expected": row["contentType"], "got": content_type})
    if len(body) > row["sizeBytes"]:
        raise errors.custom("ENTITY_TOO_LARGE", 400, f"The body is larger than the declared {row['sizeBytes']} bytes.",
                            {"declared": row["sizeBytes"], "received": len(body)})
    row["receivedBytes"] = len(body)
    row["checksumSha256"] = hashlib.sha256(body).hexdigest()
    row["receivedAt"] = ctx.iso_now()
    await FILES.save(ctx.db, ctx.tenant_id, row)
    return row


async def finalize(ctx: Ctx, container_id: str, caption: str) -> dict[str, Any]:
    c = await cs.get(ctx, container_id)
    if c.get("creativeType") != "uploaded" or ("_upload" not in c and c["status"] != "completed"):
        raise errors.Conflict(f"Content {c['id']} is not an upload session.", details={"containerId": c["id"]})
    if c["status"] == "completed":  # idempotent by state: the retry body is ignored
        return c
    rows = await FILES.find(ctx.db, ctx.tenant_id, "container_id = ?", (c["id"],), order="json_extract(data, '$.index')")
    missing = [r["filename"] for r in rows if r["receivedBytes"] is None]
    if missing:
        raise errors.custom("UPLOAD_INCOMPLETE", 409, f"{len(missing)} declared file(s) were not uploaded yet.",
                            {"containerId": c["id"], "missingFiles": missing})
    short = [r for r in rows if r["receivedBytes"] != r["sizeBytes"]]
    if short:
        r = short[0]
        raise errors.Validation(f"{r['filename']} has {r['receivedBytes']} bytes; {r['sizeBytes']} were declared.",
                                path="files", extra={"sizeMismatch": [
                                    {"filename": x["filename"], "declared": x["sizeBytes"], "received": x["receivedBytes"]}
                                    for x in short]})
    files = [{"filename": r["filename"], "contentType": r["contentType"], "sizeBytes": r["sizeBytes"]} for r in rows]
    upload = c.pop("_upload", {}) or {}
    await _complete(ctx, c, files, caption)
    c["_uploadedFiles"] = json.loads(json.dumps(files))
    c["_sessionCaption"] = upload.get("caption")
    await cs.save(ctx, c)
    await generation.announce_completed(ctx, c)
    return c


async def patch_caption(ctx: Ctx, container_id: str, caption: str) -> dict[str, Any]:
    c = await cs.get(ctx, container_id)
    if c.get("creativeType") != "uploaded":
        raise errors.Validation("Only uploaded content can be edited; generate again to change generated text.",
                                path="caption", extra={"creativeType": c.get("creativeType")})
    if c["status"] != "completed":
        raise errors.Conflict(f"Content {c['id']} is not finalized yet; set the caption at finalize.",
                              details={"status": c["status"]})
    c["caption"] = caption
    await cs.save(ctx, c)
    await ctx.record("transition", {"containerId": c["id"], "caption": "updated"}, type="content.caption_updated",
                     project_id=c["projectId"])
    return c
