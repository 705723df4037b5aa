"""`/api/project-layers` routes (CONTRACT §6): install, validation, list filters, read, change,
uninstall."""
from __future__ import annotations

import json

import pytest

from tests.api.layers_helpers import SD, install, layer, project_with_account, runs
from tests.support import Api, new_key


def issue_paths(r: object) -> list[str]:
    body = r.json()  # type: ignore[attr-defined]
    return [i["path"] for i in body["error"]["details"]["issues"]]


def test_install_answers_the_layer_and_records_initialize(api: Api) -> None:
    project, account, created = layer(api)
    assert created["id"].startswith("pl_")
    assert created["projectId"] == project["id"]
    assert created["templateId"] == SD
    assert created["status"] == "active"
    assert created["version"]
    assert created["schedule"] == {"cron": None}
    assert created["config"]["distributionMode"] == "automatic"
    assert created["config"]["generationMode"] == "manual"
    assert created["config"]["willPublish"] is False
    assert created["config"]["postingMode"] == "automatic"  # Instagram default
    [run] = runs(api, created["id"])
    assert run["commandId"] == "initialize" and run["trigger"] == "install" and run["status"] == "completed"
    assert [a["name"] for a in run["activities"]] == [
        "loadProjectTimezone", "validateSocialAccount", "loadHealthSnapshot", "computeSlots",
        "upsertScheduledPosts", "attachReadyContent",
    ]
    assert run["activities"][0]["output"] == {"timezone": "America/New_York"}


def test_tiktok_layers_default_to_manual_posting(api: Api) -> None:
    _, _, created = layer(api, platform="tiktok")
    assert created["config"]["postingMode"] == "manual"


@pytest.mark.parametrize(
    ("config", "path"),
    [
        pytest.param({"distributionMode": "sometimes"}, "config.distributionMode", id="mode"),
        pytest.param({"distributionMode": "custom"}, "config.schedule.times", id="custom-without-times"),
        pytest.param({"distributionMode": "custom", "schedule": {"times": ["09:00", "25:00"]}},
                     "config.schedule.times[1]", id="hour-25"),
        pytest.param({"distributionMode": "custom", "schedule": {"times": ["9:00"]}}, "config.schedule.times[0]",
                     id="not-hh-mm"),
        pytest.param({"distributionMode": "custom", "schedule": {"times": ["09:00", "09:00"]}},
                     "config.schedule.times[1]", id="duplicate"),
        pytest.param({"distributionMode": "custom", "schedule": {"times": [f"0{i}:00" for i in range(6)]}},
                     "config.schedule.times", id="six-times"),
        pytest.param({"distributionMode": "custom", "schedule": {"times": ["09:00"]}, "postsPerDay": 2},
                     "config.postsPerDay", id="posts-per-day-mismatch"),
        pytest.param({"postsPerDay": 9}, "config.postsPerDay", id="posts-per-day-bound"),
        pytest.param({"generationMode": "auto"}, "config.generationMode", id="generation-mode"),
        pytest.param({"willPublish": "yes"}, "config.willPublish", id="will-publish"),
        pytest.param({"postingMode": "public"}, "config.postingMode", id="posting-mode"),
        pytest.param({"contentLayerSourceIds": "pl_x"}, "config.contentLayerSourceIds", id="sources"),
    ],
)
def test_install_validates_config_field_by_field(api: Api, config: dict, path: str) -> None:
    project, account = project_with_account(api)
    r = install(api, project["id"], account, **config)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "VALIDATION"
    assert path in issue_paths(r)


def test_install_needs_the_account_id(api: Api) -> None:
    project, _ = project_with_account(api)
    r = api.post("/api/project-layers", json={"projectId": project["id"], "templateId": SD, "config": {}})
    assert r.status_code == 422
    assert issue_paths(r) == ["config.social"]


def test_install_refuses_an_invalid_cron_on_its_path(api: Api) -> None:
    project, account = project_with_account(api)
    for cron in ("61 * * * *", "@daily", "0 3 * *"):
        r = install(api, project["id"], account, layer_schedule={"cron": cron})
        assert r.status_code == 422, cron
        assert issue_paths(r) == ["schedule.cron"]


def test_install_accepts_the_config_spelling_of_the_cron_override(api: Api) -> None:
    project, account = project_with_account(api)
    r = install(api, project["id"], account, schedule={"cron": "37 9 * * *"})
    assert r.status_code == 201, r.text
    assert r.json()["schedule"] == {"cron": "37 9 * * *"}
    assert "schedule" not in r.json()["config"]
    assert r.json()["scheduler"]["refresh-schedule-scheduled"]["cron"] == "37 9 * * *"


