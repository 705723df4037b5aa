"""API keys: parsing, provisioning a tenant on first use, authentication, scopes, kill, rotate.

Key format `lp_<env>_<keyid>_<secret>`: split on the first three underscores only (the secret is
base64url and may itself hold `_`). Keys are stored by SHA-256 of the whole string.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from emulator import errors
from emulator.clock import db_time, iso, parse_instant
from emulator.ids import b64url, crockford, uuid_from
from emulator.store import codec
from emulator.store.db import Db

if TYPE_CHECKING:
    from emulator.emulator import Emulator
    from emulator.tenancy import Tenant

FULL_KEY = re.compile(r"^lp_(live|test)_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$")
DEFAULT_SCOPES = ["*", "org:admin"]


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass
class Principal:
    tenant: Tenant
    key: dict[str, Any]
    acting_for: Tenant | None = None  # the parent org when its key acts inside a child (X-Layers-Organization)

    @property
    def key_id(self) -> str:
        return str(self.key["id"])

    @property
    def scopes(self) -> list[str]:
        return list(self.key.get("scopes") or [])


def scope_granted(required: str, granted: list[str]) -> bool:
    """`S` is satisfied by `S`, by a colon-prefix of `S`, or by `*` (never for `org:admin`).
    A `:read` requirement is also met by the matching `:write` scope."""
    candidates = {required}
    if required.endswith(":read"):
        candidates.add(required[: -len(":read")] + ":write")
    for have in granted:
        if have == "*" and required != "org:admin":
            return True
        for need in candidates:
            if have == need or need.startswith(have + ":"):
                return True
    return False


def mint_key_string(seed: int, counter: int) -> str:
    keyid = crockford(16, seed, "mint-keyid", counter)
    secret = b64url(32, seed, "mint-secret", counter)
    return f"lp_test_{keyid}_{secret}"


def key_object(
    *, key_id: str, tenant_id: str, prefix: str, name: str, scopes: list[str], created_at: str,
    env: str = "test", tier: str = "sandbox",
) -> dict[str, Any]:
    return {
        "id": key_id,
        "organizationId": tenant_id,
        "name": name,
        "prefix": prefix,
        "env": env,
        "scopes": scopes,
        "rateLimitTier": tier,
        "status": "active",
        "killSwitch": False,
        "isActive": True,
        "createdAt": created_at,
        "lastUsedAt": None,
        "rotatedAt": None,
        "revokedAt": None,
        "graceUntil": None,
        "supersededBy": None,
    }


class Keys:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu

    async def authenticate(
        self, db: Db, raw: str | None, *, provision: bool = True
    ) -> Principal | None:
        """The caller's principal. With `provision=False` an unknown key that would provision a
        new tenant answers None instead (so lookups can run outside a write transaction)."""
        if raw is None or raw.strip() == "":
            raise errors.Unauthenticated(
                "Missing API key: send 'Authorization: Bearer lp_test_...' or 'X-Api-Key'."
            )
        key = raw.strip()
        hashed = digest(key)
        row = None
        if key.startswith("lp_live_"):  # only live keys minted for child orgs exist here
            cur = await db.execute("SELECT tenant_id, data FROM api_keys WHERE secret_hash = ?", (hashed,))
            row = await cur.fetchone()
            if row is None:
                raise errors.Unauthenticated(
                    "This is the layers-emulator, which accepts test keys only (lp_test_...); "
                    "live keys belong to https://api.layers.com."
                )
        elif not key.startswith("lp_test_") or len(key) <= len("lp_test_") or any(c.isspace() for c in key):
            raise errors.Unauthenticated("Malformed API key: expected lp_test_<keyid>_<secret>.")
        if row is None:
            cur = await db.execute(
                "SELECT tenant_id, data FROM api_keys WHERE secret_hash = ?", (hashed,)
            )
            row = await cur.fetchone()
        if row is not None:
            tenant = await self.emu.tenants.get(db, row[0])
            assert tenant is not None
            record = codec.loads(row[1])
            if record.get("env", "test") != key.split("_")[1]:
                raise errors.Unauthenticated("The key's env prefix does not match the key.")
            if record.get("killSwitch"):
                raise errors.KillSwitch(
                    "This API key was killed; rotate it to re-activate.", details={"scope": "key"}
                )
            if record["status"] != "active":
                raise errors.Unauthenticated("This API key has been revoked.")
            grace = record.get("graceUntil")
            if grace and grace <= iso(tenant.now()):
                raise errors.Unauthenticated("This API key was rotated and its grace period ended.")
            if tenant.parent_id is not None:  # a child org's key: suspended → 503, archived → 401
                await _check_org_status(db, tenant.id)
            return Principal(tenant, record)
        cur = await db.execute("SELECT 1 FROM retired_credentials WHERE secret_hash = ?", (hashed,))
        if await cur.fetchone():
            raise errors.Unauthenticated("This API key was rotated or revoked; use the new secret.")
        if self.emu.settings.strict_keys:
            raise errors.Unauthenticated(
                "Unknown API key (strict keys: mint one with POST /_emulator/keys)."
            )
        if not provision:
            return None
        match = FULL_KEY.match(key)
        if match:
            keyid = match.group(2)
            cur = await db.execute("SELECT 1 FROM api_keys WHERE keyid = ?", (keyid,))
            if await cur.fetchone():
                raise errors.Unauthenticated("Wrong secret for this key id.")
            identity = f"keyid:{keyid}"
        else:
            keyid = "x" + hashed[:15]
            identity = f"key:{hashed}"
        tenant = await self.emu.tenants.create(db, identity)
        record = await self.add_key(db, tenant, key, keyid=keyid, name="Sandbox key")
        return Principal(tenant, record)

    async def add_key(
        self,
        db: Db,
        tenant: Tenant,
        key: str,
        *,
        keyid: str,
        name: str,
        scopes: list[str] | None = None,
        tier: str = "sandbox",
    ) -> dict[str, Any]:
        key_id = "key_" + uuid_from(self.emu.settings.seed, "key", digest(key))
        match = FULL_KEY.match(key)
        env = match.group(1) if match else "test"
        prefix = f"lp_{env}_{match.group(2)}" if match else key[: min(len(key), 24)]
        created = iso(tenant.now())
        assert created is not None
        record = key_object(
            key_id=key_id,
            tenant_id=tenant.id,
            prefix=prefix,
            name=name,
            scopes=scopes if scopes is not None else list(DEFAULT_SCOPES),
            created_at=created,
            env=env,
            tier=tier,
        )
        await db.execute(
            "INSERT INTO api_keys(id, tenant_id, keyid, secret_hash, created_at, data)"
            " VALUES (?,?,?,?,?,?)",
            (key_id, tenant.id, keyid, digest(key), db_time(tenant.now()), json.dumps(record)),
        )
        return record

    async def mint(
        self, db: Db, *, start: Any = None, scopes: list[str] | None = None,
        name: str = "Minted key",
    ) -> tuple[str, Tenant, dict[str, Any]]:
        cur = await db.execute("SELECT value FROM meta WHERE key = 'mint_counter'")
        row = await cur.fetchone()
        counter = int(row[0]) + 1 if row else 1
        await db.execute(
            "INSERT INTO meta(key, value) VALUES ('mint_counter', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (str(counter),),
        )
        key = mint_key_string(self.emu.settings.seed, counter)
        keyid = key.split("_")[2]
        tenant = await self.emu.tenants.create(db, f"keyid:{keyid}", start=start)
        record = await self.add_key(db, tenant, key, keyid=keyid, name=name, scopes=scopes)
        return key, tenant, record

    async def load(self, db: Db, tenant: Tenant, key_id: str) -> dict[str, Any]:
        cur = await db.execute(
            "SELECT data FROM api_keys WHERE id = ? AND tenant_id = ?", (key_id, tenant.id)
        )
        row = await cur.fetchone()
        if row is None:
            raise errors.NotFound(f"API key {key_id} not found.")
        return dict(codec.loads(row[0]))

    async def touch(self, db: Db, principal: Principal, now: datetime) -> None:
        """Stamp the key's `lastUsedAt` with the tenant instant of a request it made; to the
        minute, so a burst of requests writes the key row once."""
        record = principal.key
        last = record.get("lastUsedAt")
        if last is not None and now - parse_instant(last) < timedelta(minutes=1):
            return
        record["lastUsedAt"] = iso(now)
        await db.execute(
            "UPDATE api_keys SET data = json_set(data, '$.lastUsedAt', ?) WHERE id = ?", (record["lastUsedAt"], record["id"])
        )

    async def save(self, db: Db, record: dict[str, Any]) -> None:
        await db.execute("UPDATE api_keys SET data = ? WHERE id = ?", (json.dumps(record), record["id"]))

    async def kill(self, db: Db, tenant: Tenant, key_id: str) -> dict[str, Any]:
        record = await self.load(db, tenant, key_id)
        if not record.get("killSwitch"):
            record.update(killSwitch=True, isActive=False, status="revoked", revokedAt=iso(tenant.now()))
            await self.save(db, record)
        return record

    async def rotate(
        self, db: Db, tenant: Tenant, key_id: str, counter: int
    ) -> tuple[dict[str, Any], str]:
        record = await self.load(db, tenant, key_id)
        cur = await db.execute("SELECT secret_hash FROM api_keys WHERE id = ?", (key_id,))
        row = await cur.fetchone()
        assert row is not None
        old_hash = row[0]
        seed = self.emu.settings.seed
        keyid = crockford(16, seed, "rotate-keyid", key_id, counter)
        env = record.get("env", "test")
        secret = f"lp_{env}_{keyid}_{b64url(32, seed, 'rotate-secret', key_id, counter)}"
        now = iso(tenant.now())
        record.update(
            prefix=f"lp_{env}_{keyid}", killSwitch=False, isActive=True, status="active",
            rotatedAt=now, revokedAt=None,
        )
        await db.execute(
            "INSERT OR REPLACE INTO retired_credentials(secret_hash, key_id, retired_at) VALUES (?,?,?)",
            (old_hash, key_id, db_time(tenant.now())),
        )
        await db.execute(
            "UPDATE api_keys SET secret_hash = ?, keyid = ?, data = ? WHERE id = ?",
            (digest(secret), keyid, json.dumps(record), key_id),
        )
        return record, secret


async def _check_org_status(db: Db, org_id: str) -> None:
    """A child org's own keys: suspended → 503 KILL_SWITCH (scope organization), archived → 401."""
    cur = await db.execute("SELECT status FROM organizations WHERE id = ?", (org_id,))
    row = await cur.fetchone()
    if row is None or row[0] == "active":
        return
    if row[0] == "suspended":
        raise errors.KillSwitch(
            "This organization is suspended; its keys are switched off until its parent resumes it.",
            details={"scope": "organization"},
        )
    raise errors.Unauthenticated("This organization was archived; its keys are revoked.")
