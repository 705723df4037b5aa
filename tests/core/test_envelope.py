"""Every 4xx/5xx is the Layers envelope; bad input never reaches a 500."""
from __future__ import annotations

from typing import Any

import pytest

from tests.support import Api


def _error(r: Any) -> dict[str, Any]:
    body = r.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert {"code", "message", "requestId"} <= set(err)
    assert err["requestId"].startswith("req_") and r.headers["X-Request-Id"] == err["requestId"]
    return dict(err)


def test_unknown_route_is_a_404_envelope(api: Api) -> None:
    r = api.get("/v1/nothing-here")
    assert r.status_code == 404 and _error(r)["code"] == "NOT_FOUND"


def test_wrong_method_is_a_405_envelope(api: Api) -> None:
    r = api.request("PUT", "/v1/projects")
    assert r.status_code == 405 and _error(r)["code"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize(
    "content, ctype, path",
    [
        pytest.param(b"{", "application/json", "", id="malformed-json"),
        pytest.param(b"[1, 2]", "application/json", "", id="array-not-object"),
        pytest.param(b'"text"', "application/json", "", id="string-not-object"),
        pytest.param(b"name=x", "application/x-www-form-urlencoded", "", id="form-body"),
        pytest.param(b'{"name": "Acme"}', "", "", id="no-content-type"),
        pytest.param(b'{"name": 5, "timezone": "UTC"}', "application/json", "name", id="wrong-type"),
        pytest.param(b'{"name": "Acme", "timezone": ["UTC"]}', "application/json", "timezone", id="list-for-string"),
        pytest.param(b'{"name": "Acme", "timezone": "UTC", "metadata": "x"}', "application/json", "metadata", id="metadata-type"),
        pytest.param(b'\xff\xfe', "application/json", "", id="not-utf8"),
    ],
)
def test_bad_bodies_are_validation_errors(api: Api, content: bytes, ctype: str, path: str) -> None:
    headers = {"Content-Type": ctype} if ctype else {}
    r = api.request("POST", "/v1/projects", content=content, headers=headers)
    assert r.status_code == 422, r.text
    err = _error(r)
    assert err["code"] == "VALIDATION"
    assert err["details"]["issues"][0]["path"] == path


def test_body_over_one_megabyte_is_413(api: Api) -> None:
    blob = b'{"name": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    r = api.request("POST", "/v1/projects", content=blob, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and _error(r)["code"] == "PAYLOAD_TOO_LARGE"


def test_every_response_carries_request_id_and_tenant_date(api: Api) -> None:
    api.advance(to="2026-06-01T12:30:00Z")
    r = api.get("/v1/projects")
    assert r.headers["X-Request-Id"].startswith("req_")
    assert r.headers["Date"] == "Mon, 01 Jun 2026 12:30:00 GMT"
    assert r.headers["X-RateLimit-Endpoint-Class"] == "read-light"


def test_request_ids_are_unique(api: Api) -> None:
    ids = {api.get("/v1/projects").headers["X-Request-Id"] for _ in range(20)}
    assert len(ids) == 20


def test_openapi_matches_the_route_table(api: Api) -> None:
    doc = api.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    routes = api.client.app.state.routes  # type: ignore[attr-defined]
    served = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    declared = {(r.method, r.path) for r in routes}
    assert served == declared
    create = doc["paths"]["/v1/projects"]["post"]
    schema_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert {"name", "timezone"} <= set(schema["required"])
