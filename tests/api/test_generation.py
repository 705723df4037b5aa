"""Generation formats through HTTP on the virtual clock."""
from __future__ import annotations

from typing import Any

from tests.api.content_support import brand_project, build, ready_influencer, slideshow_id, video_id
from tests.support import Api


def test_builder_answers_202_with_job_and_one_container(api: Api) -> None:
    project = brand_project(api)
    job = build(api, project)
    assert job["kind"] == "content_generate"
    assert job["status"] == "running" and job["stage"] == "queued"
    assert len(job["containerIds"]) == 1 and job["containerId"] == job["containerIds"][0]
    assert job["containerId"].startswith("cnt_")
    assert job["locationUrl"] == f"/v1/jobs/{job['jobId']}"


def test_builder_job_moves_through_documented_stages_on_the_clock(api: Api) -> None:
    project = brand_project(api)
    job = build(api, project)
    cid = job["containerIds"][0]
    assert api.get(f"/v1/content/{cid}").json()["status"] == "queued"
    api.advance(seconds=3)
    assert api.get(f"/v1/jobs/{job['jobId']}").json()["stage"] == "generating_visuals"
    assert api.get(f"/v1/content/{cid}").json()["status"] == "processing"
    api.advance(seconds=80)
    assert api.get(f"/v1/jobs/{job['jobId']}").json()["stage"] == "finalizing"
    api.advance(seconds=7)
    done = api.get(f"/v1/jobs/{job['jobId']}").json()
    assert done["status"] == "completed"
    assert done["result"]["containerId"] == cid and done["result"]["assets"]
    assert api.get(f"/v1/content/{cid}").json()["status"] == "completed"


def test_in_flight_container_has_nulls_then_preview_when_done(api: Api) -> None:
    project = brand_project(api)
    hook = "POV:\\nyou stopped winging it 💪"
    cid = build(api, project, hook=hook)["containerIds"][0]
    body = api.get(f"/v1/content/{cid}").json()
    assert body["preview"] is None and body["assets"] == [] and body["caption"] is None
    assert body["hook"] == hook and body["format"] == "slideshow-builder"
    api.advance(seconds=90)
    body = api.get(f"/v1/content/{cid}").json()
    assert body["hook"] == hook
    assert body["preview"]["kind"] == "slideshow"
    assert len(body["preview"]["imageUrls"]) == 6 == len(body["assets"])
    assert body["caption"] and body["completedAt"] == "2026-05-11T00:01:30.000Z"


def test_progress_reports_stage_fraction_and_eta(api: Api) -> None:
    project = brand_project(api)
    cid = build(api, project)["containerIds"][0]
    p = api.get(f"/v1/content/{cid}/progress").json()
    assert p["status"] == "queued" and p["stage"] == "queued" and p["etaSeconds"] == 90
    api.advance(seconds=40)
    p = api.get(f"/v1/content/{cid}/progress").json()
    assert p["status"] == "processing" and p["stage"] == "generating_visuals"
    assert 0 < p["stageProgress"] < 1 and p["etaSeconds"] == 50
    api.advance(seconds=60)
    p = api.get(f"/v1/content/{cid}/progress").json()
    assert p == {**p, "status": "completed", "stage": "finalizing", "stageProgress": 1.0, "etaSeconds": None}


def test_builder_validates_hook(api: Api) -> None:
    project = brand_project(api)
    url = f"/v1/projects/{project['id']}/content/slideshow-builder"
    r = api.post(url, json={})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "hook"
    r = api.post(url, json={"hook": "x" * 2001})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "hook"


def test_builder_needs_app_description(api: Api) -> None:
    project = api.project()
    r = api.post(f"/v1/projects/{project['id']}/content/slideshow-builder", json={"hook": "hi"})
    assert r.status_code == 422
    assert r.json()["error"]["details"]["missingFields"] == ["appDescription"]


def test_remix_without_actor_is_422_naming_both_fields(api: Api) -> None:
    project = brand_project(api)
    r = api.post(f"/v1/projects/{project['id']}/content/slideshow-remix", json={"tiktokVideoId": "7301234567890123456"})
    assert r.status_code == 422
    paths = {i["path"] for i in r.json()["error"]["details"]["issues"]}
    assert paths == {"socialAccountId", "influencerId"}


def test_unknown_influencer_is_404(api: Api) -> None:
    project = brand_project(api)
    r = api.post(f"/v1/projects/{project['id']}/content/video-remix",
                 json={"tiktokVideoId": "7301234567890123456", "influencerId": "inf_nope"})
    assert r.status_code == 404 and r.json()["error"]["details"]["field"] == "influencerId"


