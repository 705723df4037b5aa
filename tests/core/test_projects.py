"""Projects: the seed's bounds, list filters, patch rules, archive."""
from __future__ import annotations

from typing import Any

import pytest

from tests.support import Api

DESCRIPTION = "A habit tracker that turns small daily wins into streaks, with gentle reminders and weekly reviews for busy people."


def _issue_paths(r: Any) -> list[str]:
    return [i["path"] for i in r.json()["error"]["details"]["issues"]]


@pytest.mark.parametrize(
    "field, value",
    [
        pytest.param("name", "ab", id="name-too-short"),
        pytest.param("name", "x" * 31, id="name-too-long"),
        pytest.param("timezone", "Mars/Olympus", id="unknown-zone"),
        pytest.param("appName", "ab", id="appname-short"),
        pytest.param("appDescription", "too short", id="description-short"),
        pytest.param("appDescription", "x" * 1001, id="description-long"),
        pytest.param("tagline", "t" * 81, id="tagline-long"),
        pytest.param("brandVoice", "sarcastic", id="voice-enum"),
        pytest.param("targetGender", "robots", id="gender-enum"),
        pytest.param("primaryLanguage", "english!", id="bcp47"),
        pytest.param("ownerEmail", "not-an-email", id="email"),
        pytest.param("metadata", {"blob": "x" * 9000}, id="metadata-8kb"),
    ],
)
def test_create_bounds(api: Api, field: str, value: Any) -> None:
    body = {"name": "Valid Name", "timezone": "UTC", field: value}
    r = api.post("/v1/projects", json=body)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "VALIDATION"
    assert field in _issue_paths(r)


def test_timezone_is_required(api: Api) -> None:
    r = api.post("/v1/projects", json={"name": "No Zone"})
    assert r.status_code == 422 and _issue_paths(r) == ["timezone"]


def test_create_defaults_and_brand_context(api: Api) -> None:
    project = api.project(appName="Streaky", appDescription=DESCRIPTION, tagline="Small wins")
    assert project["status"] == "active"
    assert project["primaryLanguage"] == "en"
    assert project["brandVoice"] == "authentic"
    assert project["brandContext"]["appName"] == "Streaky"
    assert project["brandContext"]["appDescription"] == DESCRIPTION
    assert project["createdAt"].endswith("Z")
    bare = api.project()
    assert bare["brandContext"] is None


def test_partner_chosen_id_is_idempotent(api: Api) -> None:
    body = {"id": "5f0c2f0e-8a6b-4f8e-9a43-0d0a1c2b3e4f", "name": "Mine", "timezone": "UTC"}
    first = api.post("/v1/projects", json=body)
    assert first.status_code == 201 and first.json()["id"] == "prj_5f0c2f0e-8a6b-4f8e-9a43-0d0a1c2b3e4f"
    again = api.post("/v1/projects", json=body)
    assert again.json()["id"] == first.json()["id"]
    clash = api.post("/v1/projects", json={**body, "name": "Other"})
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "CONFLICT"
    bare = api.get("/v1/projects/5f0c2f0e-8a6b-4f8e-9a43-0d0a1c2b3e4f")
    assert bare.status_code == 200


def test_list_filters(api: Api) -> None:
    a = api.project(name="Alpha Fitness", customerExternalId="cust-1")
    b = api.project(name="Beta Finance", customerExternalId="cust-2")
    api.delete(f"/v1/projects/{b['id']}")
    ids = lambda **p: [x["id"] for x in api.get("/v1/projects", params=p).json()["items"]]  # noqa: E731
    assert ids(customerExternalId="cust-1") == [a["id"]]
    assert ids(status="archived") == [b["id"]]
    assert ids(search="FITNESS") == [a["id"]]
    assert ids() == [b["id"], a["id"]]
    r = api.get("/v1/projects", params={"status": "deleted"})
    assert r.status_code == 422 and _issue_paths(r) == ["status"]
    item = api.get("/v1/projects").json()["items"][0]
    assert set(item) == {"id", "name", "status", "customerExternalId", "timezone", "primaryLanguage",
                         "ownerEmail", "createdAt", "updatedAt"}


def test_patch_changes_fields_and_refuses_system_fields(api: Api) -> None:
    project = api.project()
    api.advance(seconds=90)
    r = api.patch(f"/v1/projects/{project['id']}", json={"name": "Renamed", "metadata": {"a": 1}})
    assert r.status_code == 200
    assert r.json()["name"] == "Renamed" and r.json()["metadata"] == {"a": 1}
    assert r.json()["updatedAt"] > project["updatedAt"]
    for field in ("id", "organizationId", "createdAt", "ingestState", "brandContext"):
        bad = api.patch(f"/v1/projects/{project['id']}", json={field: "x"})
        assert bad.status_code == 400, field
        assert bad.json()["error"]["code"] == "VALIDATION"
    empty = api.patch(f"/v1/projects/{project['id']}", json={})
    assert empty.status_code == 422


def test_archive_is_idempotent_and_reversible(api: Api) -> None:
    project = api.project()
    first = api.delete(f"/v1/projects/{project['id']}")
    assert first.status_code == 200
    assert first.json()["status"] == "archived" and first.json()["canceledScheduledPosts"] == 0
    api.advance(seconds=5)
    second = api.delete(f"/v1/projects/{project['id']}")
    assert second.status_code == 200 and second.json()["archivedAt"] > first.json()["archivedAt"]
    restored = api.patch(f"/v1/projects/{project['id']}", json={"status": "active"})
    assert restored.json()["status"] == "active" and restored.json()["archivedAt"] is None


def test_unknown_project_is_404(api: Api) -> None:
    r = api.get("/v1/projects/prj_00000000-0000-4000-8000-000000000000")
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
