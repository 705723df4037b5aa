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

from emulator.app import create_app
from emulator.settings import Settings
from emulator.store.db import Store, StoreError


def _check_db(settings: Settings) -> None:
    async def probe() -> None:
        store = Store(settings.db)
        await store.open()
        await store.close()

    asyncio.run(probe())


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
    try:
        _check_db(settings)
    except StoreError as exc:
        sys.stderr.write(f"layers-emulator: {exc}\n")
        return 2
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # else ~40 ms per kept-alive request
    try:
        sock.bind((settings.host, settings.port))
    except OSError as exc:
        sys.stderr.write(f"layers-emulator: cannot listen on {settings.host}:{settings.port} ({exc.strerror}).\n")
        return 2
    port = sock.getsockname()[1]
    app = create_app(settings)
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    config = uvicorn.Config(app, log_level=log_level, lifespan="on", access_log=False)
    server = _Server(config)

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
