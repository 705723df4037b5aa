"""The one route table: every module of `emulator.http` that exports `ROUTES` contributes.
Discovery keeps areas from editing a shared list; the table is still explicit and inspectable
(`all_routes()`, `app.state.routes`), and `/openapi.json` is generated from it.

Importing every route module (with its pydantic models and services) is most of a launch, so
the app does not wait for it. Starlette's routes are built from `route_index.INDEX` (method,
path, module, early), a generated copy of the table's keys; `RouteTable` imports the modules in
a worker thread when the first request arrives (after answering it, for a liveness probe) or
soon after startup. Every request but an `early` route's waits for that load, so timers, job
kinds and subscribers are always registered before anything runs. The index is checked against
the modules by tests/server/test_route_index.py and when they load; `python -m
emulator.http.routes` rewrites it."""
from __future__ import annotations

import asyncio
import importlib
import logging
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.routing import Route as StarletteRoute

import emulator.http as http_pkg
from emulator.http.api import Route, make_endpoint
from emulator.http.route_index import INDEX, Entry

log = logging.getLogger("emulator.routes")

Endpoint = Callable[[Request], Awaitable[Response]]
REGENERATE = "python -m emulator.http.routes"


def discover() -> list[tuple[str, Route]]:
    """(module name, route) for every route, modules in name order, routes in declared order."""
    import pkgutil  # only the load needs it

    found: list[tuple[str, Route]] = []
    for info in sorted(pkgutil.iter_modules(http_pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"emulator.http.{info.name}")
        found.extend((info.name, r) for r in getattr(module, "ROUTES", []))
    seen: set[tuple[str, str]] = set()
    for _, r in found:
        key = (r.method, r.path)
        if key in seen:
            raise RuntimeError(f"route declared twice: {r.method} {r.path}")
        seen.add(key)
    return found


def all_routes() -> list[Route]:
    return [r for _, r in discover()]


def index_of(found: list[tuple[str, Route]]) -> tuple[Entry, ...]:
    return tuple((r.method, r.path, module, r.early) for module, r in found)


class RouteTable:
    """The route table of one app. Iterating it (`app.state.routes`) gives every `Route`,
    loading the modules first if needed; `starlette_routes()` needs only the index."""

    def __init__(self, index: tuple[Entry, ...] = INDEX) -> None:
        self.index = index
        self._routes: list[Route] | None = None
        self._by_key: dict[tuple[str, str], Route] = {}
        self._lock = threading.Lock()
        self._loading: asyncio.Future[None] | None = None
        self._then: list[Callable[[], None]] = []
        for method, path, module, early in index:  # liveness answers before the load
            if early:
                self._by_key[(method, path)] = _declared(module, method, path)

    def load(self) -> list[Route]:
        """Import every route module (once; thread-safe) and check them against the index."""
        with self._lock:
            if self._routes is None:
                found = discover()
                if index_of(found) != self.index:
                    raise RuntimeError(f"emulator/http/route_index.py is stale: run `{REGENERATE}`")
                self._by_key.update(((r.method, r.path), r) for _, r in found)
                self._routes = [r for _, r in found]
            return self._routes

    def after_load(self, fn: Callable[[], None]) -> None:
        """Run `fn` on the loop once the modules are loaded (the ticker needs their cadences)."""
        self._then.append(fn)

    def load_soon(self) -> asyncio.Future[None]:
        """Start loading in a worker thread (the loop keeps answering liveness meanwhile), then
        run the `after_load` callbacks. Requests that need the table await this."""
        if self._loading is None:
            self._loading = asyncio.ensure_future(self._load_in_thread())
            self._loading.add_done_callback(_report)
        return self._loading

    @property
    def loading(self) -> asyncio.Future[None] | None:
        return self._loading

    async def _load_in_thread(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.load)
        for fn in self._then:
            fn()

    async def route(self, method: str, path: str) -> Route:
        route = self._by_key.get((method, path))
        if route is not None and route.early:
            return route
        await asyncio.shield(self.load_soon())  # the load and what follows it (the ticker)
        return self._by_key[(method, path)]

    def starlette_routes(self) -> list[BaseRoute]:
        return _grouped([(m, p) for m, p, _, _ in self.index], self.route, self._contacted)

    async def _contacted(self) -> None:
        """A client answered by an early route is about to use the API: load now."""
        self.load_soon()

    def __iter__(self) -> Iterator[Route]:
        return iter(self.load())

    def __len__(self) -> int:
        return len(self.index)


def starlette_routes(routes: list[Route]) -> list[BaseRoute]:
    """Starlette routes for `Route` objects at hand (a test adding a route to a running app)."""
    by_key = {(r.method, r.path): r for r in routes}

    async def route(method: str, path: str) -> Route:
        return by_key[(method, path)]

    return _grouped(list(by_key), route)


def _grouped(keys: list[tuple[str, str]], route_of: Callable[[str, str], Awaitable[Route]],
             after_early: Callable[[], Awaitable[None]] | None = None) -> list[BaseRoute]:
    """One Starlette route per path (Starlette answers 405 for the other methods), in table
    order; each method's endpoint is built on its first request and kept. `after_early` runs
    once an early route's response has been sent."""

    def endpoint_for(route: Route) -> Endpoint:
        endpoint = make_endpoint(route)
        if not route.early or after_early is None:
            return endpoint

        async def early(request: Request) -> Response:
            response = await endpoint(request)
            if response.background is None:
                response.background = BackgroundTask(after_early)
            return response

        return early

    by_path: dict[str, list[str]] = {}
    for method, path in keys:
        by_path.setdefault(path, []).append(method)
    out: list[BaseRoute] = []
    for path, methods in by_path.items():
        endpoints: dict[str, Endpoint] = {}

        async def dispatch(request: Request, path: str = path, endpoints: dict[str, Endpoint] = endpoints) -> Response:
            method = request.method if request.method != "HEAD" else "GET"  # HEAD rides on GET
            endpoint = endpoints.get(method)
            if endpoint is None:
                endpoint = endpoints.setdefault(method, endpoint_for(await route_of(method, path)))
            return await endpoint(request)

        out.append(StarletteRoute(path, dispatch, methods=methods))
    return out


def _declared(module: str, method: str, path: str) -> Route:
    routes = importlib.import_module(f"emulator.http.{module}").ROUTES
    return next(r for r in routes if (r.method, r.path) == (method, path))


def _report(loading: asyncio.Future[None]) -> None:
    if not loading.cancelled() and loading.exception() is not None:
        log.error("loading the route modules failed", exc_info=loading.exception())


def write_index(target: Path = Path(__file__).with_name("route_index.py")) -> str:
    entries = "".join(f"    {entry!r},\n" for entry in index_of(discover()))
    text = HEADER + f"INDEX: tuple[Entry, ...] = (\n{entries})\n"
    target.write_text(text)
    return text


HEADER = f'''"""Generated by `{REGENERATE}` from the route modules: do not edit.
Every route as (method, path, module under emulator.http, early), in table order, so the app
can route before those modules are imported (see emulator/http/routes.py)."""
from __future__ import annotations

Entry = tuple[str, str, str, bool]

'''

if __name__ == "__main__":
    write_index()
    sys.stdout.write(f"wrote {len(INDEX)} entries before, {len(index_of(discover()))} now\n")
