"""Idempotency-Key: replay byte for byte, conflict on a different body, scoped per key and
endpoint, a 24-hour window on the tenant clock."""
from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import Api, new_key

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=3, max_size=30).filter(lambda s: s.strip() == s and len(s) >= 3)
zones = st.sampled_from(["UTC", "America/New_York", "Europe/Paris", "Asia/Tokyo"])


def _create(api: Api, key: str, body: dict[str, Any]) -> Any:
    return api.post("/v1/projects", json=body, headers={"Idempotency-Key": key})


def test_same_key_same_body_replays_the_original(api: Api) -> None:
    body = {"name": "Replayed", "timezone": "UTC"}
    first = _create(api, "k-1", body)
    api.advance(seconds=3600)
    again = _create(api, "k-1", body)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(api.get("/v1/projects").json()["items"]) == 1


def test_key_order_does_not_matter(api: Api) -> None:
    first = api.request("POST", "/v1/projects", content=b'{"name":"Acme","timezone":"UTC"}',
                        headers={"Idempotency-Key": "k", "Content-Type": "application/json"})
    again = api.request("POST", "/v1/projects", content=b'{ "timezone": "UTC", "name": "Acme" }',
                        headers={"Idempotency-Key": "k", "Content-Type": "application/json"})
    assert again.content == first.content


def test_different_body_is_a_conflict(api: Api) -> None:
    _create(api, "k-2", {"name": "First", "timezone": "UTC"})
    r = _create(api, "k-2", {"name": "Second", "timezone": "UTC"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "IDEMPOTENCY_CONFLICT"


def test_keys_are_scoped_per_endpoint(api: Api) -> None:
    project = _create(api, "shared", {"name": "Scoped", "timezone": "UTC"}).json()
    r = api.patch(f"/v1/projects/{project['id']}", json={"name": "Renamed"}, headers={"Idempotency-Key": "shared"})
    assert r.status_code == 200 and r.json()["name"] == "Renamed"


def test_keys_are_scoped_per_api_key(api: Api, client: Any) -> None:
    _create(api, "same", {"name": "Mine", "timezone": "UTC"})
    other = Api(client, new_key())
    r = _create(other, "same", {"name": "Theirs", "timezone": "UTC"})
    assert r.status_code == 201 and r.json()["name"] == "Theirs"


def test_the_window_is_24_hours_of_tenant_time(api: Api) -> None:
    body = {"name": "Windowed", "timezone": "UTC"}
    first = _create(api, "k-3", body)
    api.advance(duration="PT24H1S")
    later = _create(api, "k-3", body)
    assert later.status_code == 201 and later.json()["id"] != first.json()["id"]


def test_errors_are_replayed_too(api: Api) -> None:
    body = {"name": "x", "timezone": "UTC"}
    first = _create(api, "k-4", body)
    again = _create(api, "k-4", body)
    assert first.status_code == again.status_code == 422
    assert again.json()["error"]["code"] == "VALIDATION"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, zone=zones, other_name=names)
def test_property_replay_equals_original_and_any_change_conflicts(client: Any, name: str, zone: str, other_name: str) -> None:
    api = Api(client, new_key())
    body = {"name": name, "timezone": zone}
    first = _create(api, "prop", body)
    assert _create(api, "prop", dict(reversed(list(body.items())))).content == first.content
    changed = {"name": other_name, "timezone": zone}
    r = _create(api, "prop", changed)
    if other_name == name:
        assert r.content == first.content
    else:
        assert r.status_code == 409
