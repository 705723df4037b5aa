"""Child-org lifecycle: X-Layers-Organization, suspend/resume (kill switch, held work), archive
(sweep, revoke, terminal), whoami inside a child (platform sheet §4, §6.2)."""
from __future__ import annotations

from typing import Any

from emulator import jobs
from emulator.context import Ctx
from tests.core.org_support import allocate, child_key, code, inside, make_child
from tests.support import Api

jobs.register(jobs.JobKind("test_org_hold", stages=(("queued", 10), ("working", 20))))


def start_job_in(api: Api, org_id: str) -> dict[str, Any]:
    emu = api.client.app.state.emulator  # type: ignore[attr-defined]

    async def run() -> dict[str, Any]:
        async with emu.store.tx() as db:
            tenant = await emu.tenants.get(db, org_id)
            ctx = Ctx(emu, tenant, tenant.now(), db)
            return jobs.envelope(await jobs.start(ctx, "test_org_hold", pointers={"projectId": None}, params={}))

    return api.client.portal.call(run)  # type: ignore[attr-defined,no-any-return]


def test_header_runs_any_route_inside_the_child(api: Api) -> None:
    org = make_child(api)
    r = api.post("/v1/projects", json={"name": "Acme App", "timezone": "UTC"}, headers=inside(org["id"]))
    assert r.status_code == 201 and r.json()["organizationId"] == org["id"]
    project_id = r.json()["id"]
    assert api.get(f"/v1/projects/{project_id}").status_code == 404  # not in the parent
    assert [p["id"] for p in api.get("/v1/projects", headers=inside(org["id"])).json()["items"]] == [project_id]
    own = child_key(api, org["id"], scopes=["projects:read"])
    assert own.get(f"/v1/projects/{project_id}").status_code == 200


def test_whoami_inside_a_child(api: Api) -> None:
    me = api.get("/v1/whoami").json()
    org = make_child(api, "Acme Coffee")
    who = api.get("/v1/whoami", headers=inside(org["id"])).json()
    assert who["organizationId"] == who["workspaceId"] == org["id"]
    assert who["organizationName"] == "Acme Coffee" and who["parentOrganizationId"] == me["organizationId"]
    assert who["apiKeyId"] == me["apiKeyId"] and who["scopes"] == me["scopes"]
    assert who["creditBalance"] == 0 and me["parentOrganizationId"] is None


def test_header_misuse(api: Api, client: Any) -> None:
    org = make_child(api)
    foreign = make_child(Api(api.client, api.key + "w"))
    assert code(api.get("/v1/whoami", headers=inside(foreign["id"]))) == "NOT_FOUND"
    me = api.get("/v1/whoami").json()["organizationId"]
    assert api.get("/v1/whoami", headers=inside(me)).status_code == 404
    r = api.get("/v1/whoami", headers=inside("acme"))
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "X-Layers-Organization"
    child = child_key(api, org["id"])
    r = child.get("/v1/whoami", headers=inside(org["id"]))
    assert r.status_code == 403 and code(r) == "FORBIDDEN_SCOPE"
    plain = Api(api.client, client.post("/_emulator/keys", json={"scopes": ["*"]}).json()["apiKey"])
    r = plain.get("/v1/whoami", headers=inside(org["id"]))
    assert r.status_code == 403 and r.json()["error"]["details"]["requiredScope"] == "org:admin"
    assert api.get("/v1/whoami", headers=inside(org["id"][4:])).json()["organizationId"] == org["id"]


def test_suspend_switches_the_childs_keys_off_and_resume_back_on(api: Api) -> None:
    org = make_child(api)
    child = child_key(api, org["id"])
    r = api.post(f"/v1/organizations/{org['id']}/suspend")
    assert r.status_code == 200 and r.json()["status"] == "suspended"
    for path in ("/v1/whoami", "/v1/projects", "/v1/credits"):
        denied = child.get(path)
        assert denied.status_code == 503 and code(denied) == "KILL_SWITCH"
        assert denied.json()["error"]["details"] == {"scope": "organization"}
    again = api.post(f"/v1/organizations/{org['id']}/suspend")
    assert again.status_code == 200 and again.json()["status"] == "suspended"
    assert api.get("/v1/projects", headers=inside(org["id"])).status_code == 200  # the parent is not cut off
    assert api.get(f"/v1/organizations/{org['id']}").json()["status"] == "suspended"
    r = api.post(f"/v1/organizations/{org['id']}/resume")
    assert r.status_code == 200 and r.json()["status"] == "active"
    assert child.get("/v1/whoami").status_code == 200
    assert api.post(f"/v1/organizations/{org['id']}/resume").json()["status"] == "active"


def test_suspended_childs_work_holds_and_resumes(api: Api) -> None:
    org = make_child(api)
    job = start_job_in(api, org["id"])
    api.post(f"/v1/organizations/{org['id']}/suspend")
    ran = api.post("/_emulator/clock/advance", json={"seconds": 3600}, headers=inside(org["id"])).json()["ran"]
    assert ran == {}
    held = api.get(f"/v1/jobs/{job['jobId']}", headers=inside(org["id"])).json()
    assert held["status"] == "running" and held["stage"] == "queued"
    api.post(f"/v1/organizations/{org['id']}/resume")
    resumed = api.get(f"/v1/jobs/{job['jobId']}", headers=inside(org["id"])).json()
    assert resumed["status"] == "running" and resumed["stage"] == "working"  # the held step ran at resume
    api.post("/_emulator/clock/advance", json={"seconds": 20}, headers=inside(org["id"]))
    done = api.get(f"/v1/jobs/{job['jobId']}", headers=inside(org["id"])).json()
    assert done["status"] == "completed" and done["finishedAt"] == "2026-05-11T01:00:20.000Z"


