"""Test support: an in-process emulator (Starlette TestClient over the real ASGI app, lifespan
included) and `Api`, a client bound to one fresh tenant."""
from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import httpx

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from emulator.app import create_app
from emulator.clock import parse_instant
from emulator.settings import Settings

START = "2026-05-11T00:00:00Z"
_tenants = itertools.count(1)


class Api:
    """One tenant: `api.get('/v1/projects')`, `api.advance(seconds=60)`, `api.now()`."""

    def __init__(self, client: TestClient, key: str) -> None:
        self.client = client
        self.key = key
        self.headers = {"Authorization": f"Bearer {key}"}

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kw)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> httpx.Response:
        return self.request("POST", path, json=json, **kw)

    def patch(self, path: str, json: Any = None, **kw: Any) -> httpx.Response:
        return self.request("PATCH", path, json=json, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("DELETE", path, **kw)

    def advance(self, **body: Any) -> dict[str, Any]:
        r = self.post("/_emulator/clock/advance", json=body)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def now(self) -> datetime:
        return parse_instant(self.get("/_emulator/clock").json()["now"])

    def events(self, **params: Any) -> list[dict[str, Any]]:
        return list(self.get("/_emulator/events", params={"limit": 1000, **params}).json()["items"])

    def project(self, **fields: Any) -> dict[str, Any]:
        body = {"name": "Acme App", "timezone": "America/New_York", **fields}
        r = self.post("/v1/projects", json=body)
        assert r.status_code == 201, r.text
        return dict(r.json())


@contextmanager
def emulator_client(**settings: Any) -> Iterator[TestClient]:
    base = {"db": ":memory:", "clock": "virtual", "start": parse_instant(START)}
    base.update(settings)
    app = create_app(Settings(**base))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = TestClient(app, raise_server_exceptions=True)
    with client:
        yield client
    errors = app.state.emulator.server_errors
    assert not errors, errors[0].traceback


def new_key() -> str:
    return f"lp_test_t{next(_tenants)}"
