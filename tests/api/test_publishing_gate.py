"""The approval gate at schedule / publish time (content.md §6.4)."""
from __future__ import annotations

from tests.api.test_publishing import (  # noqa: F401  (world is a fixture)
    _listed, at, connect, container, make_project, post, review_all, schedule, world,
)
from tests.support import Api


def _pending(api: Api) -> tuple[dict, str, str]:
    """A project whose content needs review, a connected account, and a finished container
    still pending approval."""
    project = make_project(api)
    sa = connect(api, project)
    review_all(api, project)
    return project, sa, container(api, project)


# ---------------------------------------------------------------- the container and the gate

def test_container_still_generating_is_a_conflict(api: Api, world: dict) -> None:
    r = api.post(f"/v1/projects/{world['project']['id']}/content/slideshow-builder", json={"hook": "Still cooking"})
    cid = r.json()["containerIds"][0]
    s = schedule(api, cid, at(api, 600), {"socialAccountId": world["sa"], "mode": "publish"})
    assert s.status_code == 409 and s.json()["error"]["code"] == "CONFLICT"
    p = api.post(f"/v1/content/{cid}/publish", json={"targets": [{"socialAccountId": world["sa"], "mode": "publish"}]})
    assert p.status_code == 409


def test_unknown_or_foreign_container_is_not_found(api: Api, world: dict, client: object) -> None:
    other = Api(client, api.key + "_other")  # type: ignore[arg-type]
    target = {"socialAccountId": world["sa"], "mode": "publish"}
    assert schedule(other, world["cid"], "2027-01-01T00:00:00Z", target).status_code == 404
    assert schedule(api, "cnt_00000000-0000-4000-8000-000000000000", at(api, 600), target).status_code == 404


def test_pending_container_stashes_the_schedule_until_approved(api: Api) -> None:
    project, sa, cid = _pending(api)
    r = schedule(api, cid, at(api, 3600), {"socialAccountId": sa, "mode": "publish"})
    assert r.status_code == 202, r.text
    assert r.json()["gateStatus"] == "blocked_on_approval"
    assert r.json()["scheduledPostIds"] == []
    assert _listed(api, project) == []
    approved = api.post(f"/v1/content/{cid}/approve", json={}).json()
    promotion = approved["pendingSchedulePromotion"]
    assert promotion["scheduledFor"] == r.json()["scheduledFor"]
    [sp_id] = promotion["scheduledPostIds"]
    assert post(api, sp_id)["status"] == "queued"
    api.advance(seconds=3600 + 6)
    assert post(api, sp_id)["status"] == "published"


def test_a_stash_whose_time_passed_goes_out_at_once_on_approve(api: Api) -> None:
    project, sa, cid = _pending(api)
    schedule(api, cid, at(api, 60), {"socialAccountId": sa, "mode": "publish"})
    api.advance(seconds=3600)
    [sp_id] = api.post(f"/v1/content/{cid}/approve", json={}).json()["pendingSchedulePromotion"]["scheduledPostIds"]
    assert post(api, sp_id)["status"] == "publishing"
    api.advance(seconds=6)
    assert post(api, sp_id)["status"] == "published"


def test_reject_drops_the_stash_and_refuses_further_scheduling(api: Api) -> None:
    project, sa, cid = _pending(api)
    target = {"socialAccountId": sa, "mode": "publish"}
    schedule(api, cid, at(api, 600), target)
    assert api.post(f"/v1/content/{cid}/reject", json={"reason": "Off brand"}).status_code == 200
    again = schedule(api, cid, at(api, 600), target)
    assert again.status_code == 409 and again.json()["error"]["code"] == "CONTENT_REJECTED"
    now = api.post(f"/v1/content/{cid}/publish", json={"targets": [target]})
    assert now.status_code == 409 and now.json()["error"]["code"] == "CONTENT_REJECTED"
    api.advance(seconds=3600)
    assert _listed(api, project) == []


def test_publish_on_pending_content_requires_approval_and_stashes_nothing(api: Api) -> None:
    project, sa, cid = _pending(api)
    r = api.post(f"/v1/content/{cid}/publish", json={"targets": [{"socialAccountId": sa, "mode": "publish"}]})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "APPROVAL_REQUIRED"
    assert r.json()["error"]["details"] == {"containerId": cid, "approvalStatus": "pending"}
    assert api.post(f"/v1/content/{cid}/approve", json={}).json()["pendingSchedulePromotion"] is None
    assert _listed(api, project) == []


def test_several_blocked_calls_stash_several_intents(api: Api) -> None:
    project, sa, cid = _pending(api)
    first = schedule(api, cid, at(api, 600), {"socialAccountId": sa, "mode": "publish"}).json()
    schedule(api, cid, at(api, 900), {"socialAccountId": sa, "mode": "draft"}, {"socialAccountId": sa, "mode": "publish"})
    promotion = api.post(f"/v1/content/{cid}/approve", json={}).json()["pendingSchedulePromotion"]
    assert len(promotion["scheduledPostIds"]) == 3
    assert promotion["scheduledFor"] == first["scheduledFor"]
    assert sorted(p["id"] for p in _listed(api, project)) == sorted(promotion["scheduledPostIds"])


def test_archiving_the_project_drops_stashed_intents(api: Api) -> None:
    project, sa, cid = _pending(api)
    schedule(api, cid, at(api, 600), {"socialAccountId": sa, "mode": "publish"})
    api.patch(f"/v1/projects/{project['id']}", json={"status": "archived"})
    api.patch(f"/v1/projects/{project['id']}", json={"status": "active"})
    assert api.post(f"/v1/content/{cid}/approve", json={}).json()["pendingSchedulePromotion"] is None
    assert _listed(api, project) == []
