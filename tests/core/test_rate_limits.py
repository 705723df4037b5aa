"""Rate limits: headers always, 429 with Retry-After when enforced, buckets per class,
windows on the tenant clock."""
from __future__ import annotations

from typing import Any

from tests.support import Api, emulator_client, new_key


def test_headers_on_every_response_even_when_not_enforced(api: Api) -> None:
    r = api.get("/v1/projects")
    assert r.headers["X-RateLimit-Limit"] == "120"
    assert int(r.headers["X-RateLimit-Remaining"]) < 120
    assert r.headers["X-RateLimit-Endpoint-Class"] == "read-light"
    assert int(r.headers["X-RateLimit-Reset"]) % 60 == 0
    for _ in range(130):
        assert api.get("/v1/projects").status_code == 200  # virtual clock: off by default


def test_enforced_per_tenant_through_the_control_route(api: Api) -> None:
    assert api.post("/_emulator/rate-limits", json={"enabled": True, "tier": "standard"}).status_code == 200
    codes = [api.post("/v1/projects", json={"name": "Burst", "timezone": "UTC"}).status_code for _ in range(61)]
    assert codes[:60] == [201] * 60
    assert codes[60] == 429
    r = api.post("/v1/projects", json={"name": "Burst", "timezone": "UTC"})
    err = r.json()["error"]
    assert err["code"] == "RATE_LIMITED" and err["details"]["endpointClass"] == "write-light"
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert api.get("/v1/projects").status_code == 200  # another class has its own bucket
    api.advance(seconds=int(r.headers["Retry-After"]))
    assert api.post("/v1/projects", json={"name": "Later", "timezone": "UTC"}).status_code == 201


def test_other_tenants_are_not_limited(api: Api, client: Any) -> None:
    api.post("/_emulator/rate-limits", json={"enabled": True, "tier": "standard"})
    for _ in range(121):
        api.get("/v1/whoami")
    assert api.get("/v1/whoami").status_code == 429
    assert Api(client, new_key()).get("/v1/whoami").status_code == 200


def test_flag_forces_limits_on() -> None:
    with emulator_client(rate_limits="on") as c:
        api = Api(c, new_key())
        statuses = {api.get("/v1/whoami").status_code for _ in range(125)}
        assert statuses == {200, 429}
