"""Keyword bank: background research after create, refresh job, ordering, project.ready."""
from __future__ import annotations

from tests.support import Api

DESC = (
    "Adaptive running plans for first-time joggers and half-marathon hopefuls. Each morning it checks how "
    "you slept and adjusts today's distance and pace so you progress without getting hurt."
)


def bank(api: Api, project_id: str) -> dict:
    r = api.get(f"/v1/projects/{project_id}/keywords")
    assert r.status_code == 200, r.text
    return r.json()


def test_bank_lands_between_four_and_five_minutes(api: Api) -> None:
    p = api.project(appName="Stridely", appDescription=DESC)
    assert bank(api, p["id"]) == {"projectId": p["id"], "hashtags": [], "items": [], "refreshedAt": None}
    api.advance(seconds=239)
    assert bank(api, p["id"])["refreshedAt"] is None
    api.advance(seconds=61)
    landed = bank(api, p["id"])
    assert landed["refreshedAt"] is not None
    tags = landed["hashtags"]
    assert 12 <= len(tags) <= 20 and landed["items"] == tags
    assert all(t["score"] >= 70 and not t["hashtag"].startswith("#") for t in tags)
    assert tags == sorted(tags, key=lambda t: (-t["score"], -t["viewCount"]))
    assert set(tags[0]) == {"hashtag", "phrase", "score", "viewCount", "useCount"}


def test_no_research_without_description(api: Api) -> None:
    p = api.project()
    api.advance(seconds=600)
    assert bank(api, p["id"])["refreshedAt"] is None
    r = api.post(f"/v1/projects/{p['id']}/keywords/refresh", json={})
    assert r.status_code == 422
    assert r.json()["error"]["details"]["missingFields"] == ["appDescription"]


def test_refresh_job_advances_refreshed_at(api: Api) -> None:
    p = api.project(appName="Stridely", appDescription=DESC)
    api.advance(seconds=300)
    first = bank(api, p["id"])["refreshedAt"]
    r = api.post(f"/v1/projects/{p['id']}/keywords/refresh", json={})
    assert r.status_code == 202 and r.json()["kind"] == "keywords_refresh" and r.json()["stage"] == "researching"
    assert r.headers["X-RateLimit-Endpoint-Class"] == "long-running"
    api.advance(seconds=270)
    job = api.get(f"/v1/jobs/{r.json()['jobId']}").json()
    assert job["status"] == "completed" and job["result"]["count"] == len(bank(api, p["id"])["hashtags"])
    assert bank(api, p["id"])["refreshedAt"] > first


def test_patching_description_reruns_research(api: Api) -> None:
    p = api.project()
    api.patch(f"/v1/projects/{p['id']}", json={"appDescription": DESC})
    api.advance(seconds=270)
    assert bank(api, p["id"])["refreshedAt"] is not None


def test_project_ready_fires_once_after_bank_and_influencer(api: Api) -> None:
    p = api.project(appName="Stridely", appDescription=DESC)
    api.advance(seconds=60)
    assert api.events(type="project.ready") == []
    api.advance(seconds=600)
    ready = api.events(type="project.ready")
    assert len(ready) == 1 and ready[0]["data"]["projectId"] == p["id"]
    api.post(f"/v1/projects/{p['id']}/keywords/refresh", json={})
    api.advance(seconds=300)
    assert len(api.events(type="project.ready")) == 1


def test_other_tenant_gets_404(api: Api, client) -> None:
    p = api.project()
    assert Api(client, api.key + "_o").get(f"/v1/projects/{p['id']}/keywords").status_code == 404


def test_description_added_by_patch_bootstraps_the_project(api: Api) -> None:
    p = api.project()
    api.patch(f"/v1/projects/{p['id']}", json={"appDescription": DESC})
    assert len(api.get(f"/v1/projects/{p['id']}/influencers").json()["items"]) == 1
    api.advance(seconds=300)
    assert [e["data"]["projectId"] for e in api.events(type="project.ready")] == [p["id"]]
