from __future__ import annotations

from tests.support import Api


def test_create_and_get_project(api: Api) -> None:
    project = api.project()
    assert project["id"].startswith("prj_")
    r = api.get(f"/v1/projects/{project['id']}")
    assert r.status_code == 200
    assert r.json()["name"] == "Acme App"
