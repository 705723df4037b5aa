"""App media (URL uploads through the SSRF guard) and the media library (inline, presign, PUT,
finalize)."""
from __future__ import annotations

import base64
import hashlib

import pytest

from tests.support import Api

LOGO = "https://cdn.acmecoffee.com/brand/logo-512.png"


def upload(api: Api, project_id: str, kind: str, url: str):
    return api.post(f"/v1/projects/{project_id}/app-media", json={"kind": kind, "url": url})


def test_upload_logo_answers_seed_shape(api: Api) -> None:
    p = api.project()
    r = upload(api, p["id"], "logo", LOGO)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["id"].startswith("med_") and body["kind"] == "logo" and body["mimeType"] == "image/png"
    assert 0 < body["byteSize"] <= 5 * 1024 * 1024 and body["sourceUrl"] == LOGO and body["role"] == "logo"
    project = api.get(f"/v1/projects/{p['id']}").json()
    assert project["brandContext"]["logoUrl"] == body["url"]
    assert upload(api, p["id"], "logo", LOGO).json()["byteSize"] == body["byteSize"]


@pytest.mark.parametrize("kind,url", [
    ("screenshot", "https://cdn.acmecoffee.com/product/home.png"),
    ("screenshot", "https://cdn.acmecoffee.com/product/home.heic"),
    ("demo-video", "https://cdn.acmecoffee.com/marketing/30s-demo.mp4"),
    ("demo-video", "https://cdn.acmecoffee.com/marketing/demo.mov"),
    ("end-card", "https://cdn.acmecoffee.com/end.webp"),
    ("logo", "https://cdn.acmecoffee.com/logo.svg"),
])
def test_allowed_kinds_and_types(api: Api, kind: str, url: str) -> None:
    p = api.project()
    assert upload(api, p["id"], kind, url).status_code == 201


@pytest.mark.parametrize("kind,url,reason", [
    ("logo", "https://cdn.acmecoffee.com/demo.mp4", "MIME_NOT_ALLOWED"),
    ("end-card", "https://cdn.acmecoffee.com/end.svg", "MIME_NOT_ALLOWED"),
    ("screenshot", "https://cdn.acmecoffee.com/page.html", "MIME_NOT_ALLOWED"),
    ("logo", "https://cdn.acmecoffee.com/logo.png?emulator-mime=text/html", "MIME_NOT_ALLOWED"),
    ("logo", "https://cdn.acmecoffee.com/logo-oversize.png", "TOO_LARGE"),
    ("demo-video", "https://cdn.acmecoffee.com/v.mp4?emulator-size=209715201", "TOO_LARGE"),
    ("logo", "https://cdn.gone.invalid/logo.png", "UNREACHABLE"),
    ("logo", "https://cdn.acmecoffee.com/logo", "UNKNOWN_TYPE"),
    ("logo", "http://cdn.acmecoffee.com/logo.png", "SCHEME_NOT_ALLOWED"),
    ("logo", "https://169.254.169.254/latest/meta-data/logo.png", "IP_LITERAL"),
    ("logo", "https://2130706433/logo.png", "IP_LITERAL"),
    ("logo", "https://[::1]/logo.png", "IP_LITERAL"),
    ("logo", "https://localhost/logo.png", "PRIVATE_ADDRESS"),
    ("logo", "https://a:b@cdn.acmecoffee.com/logo.png", "CREDENTIALS_IN_URL"),
])
def test_refusals_are_422_naming_url(api: Api, kind: str, url: str, reason: str) -> None:
    p = api.project()
    r = upload(api, p["id"], kind, url)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "VALIDATION" and err["details"]["reason"] == reason
    assert err["details"]["issues"][0]["path"] == "url"


def test_unknown_kind_is_422(api: Api) -> None:
    p = api.project()
    r = upload(api, p["id"], "banner", LOGO)
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "kind"


