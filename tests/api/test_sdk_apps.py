"""SDK apps: create with the key shown once, get without it, patch, rotate, CAPI toggles."""
from __future__ import annotations

import re

from tests.support import Api


def create(api: Api, project_id: str, **over) -> dict:
    body = {"name": "Acme iOS", "platform": "ios", "bundleId": "com.acme.app", **over}
    r = api.post(f"/v1/projects/{project_id}/sdk-apps", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_create_get_and_key_once(api: Api) -> None:
    p = api.project()
    app = create(api, p["id"])
    assert re.fullmatch(r"app_[0-9a-f]{24}", app["appId"]) and re.fullmatch(r"sdk_[0-9A-Za-z]{32}", app["apiKey"])
    assert app["ingestEndpoint"] == "https://in.layers.com/l/events" and app["capi"] == {}
    got = api.get(f"/v1/projects/{p['id']}/sdk-apps/{app['appId']}").json()
    assert "apiKey" not in got and got["bundleId"] == "com.acme.app" and got["lastRotatedAt"] is None


def test_platform_ids_required(api: Api) -> None:
    p = api.project()
    for platform, field in (("ios", "bundleId"), ("android", "androidPackage"), ("web", "webDomain")):
        r = api.post(f"/v1/projects/{p['id']}/sdk-apps", json={"name": "x", "platform": platform})
        assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == field
    assert create(api, p["id"], platform="expo", bundleId=None)["platform"] == "expo"
    r = api.post(f"/v1/projects/{p['id']}/sdk-apps", json={"name": "x", "platform": "web", "webDomain": "https://a.com"})
    assert r.status_code == 422


def test_rotate_key_and_capi(api: Api) -> None:
    p = api.project()
    app = create(api, p["id"])
    url = f"/v1/projects/{p['id']}/sdk-apps/{app['appId']}"
    renamed = api.patch(url, json={"name": "Renamed"}).json()
    assert renamed["name"] == "Renamed" and "apiKey" not in renamed
    rotated = api.patch(url, json={"rotateKey": True}).json()
    assert rotated["apiKey"] != app["apiKey"] and rotated["lastRotatedAt"] is not None
    r = api.patch(url, json={"capi": {"meta": {"enabled": True}}})
    assert r.status_code == 422 and r.json()["error"]["details"]["code"] == "CAPI_NOT_CONFIGURED"
    r = api.patch(url, json={"capi": {"meta": {"enabled": True, "pixelId": "px_1"}}})
    assert r.json()["capi"]["meta"] == {"enabled": True, "pixelId": "px_1", "lastForwardAt": None}
    assert api.patch(url, json={}).status_code == 422
    assert api.get(f"/v1/projects/{p['id']}/sdk-apps/app_000000000000000000000000").status_code == 404
