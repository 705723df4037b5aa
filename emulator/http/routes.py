"""The one route table: every module of `emulator.http` that exports `ROUTES` contributes.
Discovery keeps areas from editing a shared list; the table is still explicit and inspectable
(`all_routes()`), and `/openapi.json` is generated from it."""
from __future__ import annotations

import importlib
import pkgutil

from starlette.routing import BaseRoute
from starlette.routing import Route as StarletteRoute

import emulator.http as http_pkg
from emulator.http.api import Route, make_endpoint


def all_routes() -> list[Route]:
    routes: list[Route] = []
    for info in sorted(pkgutil.iter_modules(http_pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"emulator.http.{info.name}")
        routes.extend(getattr(module, "ROUTES", []))
    seen: set[tuple[str, str]] = set()
    for r in routes:
        key = (r.method, r.path)
        if key in seen:
            raise RuntimeError(f"route declared twice: {r.method} {r.path}")
        seen.add(key)
    return routes


def starlette_routes(routes: list[Route]) -> list[BaseRoute]:
    by_path: dict[str, list[Route]] = {}
    for r in routes:
        by_path.setdefault(r.path, []).append(r)
    out: list[BaseRoute] = []
    for path, group in by_path.items():
        handlers = {r.method: make_endpoint(r) for r in group}

        async def dispatch(request, handlers=handlers):  # type: ignore[no-untyped-def]
            handler = handlers.get(request.method) or handlers["GET"]  # HEAD rides on GET
            return await handler(request)

        methods = list(handlers)
        out.append(StarletteRoute(path, dispatch, methods=methods))
    return out
