"""`Emulator`: the one object that holds the store, the wall clock, the tenants, the engine and
the settings. It lives on `app.state.emulator`; there are no module-level singletons."""
from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime

from emulator.auth import Keys
from emulator.clock import WallClock
from emulator.engine import Engine
from emulator.ratelimit import RateLimiter
from emulator.settings import Settings
from emulator.store.db import Store
from emulator.tenancy import Tenants

log = logging.getLogger("emulator")


@dataclass
class ServerError:
    """An unexpected exception inside a handler, kept so a test harness can re-raise it."""

    request_id: str
    method: str
    path: str
    at: datetime
    error: BaseException
    traceback: str


class Emulator:
    def __init__(self, settings: Settings, *, wall: WallClock | None = None) -> None:
        self.settings = settings
        self.wall = wall or WallClock()
        self.store = Store(settings.db)
        self.tenants = Tenants(self)
        self.keys = Keys(self)
        self.engine = Engine(self)
        self.rate_limiter = RateLimiter()
        self.server_errors: list[ServerError] = []
        self.ticker = None  # emulator.ticker.Ticker with the real clock
        self.started_at: float | None = None
        # Tenants known to have no active webhook endpoint: every domain event asks, and almost
        # always the answer is none. A hint only (webhooks.subscribed keeps it; anything that can
        # add or reactivate an endpoint drops the tenant from it); never persisted.
        self.no_endpoints: set[str] = set()

    @property
    def default_key(self) -> str:
        """The ready-to-use key `serve` prints: the same for the same seed."""
        from emulator.auth import mint_key_string

        return mint_key_string(self.settings.seed, 0)

    async def start(self) -> None:
        """Open the store (unless `serve` already did, to report an unusable file before
        listening), recover what a killed process left half done, and make the printed key
        work. The ticker starts separately, once every route module (and so every timer kind and
        cadence) is loaded: `start_ticker()`."""
        if self.store.db is None:
            await self.store.open()
        await self._recover()
        if self.settings.strict_keys:  # the printed key must work even when keys are strict
            from emulator.auth import digest

            async with self.store.tx() as db:
                cur = await db.execute("SELECT 1 FROM api_keys WHERE secret_hash = ?", (digest(self.default_key),))
                if await cur.fetchone() is None:
                    key = self.default_key
                    tenant = await self.tenants.create(db, f"keyid:{key.split('_')[2]}")
                    await self.keys.add_key(db, tenant, key, keyid=key.split("_")[2], name="Default key")

    def start_ticker(self) -> None:
        """With the real clock, APScheduler's wake-ups (see emulator.ticker)."""
        if self.settings.clock == "real" and self.settings.scheduler and self.ticker is None:
            from emulator.ticker import Ticker

            self.ticker = Ticker(self)
            self.ticker.start()

    async def _recover(self) -> None:
        """Work a previous process left half done (it was killed): webhook attempts in flight."""
        async with self.store.read() as db:
            cur = await db.execute("SELECT 1 FROM webhook_deliveries WHERE status = 'delivering' LIMIT 1")
            interrupted = await cur.fetchone() is not None
        if interrupted:
            from emulator.services.webhook_dispatch import recover_interrupted

            await recover_interrupted(self)

    async def stop(self) -> None:
        if self.ticker is not None:
            self.ticker.stop()
            self.ticker = None
        await self.engine.drain()  # after-commit work (webhook attempts) still in flight
        await self.store.close()

    def note_error(self, request_id: str, method: str, path: str, exc: BaseException) -> None:
        text = "".join(traceback.format_exception(exc))
        log.error("unhandled error in %s %s (%s):\n%s", method, path, request_id, text)
        self.server_errors.append(
            ServerError(request_id, method, path, self.wall.now(), exc, text)
        )
