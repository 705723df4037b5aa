"""The real flow, end to end: generate content, publish it (partner publish and a Social
Distribution layer), let the clock run, read /metrics, /top-performers and /ads-content."""
from __future__ import annotations

from typing import Any

from tests.support import Api

DESCRIPTION = (
    "Acme App helps busy people plan healthy meals in minutes, with shopping lists, pantry tracking "
    "and weekly prep guides that adapt to taste."
)


def make_content(api: Api, project_id: str, n: int) -> list[str]:
    ids = []
    for i in range(n):
        r = api.post(f"/v1/projects/{project_id}/content/slideshow-builder",
                     json={"hook": f"Hook number {i + 1} for the meal planner"})
        assert r.status_code == 202, r.text
        ids.extend(r.json()["containerIds"])
    api.advance(seconds=120)
    return ids


def layer(api: Api, **config: Any) -> tuple[dict[str, Any], str, dict[str, Any]]:
    project = api.project(timezone="America/New_York", appName="Acme App", appDescription=DESCRIPTION)
    account = api.post(f"/_emulator/projects/{project['id']}/social-accounts",
                       json={"platform": "instagram"}).json()["socialAccountId"]
    r = api.post("/api/project-layers", json={"projectId": project["id"], "templateId": "social-distribution",
                                              "config": {"social": {"socialAccountId": account}, **config}})
    assert r.status_code == 201, r.text
    return project, account, r.json()


def execute(api: Api, layer_id: str, command: str, **parameters: Any) -> dict[str, Any]:
    r = api.post(f"/api/project-layers/{layer_id}/execute", json={"commandId": command, "parameters": parameters})
    assert r.status_code == 202, r.text
    return dict(api.get(f"/api/runs/{r.json()['runId']}").json())


def test_published_posts_sync_score_and_rank(api: Api):
    project = api.project(appName="Acme App", appDescription=DESCRIPTION)["id"]
    r = api.post(f"/_emulator/projects/{project}/social-accounts", json={"platform": "tiktok"})
    account = r.json()["socialAccountId"]
    sp_ids = []
    for cid in make_content(api, project, 3):
        r = api.post(f"/v1/content/{cid}/publish", json={"targets": [{"socialAccountId": account, "mode": "publish"}]})
        assert r.status_code == 201, r.text
        sp_ids += r.json()["scheduledPostIds"]
    api.advance(seconds=30)
    assert all(api.get(f"/v1/scheduled-posts/{s}").json()["status"] == "published" for s in sp_ids)
    published = [e["data"] for e in api.events(type="post.published")]
    assert len(published) == 3
    api.advance(seconds=2 * 86400)

    body = api.get(f"/v1/projects/{project}/metrics",
                   params={"scope": "project", "id": project, "since": "2026-05-10T00:00:00Z"}).json()
    assert body["totals"]["post_count"] == 3 and body["totals"]["views"] > 0
    one = published[0]["platformPostId"]
    post = api.get(f"/v1/projects/{project}/metrics", params={"scope": "platform_post", "id": one}).json()
    assert post["totals"]["views"] > 0 and post["totals"]["watch_time_ms"] > 0  # slideshows: 6 s a view
    assert post["totals"]["watch_time_ms"] == post["totals"]["views"] * 6000
    acct = api.get(f"/v1/projects/{project}/metrics", params={"scope": "social_account", "id": account}).json()
    assert acct["totals"]["views"] == body["totals"]["views"]

    items = api.get(f"/v1/projects/{project}/top-performers", params={"metric": "engagement_rate"}).json()["items"]
    assert len(items) == 3 and [i["rank"] for i in items] == [1, 2, 3]
    assert {i["sourceId"] for i in items} == {p["containerId"] for p in published}
    rows = api.get(f"/v1/projects/{project}/ads-content").json()["items"]
    assert {r["containerId"] for r in rows} == {p["containerId"] for p in published}
    assert all(r["scoringPool"] == "generated" and r["eligible"] for r in rows)


def test_project_layer_scope_reads_the_layers_posts(api: Api):
    project, _, created = layer(api, willPublish=True)
    [cid] = make_content(api, project["id"], 1)
    execute(api, created["id"], "attach-to-schedule", containerId=cid)
    api.advance(to="2026-05-13T00:00:00Z")
    r = api.get(f"/v1/projects/{project['id']}/metrics",
                params={"scope": "project_layer", "id": created["id"], "since": "2026-05-10T00:00:00Z"})
    assert r.status_code == 200, r.text
    assert r.json()["totals"]["post_count"] == 1 and r.json()["totals"]["views"] > 0
    whole = api.get(f"/v1/projects/{project['id']}/metrics",
                    params={"scope": "project", "id": project["id"], "since": "2026-05-10T00:00:00Z"}).json()
    assert whole["totals"]["views"] == r.json()["totals"]["views"]
