"""Webhook endpoint management: create (secret once), validation, list/get/patch/delete,
rotate-secret, test-fire and deliveries-list errors, tenant isolation."""
from __future__ import annotations

from typing import Any

from tests.support import Api, new_key

URL = "https://hooks.example.com/layers"
DEAD = "http://127.0.0.1:9/hook"  # fired tests go nowhere (connection refused), never off the machine


def create(api: Api, **fields: Any) -> Any:
    return api.post("/v1/webhook-endpoints", json={"url": URL, "events": ["job.completed"], **fields})


def issue_paths(r: Any) -> list[str]:
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "VALIDATION"
    return [i["path"] for i in r.json()["error"]["details"]["issues"]]


def test_create_shows_secret_once(api: Api) -> None:
    r = create(api, description="prod", metadata={"team": "growth"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["signingSecret"].startswith("whsec_") and len(body["signingSecret"]) > 40
    assert "once" in body["warning"]
    ep = body["endpoint"]
    assert ep["url"] == URL and ep["events"] == ["job.completed"] and ep["status"] == "active"
    assert ep["organizationId"].startswith("org_") and ep["projectId"] is None
    assert ep["apiVersion"] == "v1" and ep["scope"] == "own" and ep["metadata"] == {"team": "growth"}
    assert ep["consecutiveFailureCount"] == 0 and ep["lastSuccessAt"] is None
    assert len(ep["id"]) == 36  # bare UUID
    got = api.get(f"/v1/webhook-endpoints/{ep['id']}").json()
    assert got == ep
    assert body["signingSecret"] not in api.get("/v1/webhook-endpoints").text
    assert all(not k.startswith("_") for k in got)


def test_create_replay_returns_the_same_secret(api: Api) -> None:
    headers = {"Idempotency-Key": "create-hook-1"}
    first = api.post("/v1/webhook-endpoints", json={"url": URL, "events": ["job.failed"]}, headers=headers)
    again = api.post("/v1/webhook-endpoints", json={"url": URL, "events": ["job.failed"]}, headers=headers)
    assert again.status_code == 201 and again.json() == first.json()
    assert len(api.get("/v1/webhook-endpoints").json()["items"]) == 1


def test_unknown_event_names_the_entry(api: Api) -> None:
    assert issue_paths(create(api, events=["job.completed", "job.exploded"])) == ["events[1]"]
    assert issue_paths(create(api, events=[])) == ["events"]
    assert "events" in issue_paths(create(api, events=["job.completed"] * 51))
    assert issue_paths(create(api, events=["*"])) == ["events[0]"]


def test_url_rules(api: Api) -> None:
    assert issue_paths(create(api, url="http://hooks.example.com/x")) == ["url"]
    assert issue_paths(create(api, url="ftp://hooks.example.com/x")) == ["url"]
    assert issue_paths(create(api, url="not a url")) == ["url"]
    for ok in ("http://localhost:3000/hook", "http://127.0.0.1:9/x", "https://10.0.0.5/internal"):
        assert create(api, url=ok).status_code == 201, ok


def test_allow_http_switch(api: Api) -> None:
    api.post("/_emulator/webhooks/config", json={"allowHttp": True})
    assert create(api, url="http://hooks.example.com/x").status_code == 201


def test_project_scope_must_be_own_project(client: Any, api: Api) -> None:
    other = Api(client, new_key())
    foreign = other.project()
    r = create(api, projectId=foreign["id"])
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
    mine = api.project()
    scoped = create(api, projectId=mine["id"]).json()["endpoint"]
    create(api)  # org-wide
    assert scoped["projectId"] == mine["id"]
    listed = api.get("/v1/webhook-endpoints", params={"projectId": mine["id"]}).json()["items"]
    assert [e["id"] for e in listed] == [scoped["id"]]
    assert len(api.get("/v1/webhook-endpoints").json()["items"]) == 2


def test_list_filters_and_cursor(api: Api) -> None:
    ids = [create(api).json()["endpoint"]["id"] for _ in range(3)]
    api.patch(f"/v1/webhook-endpoints/{ids[0]}", json={"status": "paused"})
    paused = api.get("/v1/webhook-endpoints", params={"status": "paused"}).json()["items"]
    assert [e["id"] for e in paused] == [ids[0]]
    first = api.get("/v1/webhook-endpoints", params={"limit": 2}).json()
    rest = api.get("/v1/webhook-endpoints", params={"limit": 2, "cursor": first["nextCursor"]}).json()
    assert [e["id"] for e in first["items"] + rest["items"]] == ids[::-1]
    assert rest["nextCursor"] is None
    assert issue_paths(api.get("/v1/webhook-endpoints", params={"status": "auto"})) == ["status"]
    assert issue_paths(api.get("/v1/webhook-endpoints", params={"limit": 101})) == ["limit"]


def test_patch_fields(api: Api) -> None:
    ep = create(api, description="first", metadata={"a": "1", "b": "2"}).json()["endpoint"]
    path = f"/v1/webhook-endpoints/{ep['id']}"
    r = api.patch(path, json={"events": ["post.published", "post.failed"], "description": None,
                               "metadata": {"a": "", "c": "3"}})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["events"] == ["post.published", "post.failed"] and got["description"] is None
    assert got["metadata"] == {"b": "2", "c": "3"}
    assert api.patch(path, json={"metadata": None}).json()["metadata"] == {}
    assert api.patch(path, json={"url": "https://other.example.com/h"}).json()["url"] == "https://other.example.com/h"
    assert api.get(path).json()["events"] == ["post.published", "post.failed"]


def test_patch_errors(api: Api) -> None:
    ep = create(api).json()["endpoint"]
    path = f"/v1/webhook-endpoints/{ep['id']}"
    assert issue_paths(api.patch(path, json={})) == [""]
    assert issue_paths(api.patch(path, json={"status": "auto_paused"})) == ["status"]
    assert issue_paths(api.patch(path, json={"status": "deleted"})) == ["status"]
    assert issue_paths(api.patch(path, json={"events": ["nope"]})) == ["events[0]"]
    assert issue_paths(api.patch(path, json={"url": "http://example.com"})) == ["url"]
    assert issue_paths(api.patch(path, json={"url": None})) == ["url"]
    assert api.patch("/v1/webhook-endpoints/00000000-0000-4000-8000-000000000000",
                     json={"status": "paused"}).status_code == 404


def test_all_children_needs_org_admin(client: Any, api: Api) -> None:
    minted = client.post("/_emulator/keys", json={"scopes": ["*"]}).json()  # type: ignore[attr-defined]
    plain = Api(client, minted["apiKey"])
    r = plain.post("/v1/webhook-endpoints", json={"url": URL, "events": ["job.completed"], "scope": "all_children"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN_SCOPE"
    assert create(api, scope="all_children").json()["endpoint"]["scope"] == "all_children"


def test_delete_then_not_found(api: Api) -> None:
    ep = create(api).json()["endpoint"]
    path = f"/v1/webhook-endpoints/{ep['id']}"
    assert api.delete(path).json() == {"id": ep["id"], "deleted": True}
    assert api.get(path).status_code == 404
    assert api.delete(path).status_code == 404
    assert api.post(path + "/test").status_code == 404


def test_rotate_secret_reports_the_overlap(api: Api) -> None:
    created = create(api).json()
    ep = created["endpoint"]
    api.advance(seconds=90)
    r = api.post(f"/v1/webhook-endpoints/{ep['id']}/rotate-secret")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["endpointId"] == ep["id"]
    assert body["signingSecret"].startswith("whsec_") and body["signingSecret"] != created["signingSecret"]
    assert body["previousSecretExpiresAt"] == "2026-05-12T00:01:30.000Z"
    assert body["warning"]


def test_other_tenants_cannot_see_or_touch(client: Any, api: Api) -> None:
    ep = create(api, url=DEAD).json()["endpoint"]
    other = Api(client, new_key())
    for method, suffix in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/rotate-secret"),
                           ("POST", "/test"), ("GET", "/deliveries")):
        kw: dict[str, Any] = {"json": {"status": "paused"}} if method == "PATCH" else {}
        r = other.request(method, f"/v1/webhook-endpoints/{ep['id']}{suffix}", **kw)
        assert r.status_code == 404, (method, suffix, r.text)
    assert other.get("/v1/webhook-endpoints").json()["items"] == []
    fired = api.post(f"/v1/webhook-endpoints/{ep['id']}/test").json()
    assert other.post(f"/v1/webhook-deliveries/{fired['deliveryId']}/replay").status_code == 404


def test_test_fire_and_deliveries_validation(api: Api) -> None:
    ep = create(api, url=DEAD).json()["endpoint"]
    path = f"/v1/webhook-endpoints/{ep['id']}"
    assert issue_paths(api.post(path + "/test", json={"payload": "hi"})) == ["payload"]
    fired = api.post(path + "/test").json()
    assert fired["eventId"].startswith("evt_") and fired["scheduledAt"] == "2026-05-11T00:00:00.000Z"
    rows = api.get(path + "/deliveries").json()["items"]
    assert rows[0]["eventType"] == "test.ping" and "_body" not in rows[0] and "payload" not in rows[0]
    assert issue_paths(api.get(path + "/deliveries", params={"status": "lost"})) == ["status"]
    assert issue_paths(api.get(path + "/deliveries", params={"eventType": "x.y"})) == ["eventType"]
    assert api.get(path + "/deliveries", params={"eventType": "job.failed"}).json()["items"] == []
    assert api.post("/v1/webhook-deliveries/00000000-0000-4000-8000-000000000000/replay").status_code == 404


def test_emit_control_refuses_unknown_types(api: Api) -> None:
    r = api.post("/_emulator/webhooks/emit", json={"type": "project.created"})
    assert issue_paths(r) == ["type"]
    assert issue_paths(api.post("/_emulator/webhooks/emit", json={"type": "test.ping"})) == ["type"]
    r = api.post("/_emulator/webhooks/emit", json={"type": "post.failed", "projectId": "prj_missing"})
    assert r.status_code == 404


def test_config_defaults_and_bounds(api: Api) -> None:
    assert api.get("/_emulator/webhooks/config").json() == {
        "timeoutSeconds": 5.0, "retryPolicy": "ladder", "allowHttp": False,
    }
    assert issue_paths(api.post("/_emulator/webhooks/config", json={"timeoutSeconds": 0})) == ["timeoutSeconds"]
    assert issue_paths(api.post("/_emulator/webhooks/config", json={"retryPolicy": "forever"})) == ["retryPolicy"]
