"""The emulator as a test fixture, without pytest: a real server on a free loopback port in a
background thread (`ThreadedEmulator`), the same app in process with no socket
(`InProcessEmulator`), and `Tenant`, one fresh key, clock and data set on either.

    with ThreadedEmulator(HarnessSettings(seed=7)) as emu:
        tenant = emu.tenant()
        tenant.client.post("/v1/projects", json={...})
        tenant.advance(duration="P1D")
        tenant.check()          # raises EmulatorServerError if the server crashed meanwhile

The pytest plugin (`emulator.pytest_plugin`) is a thin layer over this module.
"""
from __future__ import annotations

import asyncio
import socket
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import anyio.from_thread
import httpx
import uvicorn

from emulator.app import create_app
from emulator.clock import iso, parse_instant
from emulator.settings import Settings

DEFAULT_START = "2026-05-11T00:00:00Z"
STARTUP_TIMEOUT = 15.0


class EmulatorServerError(AssertionError):
    """The emulator hit an unexpected exception (a 500) while a test used it. The message holds
    the request and the server-side traceback."""


class HarnessError(RuntimeError):
    """The harness could not start the emulator or mint a tenant."""


@dataclass(frozen=True)
class HarnessSettings:
    """What a test suite chooses about its emulator. `start` is the default start of every
    tenant's virtual clock; each tenant can pick its own."""

    start: str | datetime | None = DEFAULT_START
    seed: int = 0
    strict_keys: bool = False
    clock: str = "virtual"
    rate_limits: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)  # any other Settings field

    def start_instant(self) -> datetime | None:
        if self.start is None or isinstance(self.start, datetime):
            return self.start
        return parse_instant(self.start)

    def to_settings(self) -> Settings:
        return Settings(
            host="127.0.0.1",
            port=0,
            db=":memory:",
            clock=self.clock,
            start=self.start_instant(),
            seed=int(self.seed),
            strict_keys=bool(self.strict_keys),
            rate_limits=self.rate_limits,
            scheduler=self.clock == "real",
            **self.overrides,
        )


def _tcp_transport() -> httpx.HTTPTransport:
    # TCP_NODELAY: without it every small keep-alive request waits ~40 ms on delayed ACKs
    return httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])


