"""Due work. Every piece of future work is a row in `timers`; `settle(tenant, until)` runs the
due rows in time order, each at its own instant, until nothing is due at `until`. The timers
due at one instant share one transaction (a hundred layers firing at 10:00 commit once), and
an advance runs consecutive instants in one transaction too.
`advance` moves the tenant clock through that. Handlers register by kind:

    @timer("job.step")
    async def step(ctx: Ctx, payload: dict, ref: str | None) -> None: ...

A handler may schedule further timers (even inside the window being settled; they run in turn)
and may queue after-commit work with `ctx.later(...)` (network calls run outside the store
lock; during `advance` they are awaited before the next timer runs, so order holds). Where a
caller must not wait on the network (a request's pre-settle, the real-clock sweep) it passes
`background=True`: that work is spawned as tasks, tracked per tenant, and `advance` awaits what
is still running before it settles, so advancing stays deterministic.
"""
from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from emulator.clock import db_time, from_db
from emulator.context import Ctx
from emulator.store import codec

if TYPE_CHECKING:
    from emulator.emulator import Emulator
    from emulator.tenancy import Tenant

log = logging.getLogger("emulator.engine")

TimerHandler = Callable[[Ctx, dict[str, Any], str | None], Awaitable[None]]
HANDLERS: dict[str, TimerHandler] = {}

# A runaway guard: one settle never runs more than this many timers.
MAX_STEPS = 5_000_000
# Timers run in one transaction: at most this many (one instant's, or an advance's consecutive
# instants').
BATCH = 256


def timer(kind: str) -> Callable[[TimerHandler], TimerHandler]:
    def register(fn: TimerHandler) -> TimerHandler:
        HANDLERS[kind] = fn
        return fn

    return register


def kind_label(kind: str) -> str:
    """The `ran` counter a timer kind reports under (`command.process-due` → `process-due`)."""
    return kind.split(".", 1)[1] if kind.startswith("command.") else kind


