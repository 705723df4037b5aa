"""Publish now, the fake platforms (ids, faults, managed), engagement runtime, archive and revoke."""
from __future__ import annotations

from tests.api.test_publishing import (  # noqa: F401  (world is a fixture)
    _faults, at, connect, post, schedule, world,
)
from tests.support import Api


# ---------------------------------------------------------------- publish now and the platforms

def test_publish_now_is_publishing_at_once_and_live_six_seconds_later(api: Api, world: dict) -> None:
    r = api.post(f"/v1/content/{world['cid']}/publish", json={"targets": [{"socialAccountId": world["sa"], "mode": "publish"}]})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["gateStatus"] == "queued"
    assert body["scheduledFor"] == api.get("/_emulator/clock").json()["now"]
    [sp_id] = body["scheduledPostIds"]
    assert post(api, sp_id)["status"] == "publishing"
    assert api.delete(f"/v1/scheduled-posts/{sp_id}").status_code == 409
    api.advance(seconds=6)
    assert post(api, sp_id)["status"] == "published"


def test_instagram_urls(api: Api, world: dict) -> None:
    ig = connect(api, world["project"], "instagram")
    [sp_id] = api.post(f"/v1/content/{world['cid']}/publish", json={"targets": [{"socialAccountId": ig, "mode": "publish"}]}).json()["scheduledPostIds"]
    api.advance(seconds=6)
    live = post(api, sp_id)
    assert live["externalId"].isdigit()
    assert live["externalUrl"].startswith("https://www.instagram.com/p/")


def test_token_error_fails_with_credential_invalid(api: Api, world: dict) -> None:
    sp_id = schedule(api, world["cid"], at(api, 60), {"socialAccountId": world["sa"], "mode": "publish"}).json()["scheduledPostIds"][0]
    assert api.post(f"/_emulator/social-accounts/{world['sa']}", json={"tokenError": "token revoked"}).status_code == 200
    api.advance(seconds=60)
    failed = post(api, sp_id)
    assert failed["status"] == "failed"
    assert failed["lastError"]["code"] == "CREDENTIAL_INVALID"
    assert failed["externalId"] is None
    event = [e for e in api.events(kind="event") if e["type"] == "post.failed"][0]["data"]
    assert event["scheduledPostId"] == sp_id and event["lastError"]["code"] == "CREDENTIAL_INVALID"


def _publish(api: Api, world: dict) -> str:
    r = api.post(f"/v1/content/{world['cid']}/publish", json={"targets": [{"socialAccountId": world["sa"], "mode": "publish"}]})
    return str(r.json()["scheduledPostIds"][0])


def test_two_transient_errors_are_retried_away(api: Api, world: dict) -> None:
    assert _faults(api, "tiktok", failNext=2, status=503)["failNext"] == 2
    sp_id = _publish(api, world)
    api.advance(seconds=6)
    assert post(api, sp_id)["status"] == "published"
    assert api.get("/_emulator/platforms/tiktok/faults").json()["failNext"] == 0


def test_three_transient_errors_fail_the_post(api: Api, world: dict) -> None:
    _faults(api, "tiktok", failNext=3, status=500)
    sp_id = _publish(api, world)
    assert post(api, sp_id)["status"] == "publishing"
    api.advance(seconds=6)
    failed = post(api, sp_id)
    assert failed["status"] == "failed"
    assert failed["lastError"]["code"] == "PLATFORM_ERROR"
    assert failed["publishedAt"] is None


def test_a_permanent_rejection_fails_without_retry(api: Api, world: dict) -> None:
    _faults(api, "tiktok", failNext=2, status=400, code="SPAM_RISK")
    sp_id = _publish(api, world)
    api.advance(seconds=6)
    failed = post(api, sp_id)
    assert failed["status"] == "failed"
    assert failed["lastError"]["code"] == "SPAM_RISK"
    assert api.get("/_emulator/platforms/tiktok/faults").json()["failNext"] == 1


def test_faults_are_per_platform(api: Api, world: dict) -> None:
    _faults(api, "instagram", failNext=5, status=500)
    sp_id = _publish(api, world)
    api.advance(seconds=6)
    assert post(api, sp_id)["status"] == "published"


def test_fault_route_validation(api: Api) -> None:
    assert api.post("/_emulator/platforms/youtube/faults", json={"failNext": 1}).status_code == 404
    assert api.post("/_emulator/platforms/tiktok/faults", json={"failNext": -1}).status_code == 422
    assert api.post("/_emulator/platforms/tiktok/faults", json={"failNext": 1, "status": 200}).status_code == 422