class _NotStarted(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise HarnessError("the emulator is not started (use it as a context manager or call start())")


_NOT_STARTED = _NotStarted()


def _format_errors(errors: list[Any]) -> str:
    parts = [f"the emulator raised {len(errors)} unexpected exception(s) (answered 500 INTERNAL):"]
    for err in errors:
        parts.append(f"\n--- {err.method} {err.path} (request {err.request_id}) ---\n{err.traceback.rstrip()}")
    return "\n".join(parts)


class Backend(AbstractContextManager["Backend"]):
    """What both variants share: the app, its server errors, minting tenants."""

    base_url: str

    def __init__(self, settings: HarnessSettings | None = None) -> None:
        self.harness_settings = settings or HarnessSettings()
        self.settings = self.harness_settings.to_settings()
        self.app = create_app(self.settings)
        self.started = False
        self.transport: httpx.BaseTransport = _NOT_STARTED
        self._anonymous: httpx.Client | None = None

    @property
    def emulator(self) -> Any:
        return self.app.state.emulator

    @property
    def server_errors(self) -> list[Any]:
        return list(self.emulator.server_errors)

    def errors_since(self, mark: int) -> list[Any]:
        return self.server_errors[mark:]

    def make_client(self, headers: dict[str, str] | None = None) -> httpx.Client:
        """A new client (its own headers) over the backend's shared transport."""
        return httpx.Client(base_url=self.base_url, headers=headers or {}, transport=_Shared(self.transport),
                            timeout=60.0)

    @property
    def anonymous(self) -> httpx.Client:
        if self._anonymous is None:
            self._anonymous = self.make_client()
        return self._anonymous

    def start(self) -> Backend:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Backend:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def tenant(self, *, start: str | datetime | None = None, scopes: list[str] | None = None,
               name: str | None = None) -> Tenant:
        """Mint a fresh key (its own organization, clock and data) via `POST /_emulator/keys`."""
        body: dict[str, Any] = {}
        begin = start if start is not None else self.harness_settings.start
        if begin is not None:
            body["start"] = iso(begin) if isinstance(begin, datetime) else begin
        if scopes is not None:
            body["scopes"] = scopes
        if name is not None:
            body["name"] = name
        mark = len(self.server_errors)
        r = self.anonymous.post("/_emulator/keys", json=body)
        if r.status_code != 200:
            raise HarnessError(f"minting a tenant failed: {r.status_code} {r.text}")
        data = r.json()
        client = self.make_client({"Authorization": f"Bearer {data['apiKey']}"})
        return Tenant(self, data["apiKey"], data["organizationId"], client, mark)


class ThreadedEmulator(Backend):
    """uvicorn on 127.0.0.1, port 0, in a daemon thread with its own event loop."""

    def __init__(self, settings: HarnessSettings | None = None) -> None:
        super().__init__(settings)
        self._thread: threading.Thread | None = None
        self._server: uvicorn.Server | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self.port = 0
        self.base_url = ""

    def start(self) -> ThreadedEmulator:
        if self.started:
            return self
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited by accepted sockets
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, lifespan="on", log_config=None, access_log=False)
        self._server = uvicorn.Server(config)
        self.transport = _tcp_transport()
        self._thread = threading.Thread(target=self._run, args=(sock,), name="layers-emulator", daemon=True)
        self._thread.start()
        if not self._ready.wait(STARTUP_TIMEOUT) or not self._server.started:
            self.stop()
            raise HarnessError(f"the emulator did not start on {self.base_url}: {self._failure!r}")
        self.started = True
        return self

    def _run(self, sock: socket.socket) -> None:
        assert self._server is not None
        server = self._server

        async def main() -> None:
            task = asyncio.ensure_future(server.serve(sockets=[sock]))
            while not server.started and not task.done():
                await asyncio.sleep(0.001)
            self._ready.set()
            await task

        try:
            asyncio.run(main())
        except BaseException as exc:  # surfaced by start(); the thread must not die silently
            self._failure = exc
        finally:
            self._ready.set()
            sock.close()

    def stop(self) -> None:
        self.transport.close()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=STARTUP_TIMEOUT)
        self._thread = None
        self.started = False


