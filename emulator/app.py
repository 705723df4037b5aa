"""`create_app(settings)`: the Starlette application, its route table, error rendering and the
lifespan that opens the store and, with the real clock, starts APScheduler."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.clock import WallClock
from emulator.emulator import Emulator
from emulator.http import openapi
from emulator.http.errors import exception_handlers
from emulator.http.routes import all_routes, starlette_routes
from emulator.settings import Settings


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
    routes = all_routes()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await emu.start()
        try:
            yield
        finally:
            await emu.stop()

    app = Starlette(
        routes=starlette_routes(routes),
        lifespan=lifespan,
        exception_handlers=exception_handlers(emu),
    )
    app.state.emulator = emu
    app.state.routes = routes
    app.state.openapi = openapi.build(routes)
    app.add_middleware(PartnerPrefix)
    return app