class Engine:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self._background: dict[str, set[asyncio.Task[None]]] = {}

    def spawn(self, tenant: Tenant, fn: Callable[[], Awaitable[None]]) -> None:
        """Run after-commit work in the background, tracked so `drain` can await it."""
        task: asyncio.Task[None] = asyncio.ensure_future(fn())
        tasks = self._background.setdefault(tenant.id, set())
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def drain(self, tenant: Tenant | None = None) -> None:
        """Await the tenant's (or everyone's) background work still running."""
        while True:  # background work may start more background work
            groups = [self._background.get(tenant.id, set())] if tenant else list(self._background.values())
            pending = [t for group in groups for t in group if not t.done()]
            if not pending:
                return
            await asyncio.gather(*pending, return_exceptions=True)

    async def settle(
        self, tenant: Tenant, until: datetime, ran: Counter[str] | None = None, *, background: bool = False
    ) -> Counter[str]:
        """Run every timer of `tenant` due at or before `until`. Caller holds `tenant.lock`."""
        ran = ran if ran is not None else Counter()
        store = self.emu.store
        async with store.read() as db:  # cheap check first: most requests find nothing due
            cur = await db.execute(  # a suspended or archived child org holds its work
                "SELECT 1 FROM timers WHERE tenant_id = ? AND due_at <= ? AND NOT EXISTS"
                " (SELECT 1 FROM organizations o WHERE o.id = ? AND o.status != 'active') LIMIT 1",
                (tenant.id, db_time(until), tenant.id),
            )
            if await cur.fetchone() is None:
                return ran
        steps = 0
        # An advance (virtual clock, waiting on its own work) runs consecutive instants in one
        # transaction, up to BATCH timers: each still runs at its own instant and in order, and
        # a week of posting commits a few dozen times instead of once per instant. Elsewhere
        # (a request's pre-settle, the real-clock sweep) each instant commits on its own, so
        # the store lock is never held for long while other tenants wait.
        merge = tenant.clock.mode == "virtual" and not background
        while steps < MAX_STEPS:
            after_commit: list[Callable[[], Awaitable[None]]] = []
            done = False
            async with store.tx() as db:
                in_tx = 0
                while True:
                    # the timers due at the earliest instant: each runs at its own turn in
                    # (due_at, id) order, and one a handler canceled is skipped
                    rows = await db.execute_fetchall(
                        "SELECT id, due_at, kind, ref, payload FROM timers WHERE tenant_id = ? AND due_at ="
                        " (SELECT MIN(due_at) FROM timers WHERE tenant_id = ? AND due_at <= ?) ORDER BY id LIMIT ?",
                        (tenant.id, tenant.id, db_time(until), BATCH),
                    )
                    if not rows:
                        done = True
                        break
                    due = from_db(rows[0][1])
                    assert due is not None
                    tenant.set_now(due)  # virtual clocks step through each instant
                    at = max(due, tenant.now()) if tenant.clock.mode == "virtual" else due
                    for timer_id, _, kind, ref, payload in rows:
                        cur = db.run("DELETE FROM timers WHERE id = ?", (timer_id,))
                        if cur.rowcount == 0:  # canceled by a handler earlier in this batch
                            continue
                        steps += 1
                        in_tx += 1
                        handler = HANDLERS.get(kind)
                        if handler is None:
                            log.warning("no handler for timer kind %s; dropped", kind)
                            continue
                        ctx = Ctx(self.emu, tenant, at, db, after_commit=after_commit)
                        await handler(ctx, codec.loads(payload), ref)
                        ran[kind_label(kind)] += 1
                        if after_commit:  # network work (a webhook attempt) must land before the
                            break  # next timer runs: its outcome may change what that one does
                    if after_commit or not merge or in_tx >= BATCH or steps >= MAX_STEPS:
                        break
            for fn in after_commit:
                if background:
                    self.spawn(tenant, fn)
                else:
                    await self._unlocked(tenant, fn)
            if done:
                return ran
        raise RuntimeError("settle did not converge (a timer keeps rescheduling itself)")

    async def _unlocked(self, tenant: Tenant, fn: Callable[[], Awaitable[None]]) -> None:
        """Inline after-commit work (a webhook attempt during `advance`) runs with the tenant
        lock released, so a receiver that calls back for the same tenant is served at the
        current instant instead of deadlocking against the advance that waits on it (work such
        a request started in the background is awaited before the advance goes on)."""
        held = tenant.lock.locked()
        if held:
            tenant.lock.release()
        try:
            await fn()
        finally:
            if held:
                await self.drain(tenant)
                await tenant.lock.acquire()

    async def advance(self, tenant: Tenant, target: datetime) -> Counter[str]:
        """Run all work due up to `target` in time order, then leave the clock at `target`."""
        while True:
            await self.drain(tenant)  # outside the lock: a webhook receiver may call back
            async with tenant.lock:
                if self._busy(tenant):  # work started while we waited for the lock
                    continue
                ran = await self.settle(tenant, target)
                async with self.emu.store.tx():
                    tenant.set_now(target)
                break
        async with self.emu.store.read() as db:
            children = await self.emu.tenants.children(db, tenant.id)
        for child in children:  # a parent's time is its child organizations' time too
            ran += await self.advance(child, target)
        return ran

    def _busy(self, tenant: Tenant) -> bool:
        return any(not t.done() for t in self._background.get(tenant.id, ()))

    async def settle_all(self) -> Counter[str]:
        """Real-clock sweep (APScheduler): settle every tenant that has due timers."""
        total: Counter[str] = Counter()
        async with self.emu.store.read() as db:
            rows = await db.execute_fetchall(
                "SELECT tenant_id, MIN(due_at) FROM timers GROUP BY tenant_id"
            )
        for tenant_id, first_due in rows:
            async with self.emu.store.read() as db:
                tenant = await self.emu.tenants.get(db, tenant_id)
            if tenant is None:
                continue
            now = tenant.now()
            if db_time(now) < first_due:
                continue
            async with tenant.lock:
                total += await self.settle(tenant, tenant.now(), background=True)
        return total
