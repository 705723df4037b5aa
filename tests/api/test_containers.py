"""Containers: get, list with filters and cursors, assets, and the served placeholder media."""
from __future__ import annotations

from urllib.parse import urlparse

from tests.api.content_support import brand_project, build, completed
from tests.support import Api, new_key


def test_get_accepts_bare_uuid_and_hides_other_tenants(api: Api, client: object) -> None:
    project = brand_project(api)
    cid = build(api, project)["containerIds"][0]
    assert api.get(f"/v1/content/{cid.removeprefix('cnt_')}").json()["id"] == cid
    other = Api(client, new_key())  # type: ignore[arg-type]
    r = other.get(f"/v1/content/{cid}")
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
    assert api.get("/v1/content/cnt_00000000-0000-4000-8000-000000000000").status_code == 404


def test_completed_container_shape(api: Api) -> None:
    project = brand_project(api)
    c = completed(api, project)
    for key in ("id", "projectId", "status", "format", "creativeType", "hook", "caption", "approvalStatus",
                "preview", "assets", "primaryAsset", "createdAt", "completedAt", "lastError", "influencerId"):
        assert key in c
    assert c["creativeType"] == "generated" and c["approvalStatus"] == "not_required"
    asset = c["assets"][0]
    assert asset["assetId"].startswith("image-") and asset["mimeType"] == "image/png"
    assert len(asset["checksumSha256"]) == 64 and asset["sizeBytes"] > 0


def test_media_urls_resolve_to_real_images(api: Api) -> None:
    project = brand_project(api)
    c = completed(api, project)
    asset = c["assets"][0]
    r = api.client.get(urlparse(asset["url"]).path)  # no key needed
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(r.content) == asset["sizeBytes"]
    import hashlib

    assert hashlib.sha256(r.content).hexdigest() == asset["checksumSha256"]
    thumb = api.client.get(urlparse(c["preview"]["thumbnailUrl"]).path)
    assert thumb.status_code == 200 and thumb.content.startswith(b"\x89PNG")


def test_media_urls_are_deterministic_across_runs(client: object) -> None:
    from tests.support import emulator_client

    def run() -> list[str]:
        with emulator_client() as c:
            a = Api(c, "lp_test_samesame")
            project = brand_project(a)
            return [x["url"] for x in completed(a, project)["assets"]]

    first, second = run(), run()
    assert first == second


def test_asset_route(api: Api) -> None:
    project = brand_project(api)
    c = completed(api, project)
    aid = c["primaryAsset"]["assetId"]
    r = api.get(f"/v1/content/{c['id']}/assets/{aid}")
    assert r.status_code == 200
    assert r.json()["containerId"] == c["id"] and r.json()["url"] == c["primaryAsset"]["url"]
    assert api.get(f"/v1/content/{c['id']}/assets/image-nope").status_code == 404


def test_list_newest_first_with_cursor_pagination(api: Api) -> None:
    project = brand_project(api)
    ids = []
    for i in range(5):
        ids.append(build(api, project, hook=f"hook {i}")["containerIds"][0])
        api.advance(seconds=1)
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get(f"/v1/projects/{project['id']}/content", params=params).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))


def test_list_filters(api: Api) -> None:
    project = brand_project(api)
    first = build(api, project)["containerIds"][0]
    api.advance(seconds=100)
    second = build(api, project)["containerIds"][0]
    url = f"/v1/projects/{project['id']}/content"
    assert [c["id"] for c in api.get(url, params={"status": "completed"}).json()["items"]] == [first]
    assert [c["id"] for c in api.get(url, params={"status": "queued"}).json()["items"]] == [second]
    api.advance(seconds=5)
    assert [c["id"] for c in api.get(url, params={"status": "generating"}).json()["items"]] == [second]
    both = api.get(url + "?status=completed&status=processing").json()["items"]
    assert len(both) == 2
    assert len(api.get(url, params={"format": "slideshow_builder"}).json()["items"]) == 2
    assert api.get(url, params={"format": "video-remix"}).json()["items"] == []
    assert len(api.get(url, params={"creativeType": "generated"}).json()["items"]) == 2
    assert api.get(url, params={"creativeType": "uploaded"}).json()["items"] == []
    since = api.get(url, params={"since": "2026-05-11T00:01:00Z"}).json()["items"]
    assert [c["id"] for c in since] == [second]
    until = api.get(url, params={"until": "2026-05-11T00:01:00Z"}).json()["items"]
    assert [c["id"] for c in until] == [first]


def test_list_rejects_bad_filters(api: Api) -> None:
    project = brand_project(api)
    url = f"/v1/projects/{project['id']}/content"
    for params, path in (({"status": "done"}, "status"), ({"format": "reel"}, "format"), ({"limit": 0}, "limit"),
                         ({"limit": 201}, "limit"), ({"since": "2026-05-11"}, "since"),
                         ({"until": "2026-05-11T00:00:00+02:00"}, "until"), ({"creativeType": "x"}, "creativeType")):
        r = api.get(url, params=params)
        assert r.status_code == 422, params
        assert r.json()["error"]["details"]["issues"][0]["path"] == path


def test_failed_generation_sets_last_error(api: Api) -> None:
    project = brand_project(api)
    job = build(api, project)
    r = api.post(f"/_emulator/jobs/{job['jobId']}/outcome", json={"outcome": "fail", "errorCode": "SOURCE_UNAVAILABLE"})
    assert r.status_code == 200, r.text
    api.advance(seconds=1)
    c = api.get(f"/v1/content/{job['containerIds'][0]}").json()
    assert c["status"] == "failed" and c["lastError"]["code"] == "SOURCE_UNAVAILABLE" and c["failedAt"]
    assert c["preview"] is None
