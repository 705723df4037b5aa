"""Seed 003 (getting started) end to end through HTTP on the virtual clock: create the project,
connect TikTok through the sandbox OAuth page, wait for the first influencer, discover a
slideshow source, remix it, schedule it with the seed's `-07:00` time, and watch it go live."""
from __future__ import annotations

from tests.support import Api

DESCRIPTION = (
    "Daily ritual coffee subscriptions for runners and night-shift workers. Single-origin beans from named "
    "farms, roasted weekly, and shipped on a cadence that matches how you actually drink coffee."
)


def test_getting_started_flow(api: Api) -> None:
    # 1. the project
    r = api.post("/v1/projects", json={
        "name": "Acme Coffee", "customerExternalId": "acme-coffee", "timezone": "America/Los_Angeles",
        "primaryLanguage": "en", "appName": "Acme Coffee", "appDescription": DESCRIPTION,
        "tagline": "Coffee that shows up before you run out.", "brandVoice": "warm", "targetGender": "all",
    }, headers={"Idempotency-Key": "0b4f4a52-8f0e-4f5e-9d7c-7a8b8f1e2c01"})
    assert r.status_code == 201, r.text
    project = r.json()

    # 3. connect TikTok (sandbox consent page), then poll the status
    oauth = api.post(f"/v1/projects/{project['id']}/social/oauth-url",
                     json={"platform": "tiktok", "returnUrl": "https://yourapp.example.com/social/connect/callback"}).json()
    assert api.client.get(oauth["authorizeUrl"], follow_redirects=False).status_code == 302
    status = api.get(f"/v1/projects/{project['id']}/social/oauth-status", params={"state": oauth["state"]}).json()
    assert status["status"] == "completed"
    social_account_id = status["socialAccountId"]

    # 4. wait for the first influencer (~1 minute), discover a slideshow, remix it
    for _ in range(100):
        ready = [i for i in api.get(f"/v1/projects/{project['id']}/influencers").json()["items"] if i["status"] == "ready"]
        if ready:
            break
        api.advance(seconds=3)
    influencer_id = ready[0]["influencerId"]
    items = api.get(f"/v1/projects/{project['id']}/content/source-recommendations",
                    params={"kind": "slideshow", "limit": 20}).json()["items"]
    assert items and all(i["kind"] == "slideshow" for i in items)
    gen = api.post(f"/v1/projects/{project['id']}/content/slideshow-remix",
                   json={"tiktokVideoId": items[0]["tiktokId"], "influencerId": influencer_id})
    assert gen.status_code == 202, gen.text
    job_id, container_id = gen.json()["jobId"], gen.json()["containerIds"][0]
    for _ in range(200):
        job = api.get(f"/v1/jobs/{job_id}").json()
        if job["status"] != "running":
            break
        api.advance(seconds=3)
    assert job["status"] == "completed", job
    preview = api.get(f"/v1/content/{container_id}").json()["preview"]
    assert preview["kind"] == "slideshow" and preview["imageUrls"]

    # 5. schedule it exactly as the seed does
    sched = api.post(f"/v1/content/{container_id}/schedule", json={
        "scheduledFor": "2026-05-15T09:00:00-07:00",
        "targets": [{"socialAccountId": social_account_id, "mode": "publish"}],
    }, headers={"Idempotency-Key": "0b4f4a52-8f0e-4f5e-9d7c-7a8b8f1e2c05"})
    assert sched.status_code == 201, sched.text
    body = sched.json()
    assert body["gateStatus"] == "queued" and body["scheduledFor"] == "2026-05-15T16:00:00.000Z"
    [post_id] = body["scheduledPostIds"]

    listed = api.get(f"/v1/projects/{project['id']}/scheduled-posts", params={"status": "queued"}).json()["items"]
    assert [p["id"] for p in listed] == [post_id]

    api.advance(to="2026-05-15T16:00:06Z")
    live = api.get(f"/v1/scheduled-posts/{post_id}").json()
    assert live["status"] == "published"
    assert live["externalUrl"].startswith("https://www.tiktok.com/@")
    assert live["containerId"] == container_id and live["socialAccountId"] == social_account_id
