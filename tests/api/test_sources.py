"""Source recommendations (portfolio and live search) and the hooks bank."""
from __future__ import annotations

from urllib.parse import urlparse

from tests.api.content_support import brand_project
from tests.support import Api


def recs(api: Api, project: dict, **params: object) -> dict:
    r = api.get(f"/v1/projects/{project['id']}/content/source-recommendations", params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_portfolio_items_have_the_documented_shape(api: Api) -> None:
    project = brand_project(api)
    body = recs(api, project, kind="slideshow")
    assert body["source"] == "portfolio" and body["nextCursor"] is None
    assert len(body["items"]) == 20
    for item in body["items"]:
        assert item["kind"] == "slideshow" and item["imageCount"] > 0
        assert len(item["tiktokId"]) == 19 and item["tiktokId"].isdigit()
        assert item["caption"] and item["author"]["handle"].startswith("@")
        assert set(item["stats"]) >= {"views", "likes", "comments", "shares"}
        assert item["thumbnailUrl"].startswith("http")


def test_portfolio_prefers_the_project_vertical(api: Api) -> None:
    project = brand_project(api)  # a fitness app
    items = recs(api, project, kind="mixed", limit=10)["items"]
    text = " ".join(i["caption"].lower() for i in items)
    assert any(w in text for w in ("workout", "gym", "squat", "lift", "mobility", "training"))


def test_portfolio_is_deterministic_and_empty_for_bare_projects(api: Api) -> None:
    project = brand_project(api)
    assert recs(api, project) == recs(api, project)
    bare = api.project()
    assert recs(api, bare)["items"] == []


def test_kinds_filter(api: Api) -> None:
    project = brand_project(api)
    videos = recs(api, project, kind="video")["items"]
    assert videos and all(i["kind"] == "video" and i["durationMs"] > 0 for i in videos)
    mixed = recs(api, project)["items"]
    assert {i["kind"] for i in mixed} == {"video", "slideshow"}


def test_live_search_matches_the_keyword_and_is_never_empty(api: Api) -> None:
    bare = api.project()
    body = recs(api, bare, keyword="morning routine", kind="slideshow")
    assert body["source"] == "live_search" and body["items"]
    assert all(i["kind"] == "slideshow" for i in body["items"])
    assert "routine" in body["items"][0]["caption"].lower() or "morning" in body["items"][0]["caption"].lower()
    assert recs(api, bare, keyword="zzqxv")["items"]


def test_limit_bounds_and_cap(api: Api) -> None:
    project = brand_project(api)
    assert len(recs(api, project, limit=5)["items"]) == 5
    assert len(recs(api, project, limit=50)["items"]) == 20
    for bad in (0, 51, "x"):
        r = api.get(f"/v1/projects/{project['id']}/content/source-recommendations", params={"limit": bad})
        assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "limit"
    r = api.get(f"/v1/projects/{project['id']}/content/source-recommendations", params={"kind": "reel"})
    assert r.status_code == 422
    r = api.get(f"/v1/projects/{project['id']}/content/source-recommendations", params={"keyword": "x" * 201})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "keyword"


def test_thumbnails_resolve(api: Api) -> None:
    project = brand_project(api)
    item = recs(api, project, limit=1)["items"][0]
    r = api.client.get(urlparse(item["thumbnailUrl"]).path)
    assert r.status_code == 200 and r.content.startswith(b"\x89PNG")


def test_hooks_bank_is_twenty_fresh_lines_in_brand(api: Api) -> None:
    project = brand_project(api)
    url = f"/v1/projects/{project['id']}/content/hooks"
    first = api.get(url).json()
    second = api.get(url).json()
    assert len(first["hooks"]) == 20 and len(set(first["hooks"])) == 20
    assert first["brandVoice"] == "warm" and first["language"] == "en"
    assert first["hooks"] != second["hooks"]
    joined = "".join(first["hooks"] + second["hooks"])
    assert "\n" not in joined  # breaks are the two characters backslash + n
    assert "{appName}" not in joined and "{audience}" not in joined


def test_hooks_need_app_name_and_description(api: Api) -> None:
    project = api.project()
    r = api.get(f"/v1/projects/{project['id']}/content/hooks")
    assert r.status_code == 422
    assert r.json()["error"]["details"]["missingFields"] == ["appName", "appDescription"]
