"""Security: loopback by default; with --allow-remote every /_emulator route needs the admin
token; URLs the emulator would fetch never point at private addresses; webhook deliveries go
only to the endpoints registered (and stop when the endpoint is moved or deleted)."""
from __future__ import annotations

import socket
import threading
from emulator.settings import Settings
from tests.api.webhook_receiver import emit, receiver, register
from tests.support import Api, emulator_client, new_key

TOKEN = "s3cret-admin-token"


def test_default_settings_bind_loopback_and_refuse_remote() -> None:
    assert Settings().host == "127.0.0.1" and Settings().allow_remote is False


def test_allow_remote_requires_the_admin_token_on_every_control_route() -> None:
    with emulator_client(allow_remote=True, admin_token=TOKEN) as client:
        api = Api(client, new_key())
        control = [r for r in client.app.state.routes if r.path.startswith("/_emulator")]
        assert len(control) > 20
        exempt = 0
        for route in control:
            path = route.path.replace("{", "x").replace("}", "")
            r = api.request(route.method, path, json={} if route.method != "GET" else None)
            if route.path == "/_emulator/health" or r.status_code != 401:
                # only liveness and the capability URLs (media, uploads, consent page) skip the token
                assert route.path == "/_emulator/health" or any(
                    route.path.startswith(p) for p in ("/_emulator/media/", "/_emulator/uploads/",
                                                       "/_emulator/content-uploads/", "/_emulator/oauth/authorize",
                                                       "/_emulator/github/install")), (route.path, r.status_code)
                exempt += 1
                continue
            assert r.json()["error"]["code"] == "UNAUTHENTICATED"
        assert 1 <= exempt <= 8
        assert api.get("/_emulator/clock", headers={"X-Admin-Token": "wrong"}).status_code == 401
        ok = api.get("/_emulator/clock", headers={"X-Admin-Token": TOKEN})
        assert ok.status_code == 200 and ok.json()["mode"] == "virtual"
        assert api.post("/_emulator/clock/advance", json={"seconds": 5}, headers={"X-Admin-Token": TOKEN}).status_code == 200
        assert client.post("/_emulator/keys", json={}).status_code == 401
        assert client.get("/_emulator/server-errors").status_code == 401
        assert api.get("/v1/projects").status_code == 200  # the Partner API itself needs only the key


def test_without_allow_remote_no_token_is_asked() -> None:
    with emulator_client() as client:
        api = Api(client, new_key())
        assert api.get("/_emulator/clock").status_code == 200


class Listener:
    """A loopback TCP listener that counts connections (it must count none)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self.stop = True
        self.thread.join()
        self.sock.close()


def test_fetched_urls_never_reach_private_addresses(api: Api) -> None:
    listener = Listener()
    try:
        p = api.project()
        hosts = [f"127.0.0.1:{listener.port}", f"localhost:{listener.port}", "10.0.0.1", "169.254.169.254",
                 "[::1]", "0x7f000001", "192.168.1.1", "2130706433"]
        for host in hosts:
            for scheme in ("http", "https"):
                url = f"{scheme}://{host}/page"
                for path, body in ((f"/v1/projects/{p['id']}/ingest/website", {"url": url}),
                                   (f"/v1/projects/{p['id']}/app-media", {"kind": "screenshot", "url": url})):
                    r = api.post(path, json=body)
                    assert r.status_code == 422, (path, url, r.text)
                    assert r.json()["error"]["code"] == "VALIDATION"
        api.advance(seconds=600)
        assert listener.hits == 0
    finally:
        listener.close()


def test_webhook_deliveries_go_only_to_registered_endpoints(api: Api) -> None:
    with receiver() as first, receiver() as second, receiver() as never:
        endpoint = register(api, first, events=["post.published"])
        emit(api)
        api.advance(seconds=5)
        assert len(first.received) == 1
        r = api.patch(f"/v1/webhook-endpoints/{endpoint['id']}", json={"url": second.url})
        assert r.status_code == 200, r.text
        emit(api)
        api.advance(seconds=5)
        assert len(first.received) == 1 and len(second.received) == 1
        assert api.delete(f"/v1/webhook-endpoints/{endpoint['id']}").status_code in (200, 204)
        emit(api)
        api.advance(seconds=3600)
        other = Api(api.client, new_key())  # another tenant's events never reach this tenant's receivers
        register(other, never, events=["job.completed"])
        emit(other)
        other.advance(seconds=5)
        assert len(first.received) == 1 and len(second.received) == 1 and len(never.received) == 0
        assert {x.path for x in first.received + second.received} == {"/hooks"}