def test_slideshow_remix_of_a_video_is_not_a_slideshow(api: Api) -> None:
    project = brand_project(api)
    inf = ready_influencer(api, project)
    r = api.post(f"/v1/projects/{project['id']}/content/slideshow-remix",
                 json={"tiktokVideoId": video_id(api, project), "influencerId": inf})
    assert r.status_code == 422 and r.json()["error"]["details"]["code"] == "NOT_A_SLIDESHOW"


def test_slideshow_remix_flow_of_the_getting_started_seed(api: Api) -> None:
    project = brand_project(api)
    inf = ready_influencer(api, project)
    source = slideshow_id(api, project)
    r = api.post(f"/v1/projects/{project['id']}/content/slideshow-remix",
                 json={"tiktokVideoId": source, "influencerId": inf})
    assert r.status_code == 202, r.text
    job, cid = r.json(), r.json()["containerIds"][0]
    api.advance(seconds=150)
    assert api.get(f"/v1/jobs/{job['jobId']}").json()["status"] == "completed"
    c = api.get(f"/v1/content/{cid}").json()
    assert c["sourceTiktokId"] == source and c["influencerId"] == inf and c["hook"]
    assert c["preview"]["kind"] == "slideshow" and c["preview"]["primaryUrl"] == c["preview"]["imageUrls"][0]


def test_video_remix_produces_one_video_asset(api: Api) -> None:
    project = brand_project(api)
    inf = ready_influencer(api, project)
    r = api.post(f"/v1/projects/{project['id']}/content/video-remix",
                 json={"tiktokVideoId": video_id(api, project), "influencerId": inf})
    assert r.status_code == 202, r.text
    api.advance(seconds=240)
    c = api.get(f"/v1/content/{r.json()['containerIds'][0]}").json()
    assert c["status"] == "completed" and c["preview"]["kind"] == "video"
    assert [a["kind"] for a in c["assets"]] == ["video"] and 9000 <= c["preview"]["durationMs"] <= 30000


def test_ugc_remix_without_app_demo_is_missing_app_demo(api: Api) -> None:
    project = brand_project(api)
    inf = ready_influencer(api, project)
    r = api.post(f"/v1/projects/{project['id']}/content/ugc-remix", json={"influencerId": inf})
    assert r.status_code == 422 and r.json()["error"]["details"]["code"] == "MISSING_APP_DEMO"


def test_cancel_marks_containers_canceled(api: Api) -> None:
    project = brand_project(api)
    job = build(api, project)
    api.advance(seconds=10)
    r = api.post(f"/v1/jobs/{job['jobId']}/cancel")
    assert r.status_code == 202
    api.advance(seconds=100)
    assert api.get(f"/v1/jobs/{job['jobId']}").json()["status"] == "canceled"
    assert api.get(f"/v1/content/{job['containerIds'][0]}").json()["status"] == "canceled"


def test_cancel_refused_while_finalizing(api: Api) -> None:
    project = brand_project(api)
    job = build(api, project)
    api.advance(seconds=85)
    r = api.post(f"/v1/jobs/{job['jobId']}/cancel")
    assert r.status_code == 409 and r.json()["error"]["details"]["subcode"] == "JOB_CANCEL_UNAVAILABLE"


def test_a_cancel_lands_at_the_end_of_the_stage_it_was_asked_in(api: Api) -> None:
    # builder: queued 2 s, generating_visuals 79 s, finalizing 9 s (no timer at that boundary)
    project = brand_project(api)
    job = build(api, project)
    api.advance(seconds=10)
    assert api.post(f"/v1/jobs/{job['jobId']}/cancel").status_code == 202
    api.advance(seconds=70)  # t = 80 s
    assert api.get(f"/v1/jobs/{job['jobId']}").json()["status"] == "running"
    api.advance(seconds=1)  # t = 81 s: the generating_visuals -> finalizing boundary
    assert api.get(f"/v1/jobs/{job['jobId']}").json()["status"] == "canceled"


def test_the_finalizing_stage_shows_on_every_read_path(api: Api) -> None:
    project = brand_project(api)
    job = build(api, project)
    api.advance(seconds=85)  # 4 s into finalizing
    body = api.get(f"/v1/jobs/{job['jobId']}").json()
    assert body["stage"] == "finalizing" and body["progress"] == 0.9
    p = api.get(f"/v1/content/{job['containerIds'][0]}/progress").json()
    assert p["stage"] == "finalizing" and p["stageProgress"] == round(4 / 9, 3) and p["etaSeconds"] == 5
    api.advance(seconds=5)
    done = api.get(f"/v1/jobs/{job['jobId']}").json()
    assert done["status"] == "completed" and done["stage"] == "finalizing" and done["progress"] == 1.0


