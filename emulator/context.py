"""`Ctx`: everything a unit of work needs: the tenant, the instant it happens at, the open
transaction, and the ways to leave traces (ids, timeline events, timers, after-commit work)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from emulator.clock import db_time, iso
from emulator.store import codec
from emulator.store.db import Db

if TYPE_CHECKING:
    from emulator.emulator import Emulator
    from emulator.tenancy import Tenant

# Subscribers to domain events (webhooks register here). Static wiring, not state.
EventSubscriber = Callable[["Ctx", dict[str, Any]], Awaitable[None]]
SUBSCRIBERS: list[EventSubscriber] = []


def subscribe(fn: EventSubscriber) -> EventSubscriber:
    SUBSCRIBERS.append(fn)
    return fn


@dataclass
class Ctx:
    emu: Emulator
    tenant: Tenant
    now: datetime
    db: Db
    api_key_id: str | None = None
    request_id: str | None = None
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # What one step of this unit of work hands the next, keyed by its owner (e.g. the rows a
    # scheduled fire found due, for the run it starts). Lives and dies with the Ctx.
    scratch: dict[Any, Any] = field(default_factory=dict)
    # The earliest due time of (kind, ref) timers as this unit of work has seen or left it
    # (None: there are none), so repeated `next_timer` asks (a wake hint per row written) cost
    # one query. Every timer write of a tenant within one unit of work goes through its Ctx.
    _earliest: dict[tuple[str, str], datetime | None] = field(default_factory=dict)

    @property
    def tenant_id(self) -> str:
        return self.tenant.id

    @property
    def seed(self) -> int:
        return self.emu.settings.seed

    def new_id(self, prefix: str) -> str:
        return self.tenant.ids.new(prefix, self.now)

    def named_id(self, prefix: str, *name: object) -> str:
        """The id of the thing `name` identifies (see `IdSource.named`)."""
        return self.tenant.ids.named(prefix, self.now, *name)

    def iso_now(self) -> str:
        text = iso(self.now)
        assert text is not None
        return text

    async def record(
        self,
        kind: str,
        data: dict[str, Any],
        *,
        type: str | None = None,
        project_id: str | None = None,
        at: datetime | None = None,
        event_id: str | None = None,
    ) -> dict[str, Any]:
        """Append to the tenant's timeline (no webhook)."""
        at = at or self.now
        event = {
            "id": event_id or self.tenant.ids.new("evt", at),
            "kind": kind,
            "type": type,
            "projectId": project_id,
            "at": iso(at),
            "data": data,
        }
        self.db.defer_event((event["id"], self.tenant.id, db_time(at), kind, type, project_id, codec.dumps(data)))
        return event

    async def emit(
        self, type: str, data: dict[str, Any], *, project_id: str | None = None
    ) -> dict[str, Any]:
        """A domain event: on the timeline, and handed to subscribers (webhook endpoints)."""
        event = await self.record("event", data, type=type, project_id=project_id)
        for subscriber in SUBSCRIBERS:
            await subscriber(self, event)
        return event

    async def schedule(
        self,
        kind: str,
        due_at: datetime,
        payload: dict[str, Any] | None = None,
        *,
        ref: str | None = None,
    ) -> int:
        cur = self.db.run(
            "INSERT INTO timers(tenant_id, due_at, kind, ref, payload) VALUES (?,?,?,?,?)",
            (self.tenant.id, db_time(due_at), kind, ref, codec.dumps(payload or {})),
        )
        if ref is not None and (kind, ref) in self._earliest:
            known = self._earliest[(kind, ref)]
            self._earliest[(kind, ref)] = due_at if known is None or due_at < known else known
        return int(cur.lastrowid or 0)

    async def cancel_timers(self, kind: str, ref: str) -> int:
        cur = self.db.run(
            "DELETE FROM timers WHERE tenant_id = ? AND kind = ? AND ref = ?",
            (self.tenant.id, kind, ref),
        )
        self._earliest[(kind, ref)] = None
        return cur.rowcount

    async def next_timer(self, kind: str, ref: str) -> datetime | None:
        """The earliest due time of the tenant's `kind` timers for `ref` (None: none)."""
        if (kind, ref) in self._earliest:
            return self._earliest[(kind, ref)]
        from emulator.clock import from_db

        row = self.db.run(
            "SELECT MIN(due_at) FROM timers WHERE tenant_id = ? AND kind = ? AND ref = ?",
            (self.tenant.id, kind, ref),
        ).fetchone()
        found = from_db(row[0]) if row and row[0] else None
        self._earliest[(kind, ref)] = found
        return found

    def later(self, fn: Callable[[], Awaitable[None]]) -> None:
        """Run `fn` after this transaction commits (outside the store lock): network calls."""
        self.after_commit.append(fn)
