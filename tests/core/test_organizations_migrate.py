"""`POST /v1/organizations/migrate`: projects move into new children, all or nothing."""
from __future__ import annotations

from typing import Any

import pytest

from emulator import jobs
from emulator.context import Ctx
from tests.core.org_support import code, inside, make_child
from tests.support import Api

jobs.register(jobs.JobKind("test_org_migrate", stages=(("queued", 10),)))


def start_project_job(api: Api, project_id: str) -> None:
    emu = api.client.app.state.emulator  # type: ignore[attr-defined]
    tenant_id = api.get("/v1/whoami").json()["organizationId"]

    async def run() -> None:
        async with emu.store.tx() as db:
            tenant = await emu.tenants.get(db, tenant_id)
            await jobs.start(Ctx(emu, tenant, tenant.now(), db), "test_org_migrate", pointers={"projectId": project_id}, params={})

    api.client.portal.call(run)  # type: ignore[attr-defined]


def migrate(api: Api, mapping: dict[str, Any], **kw: Any) -> Any:
    return api.post("/v1/organizations/migrate", json={"mapping": mapping}, **kw)


def test_projects_move_into_one_new_child_per_name(api: Api) -> None:
    a, b, c = (api.project(name=f"App {n}")["id"] for n in "ABC")
    r = migrate(api, {a: "Acme", b: "Acme", c[4:]: "Wayne"})
    assert r.status_code == 201
    body = r.json()
    assert body["projectsMoved"] == 3 and body["childrenCreated"] == 2
    children = {ch["name"]: ch for ch in body["children"]}
    assert children["Acme"]["projectIds"] == [a, b] and children["Wayne"]["projectIds"] == [c]
    for project_id in (a, b, c):
        assert api.get(f"/v1/projects/{project_id}").status_code == 404
    moved = api.get(f"/v1/projects/{a}", headers=inside(children["Acme"]["id"]))
    assert moved.status_code == 200 and moved.json()["organizationId"] == children["Acme"]["id"]
    orgs = {o["id"]: o for o in api.get("/v1/organizations").json()["items"]}
    assert set(orgs) == {children["Acme"]["id"], children["Wayne"]["id"]}
    assert api.get(f"/v1/organizations/{children['Acme']['id']}").json()["summary"]["projectCount"] == 2


def test_an_unknown_project_moves_nothing(api: Api) -> None:
    a = api.project()["id"]
    r = migrate(api, {a: "Acme", "prj_00000000-0000-4000-8000-000000000000": "Acme"})
    assert r.status_code == 404 and code(r) == "NOT_FOUND"
    assert api.get(f"/v1/projects/{a}").status_code == 200
    assert api.get("/v1/organizations").json()["items"] == []


def test_in_flight_work_rejects_the_whole_call(api: Api) -> None:
    a, b = api.project()["id"], api.project(name="Busy App")["id"]
    start_project_job(api, b)
    r = migrate(api, {a: "Acme", b: "Busy"})
    assert r.status_code == 409 and code(r) == "CONFLICT" and r.json()["error"]["details"]["projectId"] == b
    assert api.get(f"/v1/projects/{a}").status_code == 200 and api.get("/v1/organizations").json()["items"] == []
    api.advance(seconds=10)  # the job finishes: now it can move
    assert migrate(api, {a: "Acme", b: "Busy"}).status_code == 201


@pytest.mark.parametrize("body, path", [
    ({}, "mapping"), ({"mapping": {}}, "mapping"), ({"mapping": []}, "mapping"),
    ({"mapping": {"prj_x": ""}}, "mapping.prj_x"), ({"mapping": {"prj_x": "n" * 129}}, "mapping.prj_x"),
    ({"mapping": {"prj_x": 5}}, "mapping.prj_x"), ({"mapping": {" ": "Acme"}}, "mapping"),
])
def test_mapping_bounds(api: Api, body: dict, path: str) -> None:
    r = api.post("/v1/organizations/migrate", json=body)
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == path


def test_replay_does_not_migrate_twice(api: Api) -> None:
    a = api.project()["id"]
    h = {"Idempotency-Key": "mig-1"}
    first = migrate(api, {a: "Acme"}, headers=h)
    again = migrate(api, {a: "Acme"}, headers=h)
    assert again.status_code == 201 and again.json() == first.json()
    assert len(api.get("/v1/organizations").json()["items"]) == 1


def test_a_child_cannot_migrate(api: Api) -> None:
    org = make_child(api)
    project = api.post("/v1/projects", json={"name": "Inner", "timezone": "UTC"}, headers=inside(org["id"])).json()
    r = migrate(api, {project["id"]: "Grandchild"}, headers=inside(org["id"]))
    assert r.status_code == 422 and code(r) == "VALIDATION"


def test_a_projects_content_moves_with_it(api: Api) -> None:
    from tests.api.content_support import brand_project, completed

    project = brand_project(api)
    container = completed(api, project)
    child = migrate(api, {project["id"]: "Acme"}).json()["children"][0]["id"]
    assert api.get(f"/v1/content/{container['id']}").status_code == 404
    moved = api.get(f"/v1/content/{container['id']}", headers=inside(child))
    assert moved.status_code == 200 and moved.json()["status"] == "completed"


def test_pending_work_of_a_moved_project_runs_in_the_child(api: Api) -> None:
    from tests.api.content_support import brand_project

    project = brand_project(api)  # onboarding readies its influencer about a minute later
    child = migrate(api, {project["id"]: "Acme"}).json()["children"][0]["id"]
    api.advance(seconds=61)
    r = api.get(f"/v1/projects/{project['id']}/influencers", headers=inside(child))
    assert r.status_code == 200 and [i["status"] for i in r.json()["items"]] == ["ready"]
