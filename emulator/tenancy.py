"""Tenants (organizations) and their clocks.

A tenant is provisioned by the first use of an `lp_test_` key (or minted through the control
API). It owns its clock: virtual (starts at `--start`, or the wall time at creation truncated to
the minute, and moves only when advanced) or real (wall clock plus an offset that advancing
grows). Id counters and clock state are written back in the transaction that changed them.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from emulator.clock import TenantClock, db_time, from_db
from emulator.ids import IdSource, uuid_from
from emulator.store.db import Db

if TYPE_CHECKING:
    from emulator.emulator import Emulator


@dataclass
class Tenant:
    id: str
    identity: str
    name: str
    created_at: datetime
    clock: TenantClock
    clock_start: datetime | None
    ids: IdSource
    settings: dict[str, Any]
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    clock_dirty: bool = False
    settings_dirty: bool = False
    parent_id: str | None = None  # set for a child (sub-)organization: its parent tenant
    # Told when the tenant has something to persist (Tenants keeps the dirty ones, so a commit
    # does not walk every tenant a long-lived server has seen).
    on_dirty: Callable[[Tenant], None] | None = field(default=None, repr=False, compare=False)

    def changed(self) -> None:
        """Something persisted on the tenant row changed (the flags say what)."""
        if self.on_dirty is not None:
            self.on_dirty(self)

    def now(self) -> datetime:
        return self.clock.now()

    def set_now(self, instant: datetime) -> None:
        """Move the clock forward to `instant` (never backwards)."""
        if instant <= self.now():
            return
        if self.clock.mode == "virtual":
            self.clock.virtual_now = instant
        else:
            self.clock.offset += instant - self.now()
        self.clock_dirty = True
        self.changed()

    def set_setting(self, key: str, value: Any) -> None:
        if value is None:
            self.settings.pop(key, None)
        else:
            self.settings[key] = value
        self.settings_dirty = True
        self.changed()


class Tenants:
    """The emulator's tenant cache over the `tenants` table."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self._cache: dict[str, Tenant] = {}
        self._dirty: dict[str, Tenant] = {}  # cached tenants with something to persist
        emu.store.before_commit(self._flush)

    def _watch(self, tenant: Tenant) -> Tenant:
        """Have the tenant register here whenever it has something to persist."""
        tenant.on_dirty = self._note
        tenant.ids.on_dirty = tenant.changed
        if tenant.ids.dirty or tenant.clock_dirty or tenant.settings_dirty:
            self._note(tenant)
        return tenant

    def _note(self, tenant: Tenant) -> None:
        self._dirty[tenant.id] = tenant

    def _from_row(self, row: dict[str, Any]) -> Tenant:
        mode = row["clock_mode"]
        clock = TenantClock(
            mode=mode,
            virtual_now=from_db(row["clock_now"]),
            offset=timedelta(microseconds=row["clock_offset_us"]),
            wall=self.emu.wall,
        )
        return Tenant(
            id=row["id"],
            identity=row["identity"],
            name=row["name"],
            created_at=from_db(row["created_at"]) or self.emu.wall.now(),
            clock=clock,
            clock_start=from_db(row["clock_start"]),
            ids=IdSource(self.emu.settings.seed, row["id"], row["id_counter"]),
            settings=json.loads(row["settings"]),
            parent_id=row.get("parent_id"),
        )

    async def get(self, db: Db, tenant_id: str) -> Tenant | None:
        cached = self._cache.get(tenant_id)
        if cached is not None:
            return cached
        cur = await db.execute("SELECT * FROM tenants WHERE id = ?", (tenant_id,))
        row = await cur.fetchone()
        if row is None:
            return None
        tenant = self._watch(self._from_row(dict(zip((d[0] for d in cur.description), row))))
        self._cache[tenant_id] = tenant
        return tenant

    async def by_identity(self, db: Db, identity: str) -> Tenant | None:
        cur = await db.execute("SELECT id FROM tenants WHERE identity = ?", (identity,))
        row = await cur.fetchone()
        return await self.get(db, row[0]) if row else None

    async def create(
        self, db: Db, identity: str, *, start: datetime | None = None,
        name: str | None = None, parent_id: str | None = None,
    ) -> Tenant:
        settings = self.emu.settings
        wall = self.emu.wall.now()
        tenant_id = "org_" + uuid_from(settings.seed, "org", identity)
        if settings.clock == "virtual":
            begin = start or settings.start or wall.replace(second=0, microsecond=0)
            clock = TenantClock("virtual", begin, timedelta(0), self.emu.wall)
            created, clock_start = begin, begin
        else:
            offset = (start - wall) if start else timedelta(0)
            clock = TenantClock("real", None, offset, self.emu.wall)
            created, clock_start = wall + offset, None
        name = name or f"Sandbox org {tenant_id[4:12]}"
        await db.execute(
            "INSERT INTO tenants(id, identity, name, created_at, clock_mode, clock_start, clock_now,"
            " clock_offset_us, id_counter, settings, parent_id) VALUES (?,?,?,?,?,?,?,?,0,'{}',?)",
            (
                tenant_id,
                identity,
                name,
                db_time(created),
                clock.mode,
                db_time(clock_start) if clock_start else None,
                db_time(clock.virtual_now) if clock.virtual_now else None,
                _micros(clock.offset),
                parent_id,
            ),
        )
        tenant = self._watch(Tenant(
            tenant_id, identity, name, created, clock, clock_start,
            IdSource(settings.seed, tenant_id, 0), {}, parent_id=parent_id,
        ))
        self._cache[tenant_id] = tenant
        return tenant

    async def children(self, db: Db, parent_id: str) -> list[Tenant]:
        """The direct child organizations of `parent_id`, oldest first."""
        rows = await db.execute_fetchall(
            "SELECT id FROM tenants WHERE parent_id = ? ORDER BY rowid", (parent_id,)
        )
        out = []
        for (child_id,) in rows:
            child = await self.get(db, child_id)
            if child is not None:
                out.append(child)
        return out

    async def all_ids(self, db: Db) -> list[str]:
        rows = await db.execute_fetchall("SELECT id FROM tenants ORDER BY rowid")
        return [r[0] for r in rows]

    def forget(self, tenant_id: str | None = None) -> None:
        if tenant_id is None:
            self._cache.clear()
            self._dirty.clear()
        else:
            self._cache.pop(tenant_id, None)
            self._dirty.pop(tenant_id, None)

    def cached(self) -> list[Tenant]:
        return list(self._cache.values())

    async def _flush(self, db: Db) -> None:
        for t in list(self._dirty.values()):
            if t.ids.dirty or t.clock_dirty or t.settings_dirty:
                await db.execute(
                    "UPDATE tenants SET id_counter = ?, clock_now = ?, clock_offset_us = ?,"
                    " settings = ? WHERE id = ?",
                    (
                        t.ids.counter,
                        db_time(t.clock.virtual_now) if t.clock.virtual_now else None,
                        _micros(t.clock.offset),
                        json.dumps(t.settings),
                        t.id,
                    ),
                )
                t.ids.dirty = t.clock_dirty = t.settings_dirty = False
            self._dirty.pop(t.id, None)


def _micros(delta: timedelta) -> int:
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
