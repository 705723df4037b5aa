"""The older generic `POST /v1/projects/:id/content` (format, variantCount, brief, id upsert)."""
from __future__ import annotations

import uuid

from tests.api.content_support import brand_project, ready_influencer
from tests.support import Api


def url(project: dict) -> str:
    return f"/v1/projects/{project['id']}/content"


def test_auto_without_demo_builds_a_slideshow_with_the_brief_hook(api: Api) -> None:
    project = brand_project(api)
    brief = {"hook": "Get things done. Faster.", "cta": "Download Acme", "targetPlatforms": ["tiktok"],
             "themeTags": ["productivity"]}
    r = api.post(url(project), json={"brief": brief})
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["format"] == "slideshow-builder" and len(body["containerIds"]) == 1
    c = api.get(f"/v1/content/{body['containerId']}").json()
    assert c["brief"] == brief and c["hook"] == brief["hook"]


def test_variant_count_makes_one_container_per_variant_and_one_job(api: Api) -> None:
    project = brand_project(api)
    r = api.post(url(project), json={"format": "auto", "variantCount": 3})
    assert r.status_code == 202
    ids = r.json()["containerIds"]
    assert len(set(ids)) == 3
    api.advance(seconds=90)
    for cid in ids:
        assert api.get(f"/v1/content/{cid}").json()["status"] == "completed"
    generated = [e for e in api.events(kind="event") if e["type"] == "content.generated"]
    assert sorted(e["data"]["id"] for e in generated) == sorted(ids)


def test_variant_count_bounds(api: Api) -> None:
    project = brand_project(api)
    for bad in (0, 6, "2"):
        r = api.post(url(project), json={"variantCount": bad})
        assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "variantCount"


def test_unknown_format_is_422(api: Api) -> None:
    project = brand_project(api)
    r = api.post(url(project), json={"format": "carousel"})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "format"


def test_id_upsert_returns_the_prior_response(api: Api) -> None:
    project = brand_project(api)
    cid = str(uuid.UUID(int=7))
    body = {"id": cid, "brief": {"hook": "one"}}
    first = api.post(url(project), json=body)
    second = api.post(url(project), json=body)
    assert first.status_code == second.status_code == 202
    assert first.json()["containerId"] == f"cnt_{cid}"
    assert second.json()["jobId"] == first.json()["jobId"]
    assert len(api.get(url(project)).json()["items"]) == 1


def test_id_upsert_with_a_different_brief_is_409(api: Api) -> None:
    project = brand_project(api)
    cid = str(uuid.UUID(int=8))
    assert api.post(url(project), json={"id": cid, "brief": {"hook": "one"}}).status_code == 202
    r = api.post(url(project), json={"id": cid, "brief": {"hook": "two"}})
    assert r.status_code == 409 and r.json()["error"]["code"] == "CONFLICT"


def test_bad_id_is_422(api: Api) -> None:
    project = brand_project(api)
    r = api.post(url(project), json={"id": "not-a-uuid"})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "id"


def test_video_remix_format_takes_a_portfolio_source_and_the_default_influencer(api: Api) -> None:
    project = brand_project(api)
    inf = ready_influencer(api, project)
    r = api.post(url(project), json={"format": "video_remix", "variantCount": 2,
                                     "brief": {"hook": "Get things done.", "cta": "Download"}})
    assert r.status_code == 202, r.text
    c = api.get(f"/v1/content/{r.json()['containerIds'][0]}").json()
    assert c["format"] == "video-remix" and c["influencerId"] == inf and c["sourceTiktokId"]


def test_remix_format_without_any_influencer_is_no_actor(api: Api) -> None:
    project = api.project(appName="Bare App")
    r = api.post(url(project), json={"format": "slideshow_remix"})
    assert r.status_code == 422 and r.json()["error"]["details"]["code"] == "NO_ACTOR"


def test_foreign_project_is_404(api: Api, client: object) -> None:
    from tests.support import new_key

    other = Api(client, new_key())  # type: ignore[arg-type]
    project = brand_project(other)
    assert api.post(url(project), json={}).status_code == 404