def test_unknown_template_is_refused(api: Api) -> None:
    project, account = project_with_account(api)
    r = api.post("/api/project-layers", json={"projectId": project["id"], "templateId": "magic",
                                               "config": {"social": {"socialAccountId": account}}})
    assert r.status_code == 422
    assert issue_paths(r) == ["templateId"]


def test_account_of_another_project_is_refused(api: Api) -> None:
    _, account = project_with_account(api)
    other = api.project(name="Other App")
    r = install(api, other["id"], account)
    assert r.status_code == 422
    assert issue_paths(r) == ["config.social.socialAccountId"]


def test_one_layer_per_account(api: Api) -> None:
    project, account, first = layer(api)
    r = install(api, project["id"], account)
    assert r.status_code == 409
    assert r.json()["error"]["details"]["projectLayerId"] == first["id"]
    assert api.delete(f"/api/project-layers/{first['id']}").status_code == 200
    assert install(api, project["id"], account).status_code == 201


def test_other_tenants_see_nothing(api: Api, client: object) -> None:
    project, account, created = layer(api)
    other = Api(client, new_key())  # type: ignore[arg-type]
    assert other.get(f"/api/project-layers/{created['id']}").status_code == 404
    assert other.patch(f"/api/project-layers/{created['id']}", json={"status": "paused"}).status_code == 404
    assert other.post(f"/api/project-layers/{created['id']}/execute", json={"commandId": "refresh-schedule"}).status_code == 404
    assert install(other, project["id"], account).status_code == 404
    assert other.get("/api/project-layers").json()["items"] == []


def test_list_filters(api: Api) -> None:
    p1, a1, l1 = layer(api, willPublish=True)
    p2, a2 = project_with_account(api, platform="tiktok")
    l2 = install(api, p2["id"], a2, layer_schedule={"cron": "0 4 * * *"}, distributionMode="custom",
                 schedule={"times": ["08:00", "20:00"]}).json()

    def ids(**params: object) -> list[str]:
        r = api.get("/api/project-layers", params=params)
        assert r.status_code == 200, r.text
        return [x["id"] for x in r.json()["items"]]

    assert ids() == [l1["id"], l2["id"]]
    assert ids(projectId=p2["id"]) == [l2["id"]]
    assert ids(templateIds=SD) == [l1["id"], l2["id"]]
    assert ids(templateIds="content-refresh") == []
    assert ids(whereContains=json.dumps({"willPublish": True})) == [l1["id"]]
    assert ids(whereContains=json.dumps({"schedule": {"times": ["20:00"]}})) == [l2["id"]]
    assert ids(whereContains=json.dumps({"social": {"socialAccountId": a2}})) == [l2["id"]]
    api.patch(f"/api/project-layers/{l1['id']}", json={"status": "paused"})
    assert ids(statusFilter="active") == [l2["id"]]
    assert ids(statusFilter="paused") == [l1["id"]]
    api.delete(f"/api/project-layers/{l2['id']}")
    assert ids() == [l1["id"]]
    assert ids(statusFilter="deleted") == [l2["id"]]
    assert ids(statusFilter="all") == [l1["id"], l2["id"]]
    bad = api.get("/api/project-layers", params={"whereContains": "{nope"})
    assert bad.status_code == 422 and issue_paths(bad) == ["whereContains"]
    bad = api.get("/api/project-layers", params={"statusFilter": "sleeping"})
    assert bad.status_code == 422 and issue_paths(bad) == ["statusFilter"]


def test_list_paginates(api: Api) -> None:
    made = []
    for _ in range(3):
        made.append(layer(api)[2]["id"])
    first = api.get("/api/project-layers", params={"limit": 2}).json()
    assert [x["id"] for x in first["items"]] == made[:2]
    rest = api.get("/api/project-layers", params={"limit": 2, "cursor": first["nextCursor"]}).json()
    assert [x["id"] for x in rest["items"]] == made[2:] and rest["nextCursor"] is None


def test_patch_deep_merges_and_refreshes_on_refresh_keys(api: Api) -> None:
    _, _, created = layer(api)
    r = api.patch(f"/api/project-layers/{created['id']}", json={"config": {"willPublish": True}})
    assert r.status_code == 200, r.text
    assert r.json()["config"]["willPublish"] is True
    assert r.json()["config"]["social"] == created["config"]["social"]
    assert r.json()["configVersion"] == 2
    [refresh] = runs(api, created["id"], trigger="config_change")
    assert refresh["commandId"] == "refresh-schedule"
    assert refresh["parameters"] == {"changed": ["willPublish"]}
    api.patch(f"/api/project-layers/{created['id']}", json={"config": {"note": "hello"}})
    assert len(runs(api, created["id"], trigger="config_change")) == 1