def test_content_generated_event_fires_once_per_container(api: Api) -> None:
    project = brand_project(api)
    cid = build(api, project)["containerIds"][0]
    api.advance(seconds=90)
    events = [e for e in api.events(kind="event") if e["type"] == "content.generated"]
    assert [e["data"]["id"] for e in events] == [cid]
    assert events[0]["data"]["projectId"] == project["id"] and events[0]["data"]["assets"]


def test_archived_project_refuses_generation(api: Api) -> None:
    project = brand_project(api)
    api.delete(f"/v1/projects/{project['id']}")
    r = api.post(f"/v1/projects/{project['id']}/content/slideshow-builder", json={"hook": "hi"})
    assert r.status_code == 409


def test_metered_tenant_reserves_then_settles_credits(api: Api) -> None:
    r = api.post("/_emulator/credits", json={"metered": True})
    assert r.status_code == 200, r.text
    project = brand_project(api)
    before = api.get("/v1/credits").json()
    build(api, project)
    during = api.get("/v1/credits").json()
    assert during["reservedCredits"] == before["reservedCredits"] + 50
    api.advance(seconds=90)
    after = api.get("/v1/credits").json()
    assert after["reservedCredits"] == before["reservedCredits"]
    assert after["balance"] == before["balance"] - 50


def test_generation_for_a_pending_influencer_waits_until_it_is_ready(api: Api) -> None:
    project = brand_project(api)
    items = api.get(f"/v1/projects/{project['id']}/influencers").json()["items"]
    assert items and items[0]["status"] != "ready"
    r = api.post(f"/v1/projects/{project['id']}/content/slideshow-remix",
                 json={"tiktokVideoId": slideshow_id(api, project), "influencerId": items[0]["influencerId"]})
    assert r.status_code == 202, r.text
    cid = r.json()["containerIds"][0]
    api.advance(seconds=30)
    assert api.get(f"/v1/content/{cid}").json()["status"] == "queued"
    assert api.get(f"/v1/content/{cid}/progress").json()["stage"] == "queued"
    api.advance(seconds=40)
    assert api.get(f"/v1/content/{cid}").json()["status"] == "processing"
    api.advance(seconds=150)
    assert api.get(f"/v1/content/{cid}").json()["status"] == "completed"


def _waiting_generation(api: Api) -> tuple[dict[str, Any], str]:
    """A video remix for the project's auto influencer while it is still training."""
    project = brand_project(api)
    [inf] = api.get(f"/v1/projects/{project['id']}/influencers").json()["items"]
    assert inf["status"] != "ready"
    r = api.post(f"/v1/projects/{project['id']}/content/video-remix",
                 json={"tiktokVideoId": "7301234567890123456", "influencerId": inf["influencerId"]})
    assert r.status_code == 202, r.text
    api.advance(seconds=10)
    assert api.get(f"/v1/jobs/{r.json()['jobId']}").json()["stage"] == "queued"
    return r.json(), inf["influencerId"]


def test_a_waiting_generation_starts_the_moment_its_influencer_is_ready(api: Api) -> None:
    job, inf = _waiting_generation(api)
    assert api.post(f"/_emulator/influencers/{inf}", json={"outcome": "ready"}).status_code == 200
    progress = api.get(f"/v1/content/{job['containerIds'][0]}/progress").json()
    assert progress["status"] == "processing" and progress["stage"] == "generating_visuals"
    api.advance(seconds=240)  # a video remix takes 240 s from the moment it can start
    assert api.get(f"/v1/jobs/{job['jobId']}").json()["status"] == "completed"


def test_deleting_the_influencer_fails_the_generation_waiting_on_it(api: Api) -> None:
    job, inf = _waiting_generation(api)
    assert api.delete(f"/v1/influencers/{inf}").status_code == 200
    api.advance(seconds=1)
    c = api.get(f"/v1/content/{job['containerIds'][0]}").json()
    assert c["status"] == "failed" and c["lastError"]["code"] == "INFLUENCER_FAILED"


def test_cancel_ends_a_generation_waiting_on_its_influencer(api: Api) -> None:
    job, _ = _waiting_generation(api)
    assert api.post(f"/v1/jobs/{job['jobId']}/cancel").status_code == 202
    api.advance(seconds=1)
    assert api.get(f"/v1/jobs/{job['jobId']}").json()["status"] == "canceled"
    assert api.get(f"/v1/content/{job['containerIds'][0]}").json()["status"] == "canceled"


