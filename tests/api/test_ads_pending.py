"""The authority gate: draft axes queue optimizer actions as pending (approve / reject / expire,
dispatch at the next ad-optimize tick); campaign authority GET / PATCH."""
from __future__ import annotations

import pytest

from tests.api.test_metrics_support import container, publish, social_account
from tests.support import Api


def gated(api: Api, **authority: str) -> tuple[str, dict]:
    """4 creatives on a TikTok layer whose target CPA every ad misses (all CRITICAL after 3 days; TikTok
    ads have no Meta-style learning phase)."""
    project = api.project()["id"]
    account = social_account(api, project, "tiktok", "warm")
    for i in range(4):
        publish(api, project, account, container_id=container(api, project, hook=f"Creative {i}"))
    api.advance(seconds=6 * 3600)
    r = api.post("/_emulator/ad-layers", json={"projectId": project, "templateId": "tiktok-ad-manager",
                                               "config": {"targetCpa": 0.5, "dailyBudgetCents": 3000,
                                                          "authority": authority}})
    assert r.status_code == 201, r.text
    return project, r.json()


def pending(api: Api, project: str, **params) -> list[dict]:
    r = api.get(f"/v1/projects/{project}/ads/tiktok/pending", params=params)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def active_ads(api: Api, project: str) -> int:
    rows = api.get(f"/v1/projects/{project}/ads-content").json()["items"]
    return sum(len(r["activePromotions"]) for r in rows)


@pytest.fixture
def queued(api: Api) -> tuple[Api, str, dict]:
    project, layer = gated(api, structural="draft")
    api.advance(seconds=int(3.5 * 86400))
    return api, project, layer


def test_draft_structural_axis_queues_pauses(queued):
    api, project, _ = queued
    items = pending(api, project)
    assert len(items) == 3  # the last ad of the adset is never paused
    item = items[0]
    assert item["pendingId"].startswith("pa_") and item["status"] == "pending"
    assert item["actionType"] == "pause_ad" and item["platform"] == "tiktok" and item["entityType"] == "ad"
    assert item["currentValue"] == {"status": "active"} and item["newValue"] == {"status": "paused"}
    assert item["rationale"] and item["proposedAction"]["detail"]["action"] == "pause_ad"
    assert item["expiresAt"] > item["createdAt"]
    assert api.get(f"/v1/projects/{project}/ads/tiktok/pending/count").json() == {"count": 3}
    assert active_ads(api, project) == 4  # nothing paused yet
    events = [e["data"] for e in api.events(type="ads.decision") if e["data"]["status"] == "pending"]
    assert {e["pendingId"] for e in events} == {i["pendingId"] for i in items}


def test_approved_actions_dispatch_at_the_next_optimizer_tick(queued):
    api, project, _ = queued
    first = pending(api, project)[0]
    url = f"/v1/projects/{project}/ads/tiktok/pending/{first['pendingId']}"
    r = api.post(f"{url}/approve", json={"comment": "ok"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved" and r.json()["dispatched"] is False and r.json()["verdictId"]
    assert api.post(f"{url}/approve", json={}).status_code == 409
    assert api.post(f"{url}/reject", json={"reason": "late"}).status_code == 409
    api.advance(seconds=6 * 3600)
    [done] = pending(api, project, status="dispatched")
    assert done["pendingId"] == first["pendingId"] and done["dispatchedAt"]
    assert active_ads(api, project) == 3
    [event] = api.events(type="approval.dispatched")
    assert event["data"]["pendingId"] == first["pendingId"] and event["data"]["platform"] == "tiktok"


def test_reject_needs_a_reason_and_never_dispatches(queued):
    api, project, _ = queued
    target = pending(api, project)[0]["pendingId"]
    url = f"/v1/projects/{project}/ads/tiktok/pending/{target}/reject"
    r = api.post(url, json={})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "reason"
    assert api.post(url, json={"reason": "Customer wants it running"}).json()["status"] == "rejected"
    api.advance(seconds=6 * 3600)
    [row] = pending(api, project, status="rejected")
    assert row["reason"] == "Customer wants it running"
    assert pending(api, project, status="dispatched") == []


def test_unapproved_actions_expire_after_seven_days(queued):
    api, project, _ = queued
    api.advance(seconds=7 * 86400)
    expired = pending(api, project, status="rejected")
    assert len(expired) >= 3 and all(r["reason"] == "expired" for r in expired)


def test_unknown_pending_is_not_found(queued):
    api, project, _ = queued
    r = api.post(f"/v1/projects/{project}/ads/tiktok/pending/pa_nope/approve", json={})
    assert r.status_code == 404
    assert api.post(f"/v1/projects/{project}/ads/meta/pending/{pending(api, project)[0]['pendingId']}/approve",
                    json={}).status_code == 404


def test_off_axis_denies_and_auto_dispatches(api: Api):
    project, layer = gated(api, creative="off")
    api.advance(seconds=3600)
    assert active_ads(api, project) == 0  # pushes are creative-axis actions: denied
    assert pending(api, project, status=["pending", "approved"]) == []


def test_campaign_authority_get_and_patch(api: Api):
    project, layer = gated(api)
    api.advance(seconds=1800)
    ads = api.get(f"/v1/projects/{project}/ads-metrics", params={"groupBy": "campaign"}).json()["series"]
    campaign = ads[0]["campaignId"]
    url = f"/v1/projects/{project}/ads/tiktok/campaigns/{campaign}/authority"
    got = api.get(url).json()
    assert got["authority"] == {"creative": "auto", "tactical": "auto", "structural": "auto"}
    assert got["source"] == "layer_defaults"
    r = api.patch(url, json={"authority": {"structural": "draft"}})
    assert r.status_code == 200, r.text
    assert r.json()["authority"]["structural"] == "draft" and r.json()["verdictId"]
    after = api.get(url).json()
    assert after["source"] == "per_campaign" and after["lastModifiedBy"]["actorType"] == "partner"
    bad = api.patch(url, json={"authority": {"structural": "sometimes"}})
    assert bad.status_code == 422 and bad.json()["error"]["details"]["issues"][0]["path"] == "authority.structural"
    assert api.get(f"/v1/projects/{project}/ads/tiktok/campaigns/cmp_nope/authority").status_code == 404
    api.advance(seconds=int(3.5 * 86400))
    assert len(pending(api, project)) == 3  # the per-campaign block now queues pauses


@pytest.mark.parametrize("params, path", [({"status": "open"}, "status"), ({"actionType": "nuke"}, "actionType"),
                                          ({"limit": "500"}, "limit")])
def test_list_validation(api: Api, params, path):
    project = api.project()["id"]
    r = api.get(f"/v1/projects/{project}/ads/tiktok/pending", params=params)
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == path
