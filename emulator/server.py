"""Running the app under uvicorn: pick the port (0 = free), print the base URL and a ready key,
serve until SIGINT/SIGTERM, then close the store so everything is on disk."""
from __future__ import annotations

import asyncio
import socket
import sys

import uvicorn

from emulator.app import create_app
from emulator.settings import Settings
from emulator.store.db import Store, StoreError


def _check_db(settings: Settings) -> None:
    async def probe() -> None:
        store = Store(settings.db)
        await store.open()
        await store.close()

    asyncio.run(probe())


def serve(settings: Settings, *, log_level: str = "warning") -> int:
    try:
        _check_db(settings)
    except StoreError as exc:
        sys.stderr.write(f"layers-emulator: {exc}\n")
        return 2
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
    except OSError as exc:
        sys.stderr.write(f"layers-emulator: cannot listen on {settings.host}:{settings.port} ({exc.strerror}).\n")
        return 2
    port = sock.getsockname()[1]
    app = create_app(settings)
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    config = uvicorn.Config(app, log_level=log_level, lifespan="on", access_log=False)
    server = uvicorn.Server(config)

    async def run() -> None:
        startup = asyncio.ensure_future(server.serve(sockets=[sock]))
        while not server.started and not startup.done():
            await asyncio.sleep(0.01)
        if server.started:
            print(f"http://{host}:{port}", flush=True)
            print(app.state.emulator.default_key, flush=True)
        await startup

    asyncio.run(run())
    return 0 if server.started else 1