def test_ugc_remix_uses_the_project_app_demo(api: Api) -> None:
    project = brand_project(api)
    inf = ready_influencer(api, project)
    media = api.post(f"/v1/projects/{project['id']}/app-media",
                     json={"kind": "demo-video", "url": "https://cdn.example.com/marketing/30s-demo.mp4"})
    assert media.status_code == 201, media.text
    r = api.post(f"/v1/projects/{project['id']}/content/ugc-remix", json={"influencerId": inf, "hook": "wait for it"})
    assert r.status_code == 202, r.text
    api.advance(seconds=240)
    c = api.get(f"/v1/content/{r.json()['containerIds'][0]}").json()
    assert c["status"] == "completed" and c["mediaId"] == media.json()["id"] and c["hook"] == "wait for it"
    assert c["preview"]["kind"] == "video"
    other = api.post(f"/v1/projects/{project['id']}/app-media",
                     json={"kind": "screenshot", "url": "https://cdn.example.com/home.png"}).json()
    r = api.post(f"/v1/projects/{project['id']}/content/ugc-remix", json={"influencerId": inf, "mediaId": other["id"]})
    assert r.status_code == 422 and r.json()["error"]["details"]["code"] == "MISSING_APP_DEMO"
    r = api.post(f"/v1/projects/{project['id']}/content/ugc-remix", json={"influencerId": inf, "mediaId": "med_nope"})
    assert r.status_code == 404 and r.json()["error"]["details"]["field"] == "mediaId"


def test_social_account_alone_resolves_the_wired_influencer_and_layer(api: Api) -> None:
    project = brand_project(api)
    inf = ready_influencer(api, project)
    account = api.post(f"/_emulator/projects/{project['id']}/social-accounts", json={"platform": "tiktok"}).json()
    sa = account["socialAccountId"]
    r = api.post(f"/v1/projects/{project['id']}/content/slideshow-remix",
                 json={"tiktokVideoId": slideshow_id(api, project), "socialAccountId": sa})
    assert r.status_code == 202, r.text
    c = api.get(f"/v1/content/{r.json()['containerIds'][0]}").json()
    assert c["socialAccountId"] == sa and c["influencerId"] == inf and c["projectLayerId"] is None
    layer = api.post("/api/project-layers", json={"projectId": project["id"], "templateId": "social-distribution",
                                                  "config": {"social": {"socialAccountId": sa}}})
    assert layer.status_code == 201, layer.text
    r = api.post(f"/v1/projects/{project['id']}/content/slideshow-remix",
                 json={"tiktokVideoId": slideshow_id(api, project), "socialAccountId": sa})
    assert api.get(f"/v1/content/{r.json()['containerIds'][0]}").json()["projectLayerId"] == layer.json()["id"]


def test_archiving_the_project_cancels_running_generations(api: Api) -> None:
    project = brand_project(api)
    job = build(api, project)
    api.advance(seconds=10)
    assert api.delete(f"/v1/projects/{project['id']}").status_code == 200
    assert api.get(f"/v1/jobs/{job['jobId']}").json()["status"] == "canceled"
    assert api.get(f"/v1/content/{job['containerIds'][0]}").json()["status"] == "canceled"


def test_generation_fails_with_influencer_failed_when_the_influencer_fails(api: Api) -> None:
    job, inf = _waiting_generation(api)
    assert api.get(f"/v1/content/{job['containerIds'][0]}").json()["status"] == "queued"
    forced = api.post(f"/_emulator/influencers/{inf}", json={"outcome": "failed"})
    assert forced.status_code == 200, forced.text
    api.advance(seconds=5)
    c = api.get(f"/v1/content/{job['containerIds'][0]}").json()
    assert c["status"] == "failed" and c["lastError"]["code"] == "INFLUENCER_FAILED"
    assert api.get(f"/v1/jobs/{job['jobId']}").json()["error"]["code"] == "INFLUENCER_FAILED"


def test_captions_use_the_project_keyword_bank_once_it_lands(api: Api) -> None:
    project = brand_project(api)
    api.advance(seconds=300)  # keyword research lands at +270 s
    bank = api.get(f"/v1/projects/{project['id']}/keywords").json()["hashtags"]
    assert bank
    cid = build(api, project)["containerIds"][0]
    api.advance(seconds=90)
    caption = api.get(f"/v1/content/{cid}").json()["caption"]
    assert " ".join(f"#{h['hashtag']}" for h in bank[:3]) in caption