def test_archive_sweeps_revokes_and_is_terminal(api: Api) -> None:
    parent_before = api.get("/v1/credits").json()["prepaidBalance"]
    org = make_child(api)
    k1, k2 = child_key(api, org["id"]), child_key(api, org["id"])
    deleted = api.get("/v1/organizations/" + org["id"] + "/api-keys").json()["items"][0]["id"]
    api.delete(f"/v1/organizations/{org['id']}/api-keys/{deleted}")
    assert allocate(api, org["id"], 700).status_code == 200
    r = api.delete(f"/v1/organizations/{org['id']}")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == org["id"] and body["status"] == "archived" and body["archivedAt"]
    assert body["reclaimedCredits"] == 700 and body["revokedApiKeys"] == 1
    assert api.get("/v1/credits").json()["prepaidBalance"] == parent_before
    for key in (k1, k2):
        assert key.get("/v1/whoami").status_code == 401
    assert api.delete(f"/v1/organizations/{org['id']}").json() == body
    for action in ("suspend", "resume"):
        r = api.post(f"/v1/organizations/{org['id']}/{action}")
        assert r.status_code == 409 and code(r) == "CONFLICT"
    assert api.get(f"/v1/organizations/{org['id']}").json()["status"] == "archived"
    assert api.get("/v1/projects", headers=inside(org["id"])).status_code == 200  # read only
    r = api.post("/v1/projects", json={"name": "Late", "timezone": "UTC"}, headers=inside(org["id"]))
    assert r.status_code == 409
    assert allocate(api, org["id"], 1).status_code == 409
    assert api.patch(f"/v1/organizations/{org['id']}", json={"name": "x"}).status_code == 409
    assert api.post(f"/v1/organizations/{org['id']}/api-keys", json={"name": "n", "scopes": ["*"]}).status_code == 409
    listed = api.get("/v1/organizations", params={"status": "archived"}).json()["items"]
    assert [o["id"] for o in listed] == [org["id"]]


def test_archive_drops_the_childs_scheduled_work(api: Api) -> None:
    org = make_child(api)
    job = start_job_in(api, org["id"])
    api.delete(f"/v1/organizations/{org['id']}")
    api.post("/_emulator/clock/advance", json={"seconds": 3600}, headers=inside(org["id"]))
    assert api.get(f"/v1/jobs/{job['jobId']}", headers=inside(org["id"])).json()["status"] == "running"


def test_a_parent_key_kill_does_not_reach_children(api: Api) -> None:
    org = make_child(api)
    child = child_key(api, org["id"])
    key_id = api.get("/v1/whoami").json()["apiKeyId"]
    api.post(f"/v1/api-keys/{key_id}/kill")
    assert child.get("/v1/whoami").status_code == 200


def test_a_child_lives_on_its_parents_clock(api: Api) -> None:
    api.advance(duration="P1D")
    org = make_child(api)
    assert org["createdAt"] == "2026-05-12T00:00:00.000Z"
    clock = api.get("/_emulator/clock", headers=inside(org["id"])).json()
    assert clock["now"] == "2026-05-12T00:00:00.000Z"
    job = start_job_in(api, org["id"])
    ran = api.advance(seconds=3600)["ran"]
    assert ran.get("job.step", 0) >= 1  # the child's work ran during the parent's advance
    done = api.get(f"/v1/jobs/{job['jobId']}", headers=inside(org["id"])).json()
    assert done["status"] == "completed" and done["finishedAt"] == "2026-05-12T00:00:30.000Z"
    assert api.get("/_emulator/clock", headers=inside(org["id"])).json()["now"] == "2026-05-12T01:00:00.000Z"


def test_a_revoked_key_of_a_suspended_child_stays_401(api: Api) -> None:
    org = make_child(api)
    child = child_key(api, org["id"])
    key_id = child.get("/v1/whoami").json()["apiKeyId"]
    api.delete(f"/v1/organizations/{org['id']}/api-keys/{key_id}")
    api.post(f"/v1/organizations/{org['id']}/suspend")
    assert child.get("/v1/whoami").status_code == 401


def test_renaming_a_child_shows_in_its_whoami_and_its_audit_trail(api: Api) -> None:
    org = make_child(api)
    api.patch(f"/v1/organizations/{org['id']}", json={"name": "Acme Roasters"})
    assert api.get("/v1/whoami", headers=inside(org["id"])).json()["organizationName"] == "Acme Roasters"
    api.post("/v1/projects", json={"name": "Acme App", "timezone": "UTC"}, headers=inside(org["id"]))
    trail = api.get("/v1/audit-log", headers=inside(org["id"])).json()["items"]
    assert trail and trail[0]["org_id"] == org["id"] and trail[0]["data"]["path"] == "/v1/projects"
    mine = api.get("/v1/audit-log").json()["items"]
    assert [r["event_type"] for r in mine][:2] == ["organization.updated", "organization.created"]
