"""Clone-from-post (seed 004): target-first path id, one job for all variations, replays."""
from __future__ import annotations

import uuid

from tests.api.content_support import brand_project
from tests.support import Api


def tracked_post(api: Api, project: dict, title: str = "Get things done. Faster.") -> str:
    r = api.post("/_emulator/platform-posts", json={"projectId": project["id"], "platform": "tiktok", "title": title})
    assert r.status_code == 200, r.text
    return str(r.json()["id"])


def clone(api: Api, cid: str, body: dict) -> object:
    return api.post(f"/v1/content/{cid}/clone-from-post", json=body)


def test_clone_answers_the_seed_shape_and_completes_all_variations(api: Api) -> None:
    project = brand_project(api)
    post = tracked_post(api, project)
    new_id = str(uuid.UUID(int=41))
    r = clone(api, new_id, {"projectId": project["id"], "sourcePlatformPostId": post, "mode": "reimagine",
                            "variations": 3})
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["kind"] == "content_clone_from_post" and body["status"] == "running"
    assert body["containerId"] == f"cnt_{new_id}" and len(body["containerIds"]) == 3
    assert body["locationUrl"] == f"/v1/jobs/{body['jobId']}"
    api.advance(seconds=300)  # the default influencer is ready at +60 s
    job = api.get(f"/v1/jobs/{body['jobId']}").json()
    assert job["status"] == "completed" and job["containerId"] == f"cnt_{new_id}"
    for cid in body["containerIds"]:
        c = api.get(f"/v1/content/{cid}").json()
        assert c["status"] == "completed" and c["cloneMode"] == "reimagine" and c["sourcePlatformPostId"] == post
        assert c["format"] == "video-remix"


def test_same_path_id_replays_and_different_body_conflicts(api: Api) -> None:
    project = brand_project(api)
    post = tracked_post(api, project)
    new_id = str(uuid.UUID(int=42))
    body = {"projectId": project["id"], "sourcePlatformPostId": post}
    first = clone(api, new_id, body)
    again = clone(api, new_id, body)
    assert first.status_code == again.status_code == 202
    assert first.json()["jobId"] == again.json()["jobId"]
    other = clone(api, new_id, {**body, "variations": 2})
    assert other.status_code == 409 and other.json()["error"]["code"] == "CONFLICT"


def test_fork_keeps_the_source_hook_and_takes_caption_override(api: Api) -> None:
    project = brand_project(api)
    post = tracked_post(api, project, title="The hook that worked")
    r = clone(api, str(uuid.UUID(int=43)), {"projectId": project["id"], "sourcePlatformPostId": post,
                                             "overrides": {"caption": "New caption #ad"}})
    assert r.status_code == 202, r.text
    api.advance(seconds=300)  # the default influencer is ready at +60 s
    c = api.get(f"/v1/content/{r.json()['containerId']}").json()
    assert c["hook"] == "The hook that worked" and c["caption"] == "New caption #ad" and c["cloneMode"] == "fork"


def test_unknown_source_and_bad_bodies(api: Api) -> None:
    project = brand_project(api)
    cid = str(uuid.UUID(int=44))
    r = clone(api, cid, {"projectId": project["id"], "sourcePlatformPostId": "pp_nope"})
    assert r.status_code == 404 and r.json()["error"]["details"]["field"] == "sourcePlatformPostId"
    post = tracked_post(api, project)
    for bad, path in (({"variations": 11}, "variations"), ({"mode": "copy"}, "mode"),
                      ({"overrides": {"tone": "x"}}, "overrides.tone")):
        r = clone(api, cid, {"projectId": project["id"], "sourcePlatformPostId": post, **bad})
        assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == path
    r = clone(api, "not-a-uuid", {"projectId": project["id"], "sourcePlatformPostId": post})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "containerId"


def test_source_of_another_project_is_404(api: Api) -> None:
    project, other = brand_project(api), brand_project(api, appName="Other App")
    post = tracked_post(api, other)
    r = clone(api, str(uuid.UUID(int=45)), {"projectId": project["id"], "sourcePlatformPostId": post})
    assert r.status_code == 404


def test_path_id_of_an_unrelated_container_is_409(api: Api) -> None:
    project = brand_project(api)
    r = api.post(f"/v1/projects/{project['id']}/content", json={"id": str(uuid.UUID(int=46))})
    assert r.status_code == 202
    post = tracked_post(api, project)
    r = clone(api, str(uuid.UUID(int=46)), {"projectId": project["id"], "sourcePlatformPostId": post})
    assert r.status_code == 409


def test_forced_failure_control_sets_last_error_code(api: Api) -> None:
    project = brand_project(api)
    post = tracked_post(api, project)
    r = clone(api, str(uuid.UUID(int=47)), {"projectId": project["id"], "sourcePlatformPostId": post})
    cid = r.json()["containerId"]
    f = api.post(f"/_emulator/content/{cid}", json={"outcome": "failed", "code": "SOURCE_UNAVAILABLE"})
    assert f.status_code == 200, f.text
    api.advance(seconds=1)
    c = api.get(f"/v1/content/{cid}").json()
    assert c["status"] == "failed" and c["lastError"]["code"] == "SOURCE_UNAVAILABLE"
    assert api.get(f"/v1/jobs/{r.json()['jobId']}").json()["status"] == "failed"
