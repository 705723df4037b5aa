"""Running the app under uvicorn: pick the port (0 = free), print the base URL and a ready key,
serve until SIGINT/SIGTERM, then close the store so everything is on disk."""
from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import sys
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette

from emulator.app import create_app
from emulator.settings import Settings
from emulator.store.db import StoreError


class _Server(uvicorn.Server):
    """uvicorn re-raises SIGTERM/SIGINT after shutdown (the process then dies of the signal);
    we handle both ourselves so a clean stop exits 0 with the store closed."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._stop)
        try:
            yield
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    def _stop(self) -> None:
        self.should_exit = True


def serve(settings: Settings, *, log_level: str = "warning") -> int:
    app = create_app(settings)
    return asyncio.run(_run(app, settings, log_level))


async def _run(app: Starlette, settings: Settings, log_level: str) -> int:
    store = app.state.emulator.store
    try:  # opened (and migrated) once, here, so an unusable file is refused before listening
        await store.open()
    except StoreError as exc:
        sys.stderr.write(f"layers-emulator: {exc}\n")
        return 2
    try:
        sock = _bind(settings)
    except OSError as exc:
        await store.close()
        sys.stderr.write(f"layers-emulator: cannot listen on {settings.host}:{settings.port} ({exc.strerror}).\n")
        return 2
    port = sock.getsockname()[1]
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    config = uvicorn.Config(app, log_level=log_level, lifespan="on", access_log=False)
    server = _Server(config)
    startup = asyncio.ensure_future(server.serve(sockets=[sock]))
    while not server.started and not startup.done():
        await asyncio.sleep(0.01)
    if server.started:
        print(f"http://{host}:{port}", flush=True)
        print(app.state.emulator.default_key, flush=True)
    await startup
    if not server.started:
        await store.close()  # the lifespan never ran, so it never closed the store
        return 1
    return 0


def _bind(settings: Settings) -> socket.socket:
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # else ~40 ms per kept-alive request
    try:
        sock.bind((settings.host, settings.port))
    except OSError:
        sock.close()
        raise
    return sock