def test_managed_posts_go_out_at_the_next_quarter_hour(api: Api, world: dict) -> None:
    api.advance(to="2026-05-12T10:03:00Z")
    r = api.post(f"/v1/content/{world['cid']}/publish", json={"targets": [{"socialAccountId": world["sa"], "mode": "managed"}]})
    [sp_id] = r.json()["scheduledPostIds"]
    api.advance(to="2026-05-12T10:14:59Z")
    assert post(api, sp_id)["status"] == "publishing"
    api.advance(to="2026-05-12T10:15:00Z")
    assert post(api, sp_id)["publishedAt"] == "2026-05-12T10:15:00.000Z"


def test_platform_posts_are_visible_on_the_fake_platform(api: Api, world: dict) -> None:
    sp_id = _publish(api, world)
    api.advance(seconds=6)
    live = post(api, sp_id)
    items = api.get("/_emulator/platforms/tiktok/posts", params={"projectId": world["project"]["id"]}).json()["items"]
    assert [(p["id"], p["externalId"], p["scheduledPostId"]) for p in items] == [(live["platformPostId"], live["externalId"], sp_id)]


def test_first_comment_follows_publish_when_engagement_is_on(api: Api, world: dict) -> None:
    api.patch(f"/v1/projects/{world['project']['id']}/engagement",
              json={"enabled": True, "firstComment": {"targets": ["tiktok"], "commentTemplate": "Grab a bag at acme.coffee"}})
    r = api.post(f"/v1/content/{world['cid']}/publish",
                 json={"targets": [{"socialAccountId": world["sa"], "mode": "publish", "firstCommentOverride": "Link in bio"}]})
    [sp_id] = r.json()["scheduledPostIds"]
    api.advance(seconds=10)  # live at +6 s; the comment drops 5 s after that
    assert not [e for e in api.events() if e["type"] == "engagement.first_comment"]
    api.advance(seconds=1)
    [comment] = [e for e in api.events() if e["type"] == "engagement.first_comment"]
    assert comment["data"]["scheduledPostId"] == sp_id
    assert comment["data"]["text"] == "Link in bio"
    published = post(api, sp_id)["publishedAt"]
    assert comment["at"] > published


def test_no_first_comment_when_engagement_is_off(api: Api, world: dict) -> None:
    _publish(api, world)
    api.advance(seconds=30)
    assert not [e for e in api.events() if e["type"] == "engagement.first_comment"]


# ---------------------------------------------------------------- archive and revoke

def test_archiving_the_project_cancels_queued_partner_posts(api: Api, world: dict) -> None:
    ids = schedule(api, world["cid"], at(api, 600), {"socialAccountId": world["sa"], "mode": "publish"},
                   {"socialAccountId": world["sa"], "mode": "draft"}).json()["scheduledPostIds"]
    r = api.patch(f"/v1/projects/{world['project']['id']}", json={"status": "archived"})
    assert r.status_code == 200, r.text
    assert [post(api, i)["status"] for i in ids] == ["canceled", "canceled"]
    api.advance(seconds=1200)
    assert [post(api, i)["status"] for i in ids] == ["canceled", "canceled"]


def test_revoking_the_account_cancels_its_queued_posts(api: Api, world: dict) -> None:
    sp_id = schedule(api, world["cid"], at(api, 600), {"socialAccountId": world["sa"], "mode": "publish"}).json()["scheduledPostIds"][0]
    r = api.delete(f"/v1/social-accounts/{world['sa']}")
    assert r.status_code == 200, r.text
    assert r.json()["canceledScheduledPosts"] == 1
    assert post(api, sp_id)["status"] == "canceled"


# ---------------------------------------------------------------- determinism across runs

def _live_post(seed: int) -> dict:
    from tests.api.test_publishing import container, make_project
    from tests.support import emulator_client

    with emulator_client(seed=seed) as c:
        api = Api(c, "lp_test_determinism")
        project = make_project(api)
        sa = connect(api, project, "tiktok")
        cid = container(api, project)
        [sp_id] = schedule(api, cid, at(api, 60), {"socialAccountId": sa, "mode": "publish"}).json()["scheduledPostIds"]
        api.advance(seconds=66)
        return post(api, sp_id)


def test_same_seed_and_requests_give_byte_identical_ids_and_urls() -> None:
    first, second = _live_post(7), _live_post(7)
    assert first == second
    other = _live_post(8)
    assert other["externalUrl"] != first["externalUrl"]
