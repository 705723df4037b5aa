"""POST /v1/content/:id/schedule and /publish, the publisher and the fake platforms."""
from __future__ import annotations

from typing import Any

import pytest

from tests.support import Api

APP_DESCRIPTION = (
    "Daily ritual coffee subscriptions for runners and night-shift workers. Single-origin beans "
    "from named farms, roasted weekly, shipped on a cadence that matches how you drink."
)


# ---------------------------------------------------------------- helpers (used by other files too)

def make_project(api: Api, tz: str = "America/Los_Angeles", **fields: Any) -> dict[str, Any]:
    return api.project(timezone=tz, appName="Acme Coffee", appDescription=APP_DESCRIPTION, **fields)


def connect(api: Api, project: dict[str, Any], platform: str = "tiktok", handle: str | None = None) -> str:
    body: dict[str, Any] = {"platform": platform}
    if handle:
        body["handle"] = handle
    r = api.post(f"/_emulator/projects/{project['id']}/social-accounts", json=body)
    assert r.status_code == 200, r.text
    return str(r.json()["socialAccountId"])


def container(api: Api, project: dict[str, Any], *, hook: str = "Five mornings that fixed my long runs") -> str:
    """A completed slideshow container (generation runs on the virtual clock)."""
    r = api.post(f"/v1/projects/{project['id']}/content/slideshow-builder", json={"hook": hook})
    assert r.status_code == 202, r.text
    cid = r.json()["containerIds"][0]
    api.advance(seconds=600)
    got = api.get(f"/v1/content/{cid}").json()
    assert got["status"] == "completed", got
    return str(cid)


def review_all(api: Api, project: dict[str, Any]) -> None:
    r = api.patch(f"/v1/projects/{project['id']}/content-review-policy", json={"policy": "review_all"})
    assert r.status_code == 200, r.text


