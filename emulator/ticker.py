"""APScheduler wiring for the real clock. The schedules themselves live in SQLite (timer rows);
APScheduler only provides the wake-ups: one job per command cadence of the command table, the
per-layer cron overrides, and a one-second sweep for everything else (job stages, deliveries).
Each wake-up settles every tenant at its own now, exactly what `advance` does on a virtual clock.
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulator.emulator import Emulator

log = logging.getLogger("emulator.ticker")

# Cadences every tenant shares (name → 5-field cron, UTC). Areas add theirs with `cadence()`.
CADENCES: dict[str, str] = {}


# Async callbacks run once when the scheduler starts (e.g. rebuild per-layer cron jobs from SQLite).
ON_START: list[Callable[[Any], Awaitable[None]]] = []


def cadence(name: str, cron: str) -> None:
    CADENCES[name] = cron


class Ticker:
    """Built only with the real clock, so a virtual-clock emulator never imports APScheduler
    (areas import this module for `cadence()` and `ON_START`)."""

    def __init__(self, emu: Emulator) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        self.emu = emu
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.fired: dict[str, int] = {}

    def start(self) -> None:
        from apscheduler.triggers.interval import IntervalTrigger

        self.scheduler.add_job(
            self._wake, IntervalTrigger(seconds=1), args=["sweep"], id="sweep",
            max_instances=1, coalesce=True,
        )
        for name, expr in CADENCES.items():
            self.add_cron(name, expr)
        for fn in ON_START:
            self.scheduler.add_job(fn, args=[self], id=f"on-start:{getattr(fn, '__qualname__', fn)}", replace_existing=True)
        self.scheduler.start()

    def add_cron(self, job_id: str, expr: str) -> None:
        from apscheduler.triggers.cron import CronTrigger

        self.scheduler.add_job(
            self._wake, CronTrigger.from_crontab(expr, timezone="UTC"), args=[job_id],
            id=job_id, replace_existing=True, max_instances=1, coalesce=True,
        )

    def remove(self, job_id: str) -> None:
        if self.scheduler.get_job(job_id) is not None:
            self.scheduler.remove_job(job_id)

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def _wake(self, name: str) -> None:
        self.fired[name] = self.fired.get(name, 0) + 1
        try:
            await self.emu.engine.settle_all()
        except Exception:  # a failing sweep must not kill the scheduler
            log.exception("scheduled sweep %s failed", name)
