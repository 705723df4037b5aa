"""Webhook test support: a real receiver (a threaded http.server on 127.0.0.1 that records every
request, verifies the Layers signature against the secrets it holds, and answers with a
scripted status: a queue of statuses, then a default), its `hook` fixture, and small API
helpers (register an endpoint, emit an event, read the inbox and the deliveries list)."""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from emulator.domain.signing import verify_signature
from tests.support import Api


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str = ""
    secrets: list[str] = field(default_factory=list)
    statuses: deque[int] = field(default_factory=deque)
    default_status: int = 200
    delay: float = 0.0  # seconds to wait before answering (a slow receiver)
    on_request: Callable[[Received], None] | None = None  # runs before answering (a callback)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Event = field(default_factory=threading.Event)

    def answer(self, *statuses: int, then: int | None = None) -> None:
        with self.lock:
            self.statuses.extend(statuses)
            if then is not None:
                self.default_status = then

    def _next_status(self) -> int:
        with self.lock:
            return self.statuses.popleft() if self.statuses else self.default_status


@contextmanager
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server naming
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {k: v for k, v in self.headers.items()}
            verified = verify_signature(state.secrets, headers.get("X-Layers-Signature", ""), body)
            status = state._next_status()
            with state.lock:
                state.received.append(Received(self.path, headers, body, verified))
            if state.on_request is not None:
                state.on_request(state.received[-1])
            state.arrived.set()
            if state.delay:
                time.sleep(state.delay)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok":true}')
            except OSError:  # the emulator gave up (timeout) and closed the connection
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as r:
        yield r


def register(api: Api, hook: Receiver, events: list[str] | None = None, **fields: Any) -> dict[str, Any]:
    body = {"url": hook.url, "events": events or ["post.published", "job.completed"], **fields}
    r = api.post("/v1/webhook-endpoints", json=body)
    assert r.status_code == 201, r.text
    hook.secrets.append(r.json()["signingSecret"])
    return dict(r.json()["endpoint"])


def emit(api: Api, type_: str = "post.published", **body: Any) -> dict[str, Any]:
    r = api.post("/_emulator/webhooks/emit", json={"type": type_, "data": {"scheduledPostId": "sp_1"}, **body})
    assert r.status_code == 200, r.text
    return dict(r.json())


def inbox(api: Api, **params: Any) -> list[dict[str, Any]]:
    r = api.get("/_emulator/webhooks/inbox", params=params)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def deliveries(api: Api, endpoint_id: str, **params: Any) -> list[dict[str, Any]]:
    r = api.get(f"/v1/webhook-endpoints/{endpoint_id}/deliveries", params=params)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])
