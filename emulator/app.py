"""`create_app(settings)`: the Starlette application, its route table, error rendering and the
lifespan that opens the store, loads the route modules in the background (the server answers
liveness meanwhile; other requests wait for the load) and then, with the real clock, starts
APScheduler."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.clock import WallClock
from emulator.emulator import Emulator
from emulator.http.errors import exception_handlers
from emulator.http.routes import RouteTable
from emulator.settings import Settings

LOAD_WHEN_IDLE_AFTER = 0.5  # seconds after startup, when no request has started the load


class PartnerPrefix:
    """`/partner/v1/...` is an alias of `/v1/...` (two product pages use that prefix)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/partner/v1/") and scope["path"] != "/partner/v1/audit-log":
            scope = dict(scope)
            scope["path"] = scope["path"][len("/partner"):]
            scope["raw_path"] = scope["path"].encode()
        await self.app(scope, receive, send)


def create_app(settings: Settings | None = None, *, wall: WallClock | None = None) -> Starlette:
    settings = settings or Settings(db=":memory:", clock="virtual")
    emu = Emulator(settings, wall=wall)
    routes = RouteTable()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await emu.start()
        routes.after_load(emu.start_ticker)
        # the first request starts loading the route modules (after its answer, if it is a
        # liveness probe); an idle server starts soon after listening
        idle = asyncio.get_running_loop().call_later(LOAD_WHEN_IDLE_AFTER, routes.load_soon)
        try:
            yield
        finally:
            idle.cancel()
            if routes.loading is not None:  # a worker thread mid-import cannot be interrupted
                await asyncio.wait([routes.loading])
            await emu.stop()

    app = Starlette(
        routes=routes.starlette_routes(),
        lifespan=lifespan,
        exception_handlers=exception_handlers(emu),
    )
    app.state.emulator = emu
    app.state.routes = routes
    app.add_middleware(PartnerPrefix)
    return app
