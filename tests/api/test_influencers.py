"""Influencers: auto-creation with a project's appDescription, lifecycle on the virtual clock,
create / clone jobs, list, patch, delete, reference images."""
from __future__ import annotations

import base64

from tests.support import Api

DESC = (
    "Daily ritual coffee subscriptions for runners and night-shift workers. Single-origin beans from named "
    "farms, roasted weekly, and shipped on a cadence that matches how you actually drink coffee."
)


def described(api: Api, **fields) -> dict:
    return api.project(appName="Acme Coffee", appDescription=DESC, **fields)


def items(api: Api, project_id: str, **params) -> list[dict]:
    r = api.get(f"/v1/projects/{project_id}/influencers", params=params)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_first_influencer_pending_training_ready(api: Api) -> None:
    p = described(api, targetGender="male")
    [inf] = items(api, p["id"])
    assert inf["status"] == "pending" and inf["imageUrl"] is None and inf["influencerId"].startswith("inf_")
    api.advance(seconds=5)
    assert items(api, p["id"])[0]["status"] == "training"
    api.advance(seconds=54)
    assert items(api, p["id"])[0]["status"] == "training"
    api.advance(seconds=1)
    full = api.get(f"/v1/influencers/{inf['influencerId']}").json()
    assert full["status"] == "ready" and full["imageUrl"].startswith("https://")
    assert full["gender"] == "male" and full["ageRange"] == "young_adult"
    assert full["brandVoice"] == "authentic" and full["language"] == "en" and full["projectId"] == p["id"]


def test_no_influencer_without_app_description(api: Api) -> None:
    p = api.project()
    api.advance(seconds=120)
    assert items(api, p["id"]) == []


def test_auto_influencer_gender_follows_target_gender_chain(api: Api) -> None:
    female = items(api, described(api, targetGender="all")["id"])[0]
    assert api.get(f"/v1/influencers/{female['influencerId']}").json()["gender"] == "female"


def test_create_returns_job_and_usable_id(api: Api) -> None:
    p = api.project(targetGender="female")
    r = api.post(f"/v1/projects/{p['id']}/influencers", json={"ageRange": "adult"})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["kind"] == "influencer_create" and job["status"] == "running"
    inf = api.get(f"/v1/influencers/{job['influencerId']}").json()
    assert inf["status"] == "pending" and inf["gender"] == "female" and inf["ageRange"] == "adult"
    api.advance(seconds=60)
    assert api.get(f"/v1/jobs/{job['jobId']}").json()["status"] == "completed"
    assert api.get(f"/v1/jobs/{job['jobId']}").json()["result"] == {"influencerId": job["influencerId"]}
    assert api.get(f"/v1/influencers/{job['influencerId']}").json()["status"] == "ready"


def test_create_maps_v1_gender_and_name(api: Api) -> None:
    p = api.project()
    r = api.post(f"/v1/projects/{p['id']}/influencers", json={"name": "Rae", "gender": "nonbinary"})
    inf = api.get(f"/v1/influencers/{r.json()['influencerId']}").json()
    assert inf["name"] == "Rae" and inf["gender"] == "non_binary"