def at(api: Api, seconds: int) -> str:
    """An ISO instant `seconds` after the tenant's now."""
    from datetime import timedelta

    return (api.now() + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def schedule(api: Api, cid: str, when: str, *targets: dict[str, Any], **kw: Any) -> Any:
    return api.post(f"/v1/content/{cid}/schedule", json={"scheduledFor": when, "targets": list(targets)}, **kw)


def post(api: Api, sp_id: str) -> dict[str, Any]:
    r = api.get(f"/v1/scheduled-posts/{sp_id}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def issue_path(r: Any) -> str:
    return str(r.json()["error"]["details"]["issues"][0]["path"])


def _faults(api: Api, platform: str, **body: Any) -> dict:
    r = api.post(f"/_emulator/platforms/{platform}/faults", json=body)
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.fixture
def world(api: Api) -> dict[str, Any]:
    project = make_project(api)
    sa = connect(api, project, "tiktok", handle="acmecoffee")
    return {"project": project, "sa": sa, "cid": container(api, project)}


# ---------------------------------------------------------------- schedule: the seed 003 flow

def test_schedule_with_an_offset_answers_utc_and_publishes_at_that_instant(api: Api, world: dict) -> None:
    r = schedule(api, world["cid"], "2026-05-15T09:00:00-07:00", {"socialAccountId": world["sa"], "mode": "publish"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["gateStatus"] == "queued"
    assert body["scheduledFor"] == "2026-05-15T16:00:00.000Z"
    [sp_id] = body["scheduledPostIds"]
    assert sp_id.startswith("sp_")
    queued = post(api, sp_id)
    assert queued["status"] == "queued"
    assert queued["mode"] == "publish" and queued["platform"] == "tiktok"
    assert queued["externalId"] is None and queued["lastError"] is None
    api.advance(to="2026-05-15T15:59:59Z")
    assert post(api, sp_id)["status"] == "queued"
    api.advance(to="2026-05-15T16:00:00Z")
    going = post(api, sp_id)
    assert going["status"] == "publishing"
    assert going["attemptedAt"] == "2026-05-15T16:00:00.000Z"
    api.advance(seconds=6)
    live = post(api, sp_id)
    assert live["status"] == "published"
    assert live["publishedAt"] == "2026-05-15T16:00:06.000Z"
    assert live["externalId"].isdigit() and len(live["externalId"]) == 19
    assert live["externalUrl"] == f"https://www.tiktok.com/@acmecoffee/video/{live['externalId']}"
    assert live["platformPostId"].startswith("pp_")


def test_schedule_and_publish_emit_post_events(api: Api, world: dict) -> None:
    sp_id = schedule(api, world["cid"], at(api, 60), {"socialAccountId": world["sa"], "mode": "publish"}).json()["scheduledPostIds"][0]
    api.advance(seconds=120)
    types = [e["type"] for e in api.events(kind="event") if (e.get("data") or {}).get("scheduledPostId") == sp_id]
    assert types == ["post.scheduled", "post.published"]
    published = [e for e in api.events(kind="event") if e["type"] == "post.published"][0]["data"]
    assert published["externalUrl"] == post(api, sp_id)["externalUrl"]
    assert published["containerId"] == world["cid"]


def test_offsetless_time_resolves_in_the_project_timezone(api: Api, world: dict) -> None:
    # America/Los_Angeles is UTC-7 in May: 09:00 local is 16:00Z.
    r = schedule(api, world["cid"], "2026-05-15T09:00:00", {"socialAccountId": world["sa"], "mode": "publish"})
    assert r.status_code == 201, r.text
    assert r.json()["scheduledFor"] == "2026-05-15T16:00:00.000Z"


def test_z_time_is_literal(api: Api, world: dict) -> None:
    r = schedule(api, world["cid"], "2026-05-15T09:00:00Z", {"socialAccountId": world["sa"], "mode": "publish"})
    assert r.json()["scheduledFor"] == "2026-05-15T09:00:00.000Z"


@pytest.mark.parametrize("when", ["2026-05-15", "next tuesday", "2026-13-01T00:00:00Z", "2026-05-15T09:00:00 PST"])
def test_unusable_times_are_validation_errors(api: Api, world: dict, when: str) -> None:
    r = schedule(api, world["cid"], when, {"socialAccountId": world["sa"], "mode": "publish"})
    assert r.status_code == 422, r.text
    assert issue_path(r) == "scheduledFor"


def test_thirty_seconds_ahead_is_the_minimum(api: Api, world: dict) -> None:
    target = {"socialAccountId": world["sa"], "mode": "publish"}
    assert schedule(api, world["cid"], at(api, 29), target).status_code == 422
    assert schedule(api, world["cid"], at(api, -3600), target).status_code == 422
    assert schedule(api, world["cid"], at(api, 30), target).status_code == 201


# ---------------------------------------------------------------- targets

@pytest.mark.parametrize("count", [0, 51])
def test_target_count_bounds(api: Api, world: dict, count: int) -> None:
    targets = [{"socialAccountId": world["sa"], "mode": "publish"}] * count
    r = schedule(api, world["cid"], at(api, 600), *targets)
    assert r.status_code == 422
    assert issue_path(r) == "targets"


def test_fifty_targets_make_fifty_rows_in_target_order(api: Api, world: dict) -> None:
    ig = connect(api, world["project"], "instagram")
    targets = [{"socialAccountId": world["sa"] if i % 2 else ig, "mode": "publish"} for i in range(50)]
    ids = schedule(api, world["cid"], at(api, 600), *targets).json()["scheduledPostIds"]
    assert len(ids) == len(set(ids)) == 50
    assert [post(api, i)["socialAccountId"] for i in ids[:4]] == [ig, world["sa"], ig, world["sa"]]


def _listed(api: Api, project: dict) -> list[dict]:
    return list(api.get(f"/v1/projects/{project['id']}/scheduled-posts").json()["items"])


def test_one_bad_target_writes_nothing(api: Api, world: dict) -> None:
    good = {"socialAccountId": world["sa"], "mode": "publish"}
    r = schedule(api, world["cid"], at(api, 600), good, {"socialAccountId": world["sa"], "mode": "reels"})
    assert r.status_code == 422
    assert issue_path(r) == "targets.1.mode"
    assert _listed(api, world["project"]) == []
    assert not [e for e in api.events(kind="event") if e["type"] == "post.scheduled"]


def test_unknown_account_is_not_found(api: Api, world: dict) -> None:
    r = schedule(api, world["cid"], at(api, 600),
                 {"socialAccountId": "sa_00000000-0000-4000-8000-000000000000", "mode": "publish"})
    assert r.status_code == 404
    assert r.json()["error"]["details"]["path"] == "targets.0.socialAccountId"


def test_account_of_another_project_is_refused(api: Api, world: dict) -> None:
    other = connect(api, make_project(api), "tiktok")
    r = schedule(api, world["cid"], at(api, 600), {"socialAccountId": other, "mode": "publish"})
    assert r.status_code == 422
    assert issue_path(r) == "targets.0.socialAccountId"


def test_v1_mode_aliases_are_accepted_and_answered_in_v2(api: Api, world: dict) -> None:
    ig = connect(api, world["project"], "instagram")
    ids = schedule(api, world["cid"], at(api, 600), {"socialAccountId": world["sa"], "mode": "direct_publish"},
                   {"socialAccountId": ig, "mode": "feed"}, {"socialAccountId": world["sa"], "mode": "draft_to_device"}
                   ).json()["scheduledPostIds"]
    assert [post(api, i)["mode"] for i in ids] == ["publish", "publish", "draft"]


@pytest.mark.parametrize("mode", ["reels", "feed", "story", ""])
def test_modes_invalid_on_tiktok(api: Api, world: dict, mode: str) -> None:
    r = schedule(api, world["cid"], at(api, 600), {"socialAccountId": world["sa"], "mode": mode})
    assert r.status_code == 422


def test_tiktok_draft_lands_in_the_drafts_inbox_and_instagram_draft_waits_for_a_person(api: Api, world: dict) -> None:
    ig = connect(api, world["project"], "instagram")
    ids = schedule(api, world["cid"], at(api, 60), {"socialAccountId": world["sa"], "mode": "draft"},
                   {"socialAccountId": ig, "mode": "draft"}).json()["scheduledPostIds"]
    api.advance(seconds=120)
    for sp_id in ids:
        got = post(api, sp_id)
        assert got["status"] == "draft"
        assert got["externalId"] is None and got["lastError"] is None
        assert got["attemptedAt"] is not None
    assert api.delete(f"/v1/scheduled-posts/{ids[0]}").status_code == 409


def test_tiktok_music_rules(api: Api, world: dict) -> None:
    track = api.get("/v1/tiktok-music").json()["tracks"][0]["id"]
    ig = connect(api, world["project"], "instagram")
    sa = world["sa"]
    bad = schedule(api, world["cid"], at(api, 600), {"socialAccountId": sa, "mode": "publish", "tiktokMusic": {"trackId": "nope"}})
    assert bad.status_code == 422 and issue_path(bad) == "targets.0.tiktokMusic.trackId"
    draft = schedule(api, world["cid"], at(api, 600), {"socialAccountId": sa, "mode": "draft", "tiktokMusic": {"trackId": track}})
    assert draft.status_code == 422 and issue_path(draft) == "targets.0.tiktokMusic"
    insta = schedule(api, world["cid"], at(api, 600), {"socialAccountId": ig, "mode": "publish", "tiktokMusic": {"trackId": track}})
    assert insta.status_code == 422
    ok = schedule(api, world["cid"], at(api, 600), {"socialAccountId": sa, "mode": "managed", "tiktokMusic": {"trackId": track}})
    assert ok.status_code == 201, ok.text


def test_share_reel_to_feed_needs_instagram_video_publish(api: Api, world: dict) -> None:
    ig = connect(api, world["project"], "instagram")
    for target in ({"socialAccountId": world["sa"], "mode": "publish", "shareReelToFeed": True},
                   {"socialAccountId": ig, "mode": "publish", "shareReelToFeed": True}):  # a slideshow, not a video
        r = schedule(api, world["cid"], at(api, 600), target)
        assert r.status_code == 422
        assert issue_path(r) == "targets.0.shareReelToFeed"


def test_caption_override_bound(api: Api, world: dict) -> None:
    r = schedule(api, world["cid"], at(api, 600), {"socialAccountId": world["sa"], "mode": "publish", "captionOverride": "x" * 4001})
    assert r.status_code == 422
    assert issue_path(r) == "targets.0.captionOverride"


def test_partner_chosen_ids_are_kept_and_must_be_unique(api: Api, world: dict) -> None:
    target = {"socialAccountId": world["sa"], "mode": "publish", "scheduledPostId": "sp_my-own-id-1"}
    r = schedule(api, world["cid"], at(api, 600), target)
    assert r.json()["scheduledPostIds"] == ["sp_my-own-id-1"]
    assert post(api, "sp_my-own-id-1")["containerId"] == world["cid"]
    again = schedule(api, world["cid"], at(api, 600), target)
    assert again.status_code == 409 and again.json()["error"]["code"] == "CONFLICT"
    bad = schedule(api, world["cid"], at(api, 600), {**target, "scheduledPostId": "mine"})
    assert bad.status_code == 422


def test_idempotent_replay_returns_the_same_posts(api: Api, world: dict) -> None:
    when, target = at(api, 600), {"socialAccountId": world["sa"], "mode": "publish"}
    headers = {"Idempotency-Key": "7a1d4c0e-2f57-4b7e-9a59-0f3f1f6a1b11"}
    first = schedule(api, world["cid"], when, target, headers=headers)
    second = schedule(api, world["cid"], when, target, headers=headers)
    assert first.json() == second.json()
    assert len(_listed(api, world["project"])) == 1
    assert schedule(api, world["cid"], at(api, 900), target, headers=headers).status_code == 409
