"""Content containers: the stored record, its public shape, reads and lists, media assets, and
the approval gate other areas consult.

Interface for other areas (publishing, distribution):
    await get(ctx, container_id) -> dict          # 404 NOT_FOUND outside the tenant
    public(container) -> dict                      # the API object
    approval_gate(container) -> "ok" | "pending" | "rejected"
    await save(ctx, container)                     # after changing a stored record
    ON_APPROVED / ON_REJECTED / ON_COMPLETED        # hook lists: async fn(ctx, container) -> Any
ON_APPROVED hooks may return `{scheduledPostIds, scheduledFor}` (a promoted stash); the approve
answer carries the first non-None one as `pendingSchedulePromotion`.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from emulator import errors, media
from emulator.context import Ctx
from emulator.ids import normalize_id, uuid_from
from emulator.pagination import PageRequest
from emulator.store.docs import Docs

Hook = Callable[[Ctx, dict[str, Any]], Awaitable[Any]]
ON_APPROVED: list[Hook] = []
ON_REJECTED: list[Hook] = []
ON_COMPLETED: list[Hook] = []
on_approved, on_rejected, on_completed = ON_APPROVED, ON_REJECTED, ON_COMPLETED  # the same lists, lower-case names

CONTAINERS = Docs(
    "containers",
    {
        "project_id": lambda r: r["projectId"],
        "status": lambda r: r["status"],
        "approval_status": lambda r: r.get("approvalStatus"),
        "created_at": lambda r: r["createdAt"],
        "completed_at": lambda r: r.get("completedAt"),
    },
    "Content container",
)

STATUSES = ("queued", "processing", "completed", "failed", "canceled")
FORMATS = ("slideshow-builder", "slideshow-remix", "video-remix", "ugc-remix")
TERMINAL = ("completed", "failed", "canceled")


def normalize_format(value: str) -> str:
    return value.replace("_", "-")


def blank(ctx: Ctx, container_id: str, project_id: str, **fields: Any) -> dict[str, Any]:
    """A new record with every public field present (nulls / empty while in flight)."""
    now = ctx.iso_now()
    record: dict[str, Any] = {
        "id": container_id,
        "projectId": project_id,
        "status": "queued",
        "format": None,
        "creativeType": "generated",
        "hook": None,
        "caption": None,
        "firstComment": None,
        "influencerId": None,
        "socialAccountId": None,
        "sourceTiktokId": None,
        "mediaId": None,
        "projectLayerId": None,
        "preview": None,
        "assets": [],
        "primaryAsset": None,
        "approvalStatus": "not_required",
        "approvedAt": None,
        "approvedBy": None,
        "rejectedAt": None,
        "rejectedBy": None,
        "rejectionReason": None,
        "adsEnrollment": "enrolled",
        "jobId": None,
        "createdAt": now,
        "updatedAt": now,
        "completedAt": None,
        "failedAt": None,
        "canceledAt": None,
        "lastError": None,
        "_tok": media.token(ctx.seed, ctx.tenant_id, container_id),
    }
    record.update(fields)
    return record


_MEDIA_PATH = "/_emulator/media/"


def _absolute(value: Any, base: str | None = None) -> Any:
    """Media paths made absolute, throughout a stored value (JSON types only). Leaves are
    handled in place, without a call each: assets are flat dicts, thousands a week."""
    base = base or media.base_url()
    kind = type(value)
    if kind is str:
        return base + value if value.startswith(_MEDIA_PATH) else value
    if kind is list:
        return [
            (base + v if v.startswith(_MEDIA_PATH) else v) if type(v) is str
            else _absolute(v, base) if type(v) in (list, dict) else v
            for v in value
        ]
    if kind is dict:
        return {
            k: (base + v if v.startswith(_MEDIA_PATH) else v) if type(v) is str
            else _absolute(v, base) if type(v) in (list, dict) else v
            for k, v in value.items()
        }
    return value


def public_assets(container: dict[str, Any]) -> Any:
    """`public(container)["assets"]`, without building the rest of the public view."""
    return _absolute(container.get("assets"), media.base_url())


def public(container: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in container.items() if not k.startswith("_")}
    base = media.base_url()
    for key in ("preview", "assets", "primaryAsset"):
        out[key] = _absolute(out.get(key), base)
    return out


async def insert(ctx: Ctx, container: dict[str, Any]) -> dict[str, Any]:
    return await CONTAINERS.insert(ctx.db, ctx.tenant_id, container)


async def save(ctx: Ctx, container: dict[str, Any]) -> dict[str, Any]:
    container["updatedAt"] = ctx.iso_now()
    return await CONTAINERS.save(ctx.db, ctx.tenant_id, container)


async def find(ctx: Ctx, container_id: str) -> dict[str, Any] | None:
    return await CONTAINERS.get(ctx.db, ctx.tenant_id, normalize_id("cnt", container_id))


async def get(ctx: Ctx, container_id: str) -> dict[str, Any]:
    found = await find(ctx, container_id)
    if found is None:
        raise errors.NotFound(f"Content container {container_id} not found.")
    return found


async def id_taken(ctx: Ctx, container_id: str) -> bool:
    cur = await ctx.db.execute("SELECT 1 FROM containers WHERE id = ?", (container_id,))
    return await cur.fetchone() is not None


async def for_project(ctx: Ctx, project_id: str, where: str = "1=1", params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    return await CONTAINERS.find(ctx.db, ctx.tenant_id, f"project_id = ? AND ({where})", (project_id, *params),
                                 order="created_at, rowid")


def approval_gate(container: dict[str, Any]) -> str:
    return gate_for(container.get("approvalStatus"))


def gate_for(approval_status: str | None) -> str:
    """"ok" | "pending" | "rejected": whether content with this approval status may publish."""
    if approval_status == "pending":
        return "pending"
    if approval_status == "rejected":
        return "rejected"
    return "ok"


async def list_page(
    ctx: Ctx, project_id: str, page: PageRequest, *, statuses: list[str], formats: list[str],
    creative_type: str | None, since: str | None, until: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    where, params = ["project_id = ?"], [project_id]
    if statuses:
        where.append(f"status IN ({','.join('?' for _ in statuses)})")
        params += statuses
    if formats:
        where.append(f"json_extract(data, '$.format') IN ({','.join('?' for _ in formats)})")
        params += formats
    if creative_type:
        where.append("json_extract(data, '$.creativeType') = ?")
        params.append(creative_type)
    if since:
        where.append("created_at >= ?")
        params.append(since)
    if until:
        where.append("created_at <= ?")
        params.append(until)
    items, cursor = await CONTAINERS.page(ctx.db, ctx.tenant_id, page, where=" AND ".join(where), params=params)
    return [public(c) for c in items], cursor


# ---------------------------------------------------------------------------- media


def _asset(tok: str, asset_id: str, kind: str, *, duration_ms: int | None = None,
           mime: str | None = None, size: int | None = None, name: str | None = None) -> dict[str, Any]:
    if kind == "video":
        file = f"{asset_id}-{duration_ms or 15000}ms.mp4"
    else:
        file = f"{asset_id}.png"
    served = media.fingerprint(tok, file)
    assert served is not None
    served_size, served_sha, served_mime = served
    width, height = (media.IMAGE_SIZE if kind == "image" else (1080, 1920))
    asset: dict[str, Any] = {
        "assetId": asset_id,
        "kind": kind,
        "url": media.path(tok, file),
        "thumbnailUrl": media.path(tok, f"{asset_id}-thumb.png"),
        "durationMs": duration_ms if kind == "video" else None,
        "width": width,
        "height": height,
        "mimeType": mime or served_mime,
        "sizeBytes": size if size is not None else served_size,
        "checksumSha256": served_sha if size is None else None,
    }
    if name:
        asset["filename"] = name
    return asset


def build_media(ctx: Ctx, container: dict[str, Any], kind: str, count: int = 1, *,
                duration_ms: int | None = None, uploads: list[dict[str, Any]] | None = None) -> None:
    """Fill `assets`, `primaryAsset` and `preview` for a finished container.
    kind: `slideshow` (count images) | `video` | `image`; `uploads` carries declared files."""
    tok = container["_tok"]
    cid = container["id"]
    assets = []
    if kind == "video":
        up = (uploads or [{}])[0]
        assets.append(_asset(tok, f"video-{uuid_from(ctx.seed, cid, 'asset', 0)}", "video", duration_ms=duration_ms,
                             mime=up.get("contentType"), size=up.get("sizeBytes"), name=up.get("filename")))
    else:
        for i in range(count):
            up = (uploads or [])[i] if uploads and i < len(uploads) else {}
            assets.append(_asset(tok, f"image-{uuid_from(ctx.seed, cid, 'asset', i)}", "image",
                                 mime=up.get("contentType"), size=up.get("sizeBytes"), name=up.get("filename")))
    container["assets"] = assets
    container["primaryAsset"] = assets[0]
    first = assets[0]
    if kind == "video":
        container["preview"] = {
            "kind": "video", "primaryUrl": first["url"], "videoUrl": first["url"],
            "thumbnailUrl": first["thumbnailUrl"], "hlsUrl": None, "durationMs": duration_ms,
            "aspectRatio": "9:16", "imageUrls": [],
        }
    else:
        container["preview"] = {
            "kind": "slideshow" if kind == "slideshow" else "image", "primaryUrl": first["url"],
            "thumbnailUrl": first["thumbnailUrl"], "imageUrls": [a["url"] for a in assets],
            "imageCount": len(assets), "aspectRatio": "9:16",
        }


def find_asset(container: dict[str, Any], asset_id: str) -> dict[str, Any]:
    for asset in container.get("assets") or []:
        if asset["assetId"] == asset_id:
            out = {"containerId": container["id"], **_absolute(asset)}
            return {k: v for k, v in out.items() if v is not None or k in ("thumbnailUrl",)}
    raise errors.NotFound(f"Asset {asset_id} not found on container {container['id']}.")