def test_other_tenant_project_is_404(api: Api, client) -> None:
    p = api.project()
    assert upload(Api(client, api.key + "_z"), p["id"], "logo", LOGO).status_code == 404


def test_inline_upload_cap(api: Api) -> None:
    p = api.project()
    small = base64.b64encode(b"x" * 1000).decode()
    r = api.post(f"/v1/projects/{p['id']}/media", json={"kind": "image", "dataBase64": small, "contentType": "image/png",
                                                         "filename": "a.png"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["mediaId"] == body["assetId"] and body["byteSize"] == 1000 and body["mimeType"] == "image/png"
    big = base64.b64encode(b"x" * (256 * 1024)).decode()
    r = api.post(f"/v1/projects/{p['id']}/media", json={"kind": "image", "dataBase64": big, "mimeType": "image/png"})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "dataBase64"
    r = api.post(f"/v1/projects/{p['id']}/media", json={"kind": "image", "dataBase64": small})
    assert r.status_code == 422
    r = api.post(f"/v1/projects/{p['id']}/media", json={"kind": "image", "dataBase64": "!!!", "mimeType": "image/png"})
    assert r.status_code == 422


def test_presign_put_finalize(api: Api) -> None:
    p = api.project()
    payload = b"\x00" * 300_000
    digest = hashlib.sha256(payload).hexdigest()
    r = api.post(f"/v1/projects/{p['id']}/media/presign",
                 json={"kind": "video", "mimeType": "video/mp4", "filename": "clip.mp4", "sizeBytes": len(payload)})
    assert r.status_code == 200, r.text
    signed = r.json()
    assert signed["uploadId"].startswith("upl_") and signed["method"] == "PUT"
    assert signed["headers"] == {"Content-Type": "video/mp4", "Content-Length": str(len(payload))}
    early = api.post(f"/v1/projects/{p['id']}/media/finalize", json={"uploadId": signed["uploadId"]})
    assert early.status_code == 409 and early.json()["error"]["code"] == "UPLOAD_INCOMPLETE"
    wrong = api.client.put(signed["uploadUrl"], content=payload, headers={"Content-Type": "image/png"})
    assert wrong.status_code == 403
    put = api.client.put(signed["uploadUrl"], content=payload, headers={"Content-Type": "video/mp4"})
    assert put.status_code == 200
    done = api.post(f"/v1/projects/{p['id']}/media/finalize", json={"uploadId": signed["uploadId"], "checksumSha256": digest})
    assert done.status_code == 200, done.text
    assert done.json()["byteSize"] == len(payload) and done.json()["kind"] == "video"
    again = api.post(f"/v1/projects/{p['id']}/media/finalize", json={"uploadId": signed["uploadId"]})
    assert again.json()["mediaId"] == done.json()["mediaId"]


def test_finalize_size_mismatch_and_expiry(api: Api) -> None:
    p = api.project()
    signed = api.post(f"/v1/projects/{p['id']}/media/presign",
                      json={"kind": "image", "contentType": "image/png", "byteSize": 10}).json()
    api.client.put(signed["uploadUrl"], content=b"123", headers={"Content-Type": "image/png"})
    r = api.post(f"/v1/projects/{p['id']}/media/finalize", json={"uploadId": signed["uploadId"]})
    assert r.status_code == 422
    late = api.post(f"/v1/projects/{p['id']}/media/presign", json={"kind": "image", "mimeType": "image/png"}).json()
    api.advance(seconds=15 * 60)
    assert api.client.put(late["uploadUrl"], content=b"1", headers={"Content-Type": "image/png"}).status_code == 403
    api.advance(seconds=24 * 3600)
    assert api.post(f"/v1/projects/{p['id']}/media/finalize", json={"uploadId": late["uploadId"]}).status_code == 404
    r = api.post(f"/v1/projects/{p['id']}/media/presign", json={"kind": "image", "mimeType": "image/png",
                                                               "checksumSha256": "abc"})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "checksumSha256"
