"""Child-organization API keys (platform sheet §5.2-§5.4), managed with the parent's `org:admin`
key: mint (scopes a subset of the caller's, never `org:admin`; env live|test, test ⇒ tier
sandbox), list (masked, newest first), rotate (dual secret: a NEW key, the old one works for
24 h, `supersededBy` chains K → K2 → K3) and delete (immediate revoke, idempotent)."""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from emulator import errors
from emulator.auth import scope_granted
from emulator.clock import iso
from emulator.context import Ctx
from emulator.ids import b64url, crockford, normalize_id
from emulator.pagination import PageRequest, encode_cursor
from emulator.store import codec
from emulator.tenancy import Tenant

GRACE = timedelta(hours=24)
KEY_ID = re.compile(r"key_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIER = {"test": "sandbox", "live": "standard"}
WARNING = "Store this secret now: it is shown only once and cannot be recovered."


def key_id_from(raw: str) -> str:
    value = normalize_id("key", raw.strip())
    if not KEY_ID.fullmatch(value):
        raise errors.Validation("keyId must be key_<uuid> or a bare UUID.", path="keyId")
    return value


def view(key: dict[str, Any], now: Any) -> dict[str, Any]:
    """The masked key object; a rotated key whose grace has ended reads as revoked."""
    out = dict(key)
    grace = out.get("graceUntil")
    if out.get("status") == "active" and grace and grace <= (iso(now) or ""):
        out.update(status="revoked", isActive=False, revokedAt=grace)
    return out


async def _mint_string(ctx: Ctx, child: Tenant, env: str) -> tuple[str, str]:
    n = ctx.tenant.ids.number("child-key")
    keyid = crockford(16, ctx.seed, "child-keyid", child.id, n)
    secret = b64url(32, ctx.seed, "child-secret", child.id, n)
    return f"lp_{env}_{keyid}_{secret}", keyid


def check_scopes(scopes: list[str], granted: list[str]) -> None:
    if not scopes:
        raise errors.Validation("scopes must hold at least one scope.", path="scopes")
    if len(scopes) > 64:
        raise errors.Validation("scopes holds at most 64 entries.", path="scopes")
    for i, scope in enumerate(scopes):
        if not isinstance(scope, str) or not scope.strip():
            raise errors.Validation("each scope is a non-empty string.", path=f"scopes.{i}")
    if "org:admin" in scopes:
        raise errors.ForbiddenScope(
            "org:admin is never delegable to a child organization's key.",
            details={"requiredScope": "org:admin", "grantedScopes": granted, "requestedScope": "org:admin"},
        )
    for scope in scopes:
        if not scope_granted(scope, granted):
            raise errors.ForbiddenScope(
                f"A child key's scopes must be a subset of yours; you do not hold '{scope}'.",
                details={"requiredScope": scope, "grantedScopes": granted},
            )


async def mint(
    ctx: Ctx, child: Tenant, *, name: str, scopes: list[str], env: str, granted: list[str]
) -> dict[str, Any]:
    check_scopes(scopes, granted)
    key, keyid = await _mint_string(ctx, child, env)
    record = await ctx.emu.keys.add_key(
        ctx.db, child, key, keyid=keyid, name=name, scopes=list(dict.fromkeys(scopes)), tier=TIER[env]
    )
    await ctx.record("transition", {"organizationId": child.id, "apiKeyId": record["id"], "to": "active"},
                     type="api_key.created")
    return {"apiKey": view(record, child.now()), "secret": key, "warning": WARNING}


async def page(ctx: Ctx, child: Tenant, request: PageRequest) -> tuple[list[dict[str, Any]], str | None]:
    where: list[str] = ["tenant_id = ?"]
    params: list[Any] = [child.id]
    if request.cursor is not None:
        r = request.cursor.get("r")
        if not isinstance(r, int):
            raise errors.Validation("cursor is malformed; pass back nextCursor verbatim", path="cursor")
        where.append("rowid < ?")
        params.append(r)
    rows = list(await ctx.db.execute_fetchall(
        f"SELECT rowid, data FROM api_keys WHERE {' AND '.join(where)} ORDER BY rowid DESC LIMIT ?",
        (*params, request.limit + 1),
    ))
    items = [view(codec.loads(r[1]), child.now()) for r in rows[: request.limit]]
    cursor = encode_cursor({"r": rows[request.limit - 1][0]}) if len(rows) > request.limit else None
    return items, cursor


async def _load(ctx: Ctx, child: Tenant, raw_key_id: str) -> dict[str, Any]:
    key_id = key_id_from(raw_key_id)
    cur = await ctx.db.execute("SELECT data FROM api_keys WHERE id = ? AND tenant_id = ?", (key_id, child.id))
    row = await cur.fetchone()
    if row is None:
        raise errors.NotFound(f"API key {key_id} not found.")
    return dict(codec.loads(row[0]))


async def rotate(ctx: Ctx, child: Tenant, raw_key_id: str) -> dict[str, Any]:
    old = await _load(ctx, child, raw_key_id)
    if old.get("supersededBy"):
        raise errors.Conflict(
            f"API key {old['id']} was already rotated; rotate its replacement {old['supersededBy']}.",
            details={"supersededBy": old["supersededBy"]},
        )
    if view(old, child.now())["status"] != "active" or old.get("killSwitch"):
        raise errors.Conflict(f"API key {old['id']} is revoked; mint a new key instead.", details={"status": "revoked"})
    key, keyid = await _mint_string(ctx, child, old.get("env", "test"))
    new = await ctx.emu.keys.add_key(
        ctx.db, child, key, keyid=keyid, name=old["name"], scopes=list(old["scopes"]),
        tier=old.get("rateLimitTier", TIER[old.get("env", "test")]),
    )
    now = child.now()
    old.update(supersededBy=new["id"], rotatedAt=iso(now), graceUntil=iso(now + GRACE))
    await ctx.emu.keys.save(ctx.db, old)
    await ctx.record("transition", {"organizationId": child.id, "apiKeyId": old["id"], "supersededBy": new["id"]},
                     type="api_key.rotated")
    return {
        "apiKey": view(new, now),
        "secret": key,
        "previous": view(old, now),
        "warning": WARNING + f" The previous key keeps working until {old['graceUntil']}.",
    }


async def delete(ctx: Ctx, child: Tenant, raw_key_id: str) -> dict[str, Any]:
    key = await _load(ctx, child, raw_key_id)
    current = view(key, child.now())
    if current["status"] == "active":
        key.update(status="revoked", isActive=False, revokedAt=iso(child.now()))
        await ctx.emu.keys.save(ctx.db, key)
        await ctx.record("transition", {"organizationId": child.id, "apiKeyId": key["id"], "to": "revoked"},
                         type="api_key.revoked")
        current = view(key, child.now())
    return {"apiKey": current, "deleted": True}
