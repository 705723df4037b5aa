"""SDK apps: the ingest endpoint + SDK key a customer's app sends events with. The key is shown
once (create, or PATCH with rotateKey); rotation kills the old key at once."""
from __future__ import annotations

import hashlib
import string
from typing import Any

from emulator import errors
from emulator.context import Ctx
from emulator.ids import stable_int
from emulator.services import projects
from emulator.store.docs import Docs

INGEST_ENDPOINT = "https://in.layers.com/l/events"
BASE62 = string.digits + string.ascii_letters
SDK_APPS = Docs(
    "sdk_apps",
    {"project_id": lambda r: r["projectId"], "key_hash": lambda r: r.get("_keyHash"),
     "created_at": lambda r: r["createdAt"]},
    "SDK app",
)
PUBLIC = ("appId", "projectId", "name", "platform", "bundleId", "androidPackage", "webDomain", "ingestEndpoint", "capi",
          "createdAt", "lastRotatedAt", "lastEventAt")


def public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record.get(k) for k in PUBLIC}


def _new_key(ctx: Ctx, app_id: str, n: int) -> str:
    value = stable_int(ctx.seed, ctx.tenant_id, app_id, "sdk-key", n) * (1 << 64) + stable_int(ctx.seed, app_id, n)
    value = value * (1 << 64) + stable_int(ctx.tenant_id, app_id, n, "tail")
    out = []
    for _ in range(32):
        value, rem = divmod(value, 62)
        out.append(BASE62[rem])
    return "sdk_" + "".join(out)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def check_platform_ids(platform: str, fields: dict[str, Any]) -> None:
    need = {"ios": "bundleId", "android": "androidPackage", "web": "webDomain"}.get(platform)
    if need and not fields.get(need):
        raise errors.Validation(f"{need} is required when platform is {platform}.", path=need)


async def create(ctx: Ctx, project_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    project = await projects.get_active(ctx, project_id)
    check_platform_ids(fields["platform"], fields)
    wanted = fields.get("appId")
    if wanted:
        cur = await ctx.db.execute("SELECT 1 FROM sdk_apps WHERE id = ?", (wanted,))
        if await cur.fetchone() is not None:
            raise errors.Conflict(f"SDK app {wanted} already exists.", details={"appId": wanted})
    app_id = wanted or "app_" + ctx.new_id("")[:36].replace("-", "")[:24]
    key = _new_key(ctx, app_id, 1)
    record = {
        "id": app_id, "appId": app_id, "projectId": project["id"], "name": fields["name"],
        "platform": fields["platform"], "bundleId": fields.get("bundleId"),
        "androidPackage": fields.get("androidPackage"), "webDomain": fields.get("webDomain"),
        "ingestEndpoint": INGEST_ENDPOINT, "capi": {}, "createdAt": ctx.iso_now(), "lastRotatedAt": None,
        "lastEventAt": None, "_keyHash": _hash(key), "_rotations": 1,
    }
    await SDK_APPS.insert(ctx.db, ctx.tenant_id, record)
    return {**public(record), "apiKey": key}


async def get(ctx: Ctx, project_id: str, app_id: str) -> dict[str, Any]:
    project = await projects.get(ctx, project_id)
    return await SDK_APPS.require_in(ctx.db, ctx.tenant_id, app_id, project["id"])


async def patch(ctx: Ctx, project_id: str, app_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    record = await get(ctx, project_id, app_id)
    rotate = changes.pop("rotateKey", False)
    capi = changes.pop("capi", None)
    record.update({k: v for k, v in changes.items()})
    check_platform_ids(record["platform"], record)
    if capi:
        merged = dict(record.get("capi") or {})
        for platform, toggle in capi.items():
            if toggle is None:
                continue
            entry = dict(merged.get(platform) or {"enabled": False, "pixelId": None, "lastForwardAt": None})
            if toggle.get("enabled") and not (toggle.get("pixelId") or entry.get("pixelId")):
                raise errors.Validation(
                    f"Conversions API for {platform} needs a configured pixel and ad credential.",
                    path=f"capi.{platform}.enabled", extra={"code": "CAPI_NOT_CONFIGURED"},
                )
            entry["enabled"] = bool(toggle.get("enabled"))
            if toggle.get("pixelId"):
                entry["pixelId"] = toggle["pixelId"]
            merged[platform] = entry
        record["capi"] = merged
    out: dict[str, Any] = {}
    if rotate:
        record["_rotations"] = int(record.get("_rotations", 1)) + 1
        key = _new_key(ctx, record["id"], record["_rotations"])
        record["_keyHash"] = _hash(key)
        record["lastRotatedAt"] = ctx.iso_now()
        out["apiKey"] = key
    await SDK_APPS.save(ctx.db, ctx.tenant_id, record)
    return {**public(record), **out}


async def provision_for_github(ctx: Ctx, project_id: str, repo: str, platforms: list[str]) -> str:
    """GitHub ingest provisions an SDK app (once per project and repo); returns its id."""
    rows = await SDK_APPS.find(ctx.db, ctx.tenant_id, "project_id = ? AND json_extract(data, '$._repo') = ?",
                               (project_id, repo))
    if rows:
        return str(rows[0]["id"])
    platform = platforms[0] if platforms and platforms[0] in ("react-native", "flutter", "expo") else "react-native"
    app = await create(ctx, project_id, {"name": repo.split("/")[-1][:128], "platform": platform})
    record = await SDK_APPS.require(ctx.db, ctx.tenant_id, app["appId"])
    record["_repo"] = repo
    await SDK_APPS.save(ctx.db, ctx.tenant_id, record)
    return str(app["appId"])
