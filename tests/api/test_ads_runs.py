"""Partner-triggered optimizer runs and content refreshes (202 jobs on the ads layer)."""
from __future__ import annotations

import pytest

from tests.api.test_metrics_support import container, publish, social_account
from tests.support import Api


@pytest.fixture
def ads_layer(api: Api) -> tuple[Api, str, dict]:
    project = api.project()["id"]
    account = social_account(api, project, "tiktok", "warm")
    for i in range(3):
        publish(api, project, account, container_id=container(api, project, hook=f"Creative {i}"))
    api.advance(seconds=6 * 3600)
    r = api.post("/_emulator/ad-layers", json={"projectId": project, "templateId": "meta-ads-manager"})
    assert r.status_code == 201, r.text
    return api, project, r.json()


def test_content_refresh_job_pushes_creatives_after_seven_minutes(ads_layer):
    api, project, layer = ads_layer
    r = api.post(f"/v1/projects/{project}/ads/meta/content-refresh", json={"layerId": layer["id"], "maxNewCreatives": 1})
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["kind"] == "content_refresh" and body["status"] == "running"
    assert body["locationUrl"] == f"/v1/jobs/{body['jobId']}"
    run = api.get(f"/api/runs/{body['runId']}").json()
    assert run["status"] == "running" and run["trigger"] == "manual" and run["commandId"] == "content-refresh"
    api.advance(seconds=6 * 60)
    assert api.get(f"/v1/jobs/{body['jobId']}").json()["status"] == "running"
    api.advance(seconds=60)
    job = api.get(f"/v1/jobs/{body['jobId']}").json()
    assert job["status"] == "completed" and len(job["result"]["launched"]) == 1
    assert api.get(f"/api/runs/{body['runId']}").json()["status"] == "completed"


def test_optimizer_run_job_and_run_object(ads_layer):
    api, project, layer = ads_layer
    r = api.post(f"/v1/projects/{project}/ads/optimizer/run",
                 json={"layerId": "lyr_" + layer["id"][3:], "platform": "meta_ads", "dryRun": True})
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["kind"] == "ads_optimizer_run" and body["runId"].startswith("run_")
    url = f"/v1/projects/{project}/ads/optimizer/runs/{body['runId']}"
    running = api.get(url).json()
    assert running["status"] == "running" and running["stage"] == "queued" and running["dryRun"] is True
    assert running["layerId"] == layer["id"] and running["platform"] == "meta_ads"
    api.advance(seconds=10 * 60)
    done = api.get(url).json()
    assert done["status"] == "completed" and done["finishedAt"]
    assert set(done["counts"]) == {"evaluated", "paused", "budgetChanges", "queued", "denied", "held"}
    job = api.get(f"/v1/jobs/{body['jobId']}").json()
    assert job["status"] == "completed" and job["result"]["runId"] == body["runId"]
    [event] = api.events(type="ads.optimizer.run.completed")
    assert event["data"]["runId"] == body["runId"] and event["data"]["dryRun"] is True
    assert isinstance(event["data"]["changes"], list)


@pytest.mark.parametrize("body, status, path", [
    ({"platform": "meta_ads"}, 422, "layerId"),
    ({"layerId": "pl_x"}, 422, "platform"),
    ({"layerId": "L", "platform": "apple_ads"}, 422, "platform"),
    ({"layerId": "L", "platform": "tiktok_ads"}, 422, "layerId"),
    ({"layerId": "pl_01NOPE000000000000000000000", "platform": "meta_ads"}, 404, None),
])
def test_optimizer_run_validation(ads_layer, body, status, path):
    api, project, layer = ads_layer
    body = {k: (layer["id"] if v == "L" else v) for k, v in body.items()}
    r = api.post(f"/v1/projects/{project}/ads/optimizer/run", json=body)
    assert r.status_code == status, r.text
    if path:
        assert r.json()["error"]["details"]["issues"][0]["path"] == path


def test_unknown_optimizer_run_is_not_found(ads_layer):
    api, project, _ = ads_layer
    assert api.get(f"/v1/projects/{project}/ads/optimizer/runs/run_nope").status_code == 404