class _Shared(httpx.BaseTransport):
    """Lets many clients share one connection pool: closing a client leaves the pool open."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.inner.handle_request(request)

    def close(self) -> None:
        pass


class _PortalTransport(httpx.BaseTransport):
    """A synchronous httpx transport that runs the ASGI app on the emulator's own event loop
    (an anyio blocking portal), so every client shares one loop, store and set of locks."""

    def __init__(self, app: Any, portal: Any) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        content = request.read()
        status, headers, body = self._portal.call(self._send, request.method, str(request.url),
                                                  request.headers.raw, content)
        return httpx.Response(status, headers=headers, content=body, request=request)

    async def _send(self, method: str, url: str, headers: Any, content: bytes) -> tuple[int, Any, bytes]:
        inner = httpx.Request(method, url, headers=headers, content=content)
        response = await self._asgi.handle_async_request(inner)
        body = await response.aread()
        return response.status_code, response.headers.raw, body


class InProcessEmulator(Backend):
    """The same app with no socket: requests go through an ASGI transport on a private event
    loop (lifespan included). `base_url` is a placeholder host that only these clients reach."""

    base_url = "http://layers-emulator.test"

    def __init__(self, settings: HarnessSettings | None = None) -> None:
        super().__init__(settings)
        self._portal_cm: Any = None
        self._lifespan_cm: Any = None
        self.portal: Any = None

    def start(self) -> InProcessEmulator:
        if self.started:
            return self
        self._portal_cm = anyio.from_thread.start_blocking_portal()
        self.portal = self._portal_cm.__enter__()
        self._lifespan_cm = self.portal.wrap_async_context_manager(self.app.router.lifespan_context(self.app))
        self._lifespan_cm.__enter__()
        self.transport = _PortalTransport(self.app, self.portal)
        self.started = True
        return self

    def stop(self) -> None:
        if self._lifespan_cm is not None:
            self._lifespan_cm.__exit__(None, None, None)
            self._lifespan_cm = None
        if self._portal_cm is not None:
            self._portal_cm.__exit__(None, None, None)
            self._portal_cm = None
        self.started = False


@dataclass
class RemoteError:
    request_id: str
    method: str
    path: str
    traceback: str


class RemoteEmulator(Backend):
    """An emulator that is already running elsewhere (`layers-emulator serve`): tenants are
    minted over HTTP and server errors read from `GET /_emulator/server-errors`."""

    def __init__(self, base_url: str, settings: HarnessSettings | None = None) -> None:
        self.harness_settings = settings or HarnessSettings()
        self.base_url = base_url.rstrip("/")
        self.app = None  # type: ignore[assignment]
        self.started = True
        self.transport = _tcp_transport()
        self._anonymous = None

    @property
    def server_errors(self) -> list[Any]:
        r = self.anonymous.get("/_emulator/server-errors")
        if r.status_code != 200:
            return []
        return [RemoteError(e.get("requestId", ""), e.get("method", ""), e.get("path", ""), e.get("traceback", ""))
                for e in r.json().get("items", [])]

    def start(self) -> RemoteEmulator:
        try:
            r = self.anonymous.get("/_emulator/health")
        except Exception as exc:  # noqa: BLE001 - whatever the transport raises, nobody answers
            raise HarnessError(f"no emulator answers at {self.base_url} ({exc})") from None
        if r.status_code != 200:
            raise HarnessError(f"no emulator answers at {self.base_url} (health: {r.status_code})")
        return self

    def stop(self) -> None:
        self.transport.close()


class Tenant:
    """One fresh tenant: `.client` is an `httpx.Client` with the key set and the base URL."""

    def __init__(self, backend: Backend, api_key: str, organization_id: str, client: httpx.Client,
                 mark: int) -> None:
        self.backend = backend
        self.base_url = backend.base_url
        self.api_key = api_key
        self.organization_id = organization_id
        self.client = client
        self._mark = mark

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def now(self) -> datetime:
        r = self.client.get("/_emulator/clock")
        self._expect(r, "reading the clock")
        return parse_instant(r.json()["now"])

    def advance(self, seconds: float | None = None, *, duration: str | timedelta | None = None,
                to: str | datetime | None = None) -> dict[str, Any]:
        """Move this tenant's clock (exactly one of seconds, duration, to), running all due work."""
        given = [name for name, value in (("seconds", seconds), ("duration", duration), ("to", to)) if value is not None]
        if len(given) != 1:
            raise TypeError("advance() takes exactly one of seconds=, duration= or to=")
        if isinstance(duration, timedelta):
            body: dict[str, Any] = {"seconds": duration.total_seconds()}
        elif duration is not None:
            body = {"duration": duration}
        elif to is not None:
            body = {"to": iso(to) if isinstance(to, datetime) else to}
        else:
            body = {"seconds": seconds}
        r = self.client.post("/_emulator/clock/advance", json=body)
        self._expect(r, "advancing the clock")
        return dict(r.json())

    def events(self, kind: str | list[str] | None = None, since: str | datetime | None = None,
               **params: Any) -> list[dict[str, Any]]:
        """The tenant's whole timeline (every page), oldest first."""
        query: dict[str, Any] = {"limit": 1000, **params}
        if kind is not None:
            query["kind"] = kind if isinstance(kind, str) else ",".join(kind)
        if since is not None:
            query["since"] = iso(since) if isinstance(since, datetime) else since
        items: list[dict[str, Any]] = []
        while True:
            r = self.client.get("/_emulator/events", params=query)
            self._expect(r, "reading events")
            page = r.json()
            items.extend(page["items"])
            if not page.get("nextCursor"):
                return items
            query["cursor"] = page["nextCursor"]

    def server_errors(self) -> list[Any]:
        """Unexpected server exceptions since this tenant was made (or last checked)."""
        return self.backend.errors_since(self._mark)

    def check(self) -> None:
        """Raise `EmulatorServerError` (with tracebacks) for server errors not yet reported."""
        errors = self.server_errors()
        self._mark += len(errors)
        if errors:
            raise EmulatorServerError(_format_errors(errors))

    def close(self) -> None:
        self.client.close()

    def _expect(self, r: httpx.Response, what: str) -> None:
        if r.status_code != 200:
            self.check()
            raise HarnessError(f"{what} failed: {r.status_code} {r.text}")

    def __repr__(self) -> str:
        return f"<Tenant {self.organization_id} on {self.base_url}>"
