"""The audit log records mutating requests and auth denials, newest first, at both paths."""
from __future__ import annotations

from typing import Any

from tests.support import Api


def test_mutations_are_audited_newest_first(api: Api) -> None:
    project = api.project()
    api.patch(f"/v1/projects/{project['id']}", json={"name": "Renamed"})
    api.get("/v1/projects")
    items = api.get("/v1/audit-log").json()["items"]
    assert [i["event_type"] for i in items] == ["project.updated", "project.created"]
    top = items[0]
    assert top["project_id"] == project["id"]
    assert top["api_key_id"] == api.get("/v1/whoami").json()["apiKeyId"]
    assert top["request_id"].startswith("req_") and top["occurred_at"].endswith("Z")
    assert api.get("/partner/v1/audit-log").json()["items"] == items


def test_scope_denials_are_audited(client: Any) -> None:
    key = client.post("/_emulator/keys", json={"scopes": ["projects:read"]}).json()["apiKey"]
    api = Api(client, key)
    assert api.post("/v1/projects", json={"name": "Nope", "timezone": "UTC"}).status_code == 403
    kinds = [i["event_type"] for i in api.get("/v1/audit-log", params={"eventType": "auth.scope_denied"}).json()["items"]]
    assert kinds == ["auth.scope_denied"]


def test_audit_log_paginates(api: Api) -> None:
    for i in range(5):
        api.project(name=f"Audited {i}")
    first = api.get("/v1/audit-log", params={"limit": 3}).json()
    second = api.get("/v1/audit-log", params={"limit": 3, "cursor": first["nextCursor"]}).json()
    ids = [i["event_id"] for i in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 5 and second["nextCursor"] is None