def test_patch_validates_the_merged_config(api: Api) -> None:
    _, _, created = layer(api)
    r = api.patch(f"/api/project-layers/{created['id']}", json={"config": {"distributionMode": "custom"}})
    assert r.status_code == 422 and issue_paths(r) == ["config.schedule.times"]
    r = api.patch(f"/api/project-layers/{created['id']}", json={"config": {"social": {"socialAccountId": "sa_other"}}})
    assert r.status_code == 422 and issue_paths(r) == ["config.social.socialAccountId"]
    r = api.patch(f"/api/project-layers/{created['id']}", json={"schedule": {"cron": "every day"}})
    assert r.status_code == 422 and issue_paths(r) == ["schedule.cron"]
    assert api.patch(f"/api/project-layers/{created['id']}", json={}).status_code == 422
    assert api.get(f"/api/project-layers/{created['id']}").json()["configVersion"] == 1


def test_cron_override_moves_the_nightly_refresh(api: Api) -> None:
    _, _, created = layer(api)
    r = api.patch(f"/api/project-layers/{created['id']}", json={"schedule": {"cron": "30 1 * * *"}})
    assert r.status_code == 200
    sched = r.json()["scheduler"]["refresh-schedule-scheduled"]
    assert sched["cron"] == "30 1 * * *" and sched["nextFireAt"] == "2026-05-11T01:30:00.000Z"
    api.advance(seconds=2 * 3600)
    [nightly] = runs(api, created["id"], trigger="scheduled")
    assert nightly["commandId"] == "refresh-schedule-scheduled" and nightly["startedAt"] == "2026-05-11T01:30:00.000Z"
    r = api.patch(f"/api/project-layers/{created['id']}", json={"schedule": {"cron": None}})
    assert r.json()["schedule"] == {"cron": None}
    assert r.json()["scheduler"]["refresh-schedule-scheduled"]["nextFireAt"] == "2026-05-11T03:00:00.000Z"


def test_paused_layers_do_not_fire_and_refuse_commands(api: Api) -> None:
    _, _, created = layer(api)
    api.patch(f"/api/project-layers/{created['id']}", json={"status": "paused"})
    api.advance(duration="P2D")
    assert runs(api, created["id"], trigger="scheduled") == []
    r = api.post(f"/api/project-layers/{created['id']}/execute", json={"commandId": "refresh-schedule"})
    assert r.status_code == 409
    view = api.get(f"/api/project-layers/{created['id']}").json()
    assert view["scheduler"]["process-due"]["fires"] == 0
    api.patch(f"/api/project-layers/{created['id']}", json={"status": "active"})
    api.advance(duration="P1D")
    assert len(runs(api, created["id"], trigger="scheduled")) == 1
    assert api.get(f"/api/project-layers/{created['id']}").json()["scheduler"]["process-due"]["fires"] == 1440


def test_uninstall_is_soft_and_removes_empty_slots(api: Api) -> None:
    _, _, created = layer(api)
    r = api.delete(f"/api/project-layers/{created['id']}")
    assert r.status_code == 200
    assert r.json()["status"] == "deleted" and r.json()["deletedAt"]
    assert r.json()["canceledScheduledPosts"] == 0
    assert api.get(f"/api/project-layers/{created['id']}").json()["status"] == "deleted"
    assert api.get(f"/api/project-layers/{created['id']}/slots").json()["items"] == []
    assert api.patch(f"/api/project-layers/{created['id']}", json={"status": "active"}).status_code == 409
    api.advance(duration="P1D")
    assert runs(api, created["id"], trigger="scheduled") == []


def test_install_honours_idempotency_keys(api: Api) -> None:
    project, account = project_with_account(api)
    body = {"projectId": project["id"], "templateId": SD, "config": {"social": {"socialAccountId": account}}}
    headers = {"Idempotency-Key": "3f0c6a57-8f2b-4a8e-9d7e-2f4f1f0f9a11"}
    first = api.post("/api/project-layers", json=body, headers=headers)
    again = api.post("/api/project-layers", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = api.post("/api/project-layers", json={**body, "config": {**body["config"], "willPublish": True}}, headers=headers)
    assert other.status_code == 409 and other.json()["error"]["code"] == "IDEMPOTENCY_CONFLICT"
