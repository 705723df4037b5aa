"""Finished-content uploads: from URL, presigned session + PUT + finalize, caption PATCH."""
from __future__ import annotations

from urllib.parse import urlparse

from tests.api.content_support import brand_project, completed
from tests.support import Api


def upload(api: Api, project: dict, urls: list[str], caption: str = "The roast that started it all.") -> object:
    return api.post(f"/v1/projects/{project['id']}/content/upload",
                    json={"media": [{"url": u} for u in urls], "caption": caption})


def session(api: Api, project: dict, files: list[dict], **extra: object) -> dict:
    r = api.post(f"/v1/projects/{project['id']}/content/uploads", json={"files": files, **extra})
    assert r.status_code == 201, r.text
    return dict(r.json())


def put(api: Api, f: dict, data: bytes, content_type: str | None = None) -> object:
    return api.client.put(urlparse(f["uploadUrl"]).path, content=data,
                          headers={"Content-Type": content_type or f["contentType"]})


PNG = {"filename": "a.png", "contentType": "image/png", "sizeBytes": 10}


def test_upload_from_url_creates_a_completed_uploaded_item(api: Api) -> None:
    project = brand_project(api)
    r = upload(api, project, ["https://cdn.example.com/clips/launch.mp4"])
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["status"] == "completed" and c["creativeType"] == "uploaded" and c["format"] is None
    assert c["adsEnrollment"] == "opted_out" and c["caption"] == "The roast that started it all."
    assert c["preview"]["kind"] == "video" and c["assets"][0]["mimeType"] == "video/mp4"
    assert set(c["platformFit"]) == {"tiktok", "instagram"}
    served = api.client.get(urlparse(c["assets"][0]["url"]).path)
    assert served.status_code == 200 and served.headers["content-type"] == "video/mp4"
    assert served.content[4:8] == b"ftyp"
    listed = api.get(f"/v1/projects/{project['id']}/content", params={"creativeType": "uploaded"}).json()["items"]
    assert [x["id"] for x in listed] == [c["id"]]
    assert [e for e in api.events(kind="event") if e["type"] == "content.generated"][0]["data"]["id"] == c["id"]


def test_upload_several_images_is_a_slideshow(api: Api) -> None:
    project = brand_project(api)
    r = upload(api, project, [f"https://cdn.example.com/s/{i}.jpg" for i in range(3)], caption="")
    assert r.status_code == 201
    assert r.json()["preview"]["kind"] == "slideshow" and len(r.json()["preview"]["imageUrls"]) == 3
    assert r.json()["caption"] == ""


def test_upload_refuses_private_urls_and_bad_shapes_before_any_write(api: Api) -> None:
    project = brand_project(api)
    cases = [
        (["https://cdn.example.com/a.jpg", "http://cdn.example.com/b.jpg"], "media.1.url"),
        (["https://127.0.0.1/a.jpg"], "media.0.url"),
        (["https://localhost/a.jpg"], "media.0.url"),
        (["https://cdn.example.com/doc.pdf"], "media.0.url"),
        (["https://cdn.example.com/a.mp4", "https://cdn.example.com/b.jpg"], "media"),
    ]
    for urls, path in cases:
        r = upload(api, project, urls)
        assert r.status_code == 422, urls
        assert r.json()["error"]["details"]["issues"][0]["path"] == path
    assert api.get(f"/v1/projects/{project['id']}/content").json()["items"] == []


def test_upload_needs_a_caption_and_1_to_10_files(api: Api) -> None:
    project = brand_project(api)
    url = f"/v1/projects/{project['id']}/content/upload"
    assert api.post(url, json={"media": [{"url": "https://cdn.example.com/a.jpg"}]}).status_code == 422
    assert api.post(url, json={"media": [], "caption": ""}).status_code == 422
    eleven = [{"url": f"https://cdn.example.com/{i}.jpg"} for i in range(11)]
    assert api.post(url, json={"media": eleven, "caption": ""}).status_code == 422
    assert api.post(url, json={"media": [{"url": "https://cdn.example.com/a.jpg"}], "caption": "x" * 2201}).status_code == 422