def test_create_validation_bounds(api: Api) -> None:
    p = api.project()
    cases = [
        ({"name": ""}, "name"), ({"name": "x" * 129}, "name"), ({"gender": "robot"}, "gender"),
        ({"ageRange": "25-34"}, "ageRange"), ({"prompt": "x" * 61}, "prompt"), ({"hairColor": "x" * 65}, "hairColor"),
        ({"referenceImages": {"assetIds": []}}, "referenceImages.assetIds"),
    ]
    for body, path in cases:
        r = api.post(f"/v1/projects/{p['id']}/influencers", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["details"]["issues"][0]["path"] == path


def test_create_with_taken_influencer_id_conflicts(api: Api) -> None:
    p = api.project()
    wanted = "3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
    assert api.post(f"/v1/projects/{p['id']}/influencers", json={"influencerId": wanted}).json()["influencerId"] == f"inf_{wanted}"
    r = api.post(f"/v1/projects/{p['id']}/influencers", json={"influencerId": wanted})
    assert r.status_code == 409 and r.json()["error"]["code"] == "CONFLICT"


def test_archived_project_refuses_create(api: Api) -> None:
    p = api.project()
    api.delete(f"/v1/projects/{p['id']}")
    r = api.post(f"/v1/projects/{p['id']}/influencers", json={})
    assert r.status_code == 409 and r.json()["error"]["details"]["projectStatus"] == "archived"


def test_list_newest_first_status_filter_cursor(api: Api) -> None:
    p = api.project()
    ids = []
    for _ in range(3):
        ids.append(api.post(f"/v1/projects/{p['id']}/influencers", json={}).json()["influencerId"])
        api.advance(seconds=1)
    first = api.get(f"/v1/projects/{p['id']}/influencers", params={"limit": 2}).json()
    assert [i["influencerId"] for i in first["items"]] == ids[:0:-1]
    rest = api.get(f"/v1/projects/{p['id']}/influencers", params={"limit": 2, "cursor": first["nextCursor"]}).json()
    assert [i["influencerId"] for i in rest["items"]] == [ids[0]]
    api.advance(seconds=60)
    assert len(items(api, p["id"], status="ready")) == 3
    assert items(api, p["id"], status="draft") == []
    assert api.get(f"/v1/projects/{p['id']}/influencers", params={"limit": 101}).status_code == 422
    assert api.get(f"/v1/projects/{p['id']}/influencers", params={"status": "zombie"}).status_code == 422


def test_patch_rules(api: Api) -> None:
    p = api.project()
    inf_id = api.post(f"/v1/projects/{p['id']}/influencers", json={}).json()["influencerId"]
    r = api.patch(f"/v1/influencers/{inf_id}", json={"ageRange": None, "brandVoice": "witty", "language": "es-MX"})
    assert r.status_code == 200, r.text
    assert r.json()["ageRange"] is None and r.json()["brandVoice"] == "witty" and r.json()["language"] == "es-MX"
    assert api.patch(f"/v1/influencers/{inf_id}", json={}).status_code == 422
    r = api.patch(f"/v1/influencers/{inf_id}", json={"gender": None})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "gender"
    r = api.patch(f"/v1/influencers/{inf_id}", json={"nickname": "x"})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "nickname"
    assert api.patch(f"/v1/influencers/{inf_id}", json={"language": "not a tag"}).status_code == 422


def test_delete_is_soft_and_hides(api: Api) -> None:
    p = api.project()
    inf_id = api.post(f"/v1/projects/{p['id']}/influencers", json={}).json()["influencerId"]
    r = api.delete(f"/v1/influencers/{inf_id}", json={"reason": "brand refresh"})
    assert r.status_code == 200 and r.json()["status"] == "deleted" and r.json()["deletedAt"]
    assert api.get(f"/v1/influencers/{inf_id}").status_code == 404
    assert api.patch(f"/v1/influencers/{inf_id}", json={"name": "x"}).status_code == 404
    assert api.delete(f"/v1/influencers/{inf_id}").status_code == 404
    assert items(api, p["id"]) == []
    other = api.post(f"/v1/projects/{p['id']}/influencers", json={}).json()["influencerId"]
    assert api.delete(f"/v1/influencers/{other}", json={"reason": "x" * 1025}).status_code == 422
    assert api.delete(f"/v1/influencers/{other}").status_code == 200


def test_clone_keeps_identity_and_applies_overrides(api: Api) -> None:
    p = described(api)
    source = items(api, p["id"])[0]
    r = api.post(f"/v1/influencers/{source['influencerId']}/clone",
                 json={"name": "Copy ES", "overrides": {"language": "es-MX", "gender": "male"}})
    assert r.status_code == 202, r.text
    clone = api.get(f"/v1/influencers/{r.json()['influencerId']}").json()
    assert clone["name"] == "Copy ES" and clone["language"] == "es-MX" and clone["gender"] == "male"
    assert clone["projectId"] == p["id"] and clone["status"] == "pending"
    assert api.post(f"/v1/influencers/{source['influencerId']}/clone", json={"overrides": {}}).status_code == 422
    r = api.post(f"/v1/influencers/{source['influencerId']}/clone", json={"name": "x", "overrides": {"mood": 1}})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "overrides.mood"


def test_other_tenant_sees_404(api: Api, client) -> None:
    p = described(api)
    inf_id = items(api, p["id"])[0]["influencerId"]
    other = Api(client, api.key + "_x")
    assert other.get(f"/v1/influencers/{inf_id}").status_code == 404
    assert other.get(f"/v1/projects/{p['id']}/influencers").status_code == 404


def test_forced_failure_control_route(api: Api) -> None:
    p = api.project()
    job = api.post(f"/v1/projects/{p['id']}/influencers", json={}).json()
    r = api.post(f"/_emulator/influencers/{job['influencerId']}", json={"outcome": "failed", "errorMessage": "no face"})
    assert r.status_code == 200 and r.json()["status"] == "failed" and r.json()["errorMessage"] == "no face"
    assert api.get(f"/v1/jobs/{job['jobId']}").json()["status"] == "failed"


def test_forced_job_failure_fails_influencer(api: Api) -> None:
    p = api.project()
    api.post("/_emulator/job-outcomes", json={"kind": "influencer_create", "outcome": "fail", "errorMessage": "boom"})
    job = api.post(f"/v1/projects/{p['id']}/influencers", json={}).json()
    api.advance(seconds=1)
    inf = api.get(f"/v1/influencers/{job['influencerId']}").json()
    assert inf["status"] == "failed" and inf["errorMessage"] == "boom"


def test_reference_images_merge_and_bounds(api: Api) -> None:
    p = api.project()
    inf_id = api.post(f"/v1/projects/{p['id']}/influencers", json={}).json()["influencerId"]
    data = base64.b64encode(b"\x89PNG fake").decode()
    asset = api.post(f"/v1/projects/{p['id']}/media", json={"kind": "reference_image", "dataBase64": data,
                                                            "mimeType": "image/png"}).json()["assetId"]
    r = api.post(f"/v1/influencers/{inf_id}/reference-images", json={"assetIds": [asset, asset]})
    assert r.status_code == 200, r.text
    assert [i["assetId"] for i in r.json()["referenceImages"]] == [asset]
    r = api.post(f"/v1/influencers/{inf_id}/reference-images", json={"assetIds": [asset]})
    assert len(r.json()["referenceImages"]) == 1
    assert api.post(f"/v1/influencers/{inf_id}/reference-images", json={"assetIds": []}).status_code == 422
    assert api.post(f"/v1/influencers/{inf_id}/reference-images", json={"assetIds": ["a"] * 21}).status_code == 422
    r = api.post(f"/v1/influencers/{inf_id}/reference-images", json={"assetIds": ["med_nope"]})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "assetIds[0]"