def test_session_put_finalize(api: Api) -> None:
    project = brand_project(api)
    s = session(api, project, [{"filename": "clip.mp4", "contentType": "video/mp4", "sizeBytes": 5}])
    assert s["grouping"] == "per-file" and len(s["containerIds"]) == 1
    f = s["files"][0]
    assert f["method"] == "PUT" and f["headers"] == {"Content-Type": "video/mp4"}
    cid = f["containerId"]
    assert api.get(f"/v1/content/{cid}").json()["status"] == "queued"
    r = api.post(f"/v1/content/{cid}/finalize-upload", json={"caption": "first"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "UPLOAD_INCOMPLETE"
    assert r.json()["error"]["details"]["missingFiles"] == ["clip.mp4"]
    assert put(api, f, b"12345").status_code == 200
    r = api.post(f"/v1/content/{cid}/finalize-upload", json={"caption": "first"})
    assert r.status_code == 200 and r.json()["status"] == "completed" and r.json()["caption"] == "first"
    again = api.post(f"/v1/content/{cid}/finalize-upload", json={"caption": "second"})
    assert again.status_code == 200 and again.json()["caption"] == "first"


def test_put_checks_type_size_and_expiry(api: Api) -> None:
    project = brand_project(api)
    f = session(api, project, [PNG])["files"][0]
    assert put(api, f, b"x" * 10, "image/jpeg").status_code == 403
    assert put(api, f, b"x" * 11).status_code == 400
    assert api.client.put("/_emulator/content-uploads/nope", content=b"x",
                          headers={"Content-Type": "image/png"}).status_code == 404
    api.advance(seconds=16 * 60)
    assert put(api, f, b"x" * 10).status_code == 403


def test_short_upload_fails_finalize_with_422(api: Api) -> None:
    project = brand_project(api)
    f = session(api, project, [PNG])["files"][0]
    assert put(api, f, b"x" * 4).status_code == 200
    r = api.post(f"/v1/content/{f['containerId']}/finalize-upload", json={"caption": ""})
    assert r.status_code == 422


def test_slideshow_grouping(api: Api) -> None:
    project = brand_project(api)
    files = [{**PNG, "filename": f"{i}.png"} for i in range(3)]
    s = session(api, project, files, grouping="slideshow")
    assert len(s["containerIds"]) == 1 and {f["containerId"] for f in s["files"]} == set(s["containerIds"])
    for f in s["files"]:
        assert put(api, f, b"x" * 10).status_code == 200
    c = api.post(f"/v1/content/{s['containerIds'][0]}/finalize-upload", json={"caption": "three"}).json()
    assert c["preview"]["kind"] == "slideshow" and len(c["assets"]) == 3
    video = {"filename": "v.mp4", "contentType": "video/mp4", "sizeBytes": 5}
    r = api.post(f"/v1/projects/{project['id']}/content/uploads", json={"files": [PNG, video], "grouping": "slideshow"})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "grouping"


def test_session_validation(api: Api) -> None:
    project = brand_project(api)
    url = f"/v1/projects/{project['id']}/content/uploads"
    bad_type = {**PNG, "contentType": "image/gif"}
    assert api.post(url, json={"files": [bad_type]}).status_code == 422
    huge = {"filename": "v.mp4", "contentType": "video/mp4", "sizeBytes": 100 * 1024 * 1024 + 1}
    r = api.post(url, json={"files": [huge]})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "files.0.sizeBytes"
    assert api.post(url, json={"files": []}).status_code == 422


def test_caption_patch_only_for_uploads(api: Api) -> None:
    project = brand_project(api)
    c = upload(api, project, ["https://cdn.example.com/a.jpg"]).json()
    r = api.patch(f"/v1/content/{c['id']}", json={"caption": "fixed typo"})
    assert r.status_code == 200 and r.json()["caption"] == "fixed typo"
    assert api.get(f"/v1/content/{c['id']}").json()["caption"] == "fixed typo"
    generated = completed(api, project)
    r = api.patch(f"/v1/content/{generated['id']}", json={"caption": "nope"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION"
    assert api.patch(f"/v1/content/{c['id']}", json={}).status_code == 422


def test_uploads_follow_the_review_policy(api: Api) -> None:
    project = brand_project(api)
    api.patch(f"/v1/projects/{project['id']}/content-review-policy", json={"policy": "review_all"})
    c = upload(api, project, ["https://cdn.example.com/a.jpg"]).json()
    assert c["approvalStatus"] == "pending"
    assert api.post(f"/v1/content/{c['id']}/approve", json={}).status_code == 200
