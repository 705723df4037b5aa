"""Approval: the two policy surfaces, per-container approvalStatus, approve / reject, auto-approval."""
from __future__ import annotations

from tests.api.content_support import brand_project, build, completed
from tests.support import Api


def review(api: Api, project: dict, **body: object) -> dict:
    r = api.patch(f"/v1/projects/{project['id']}/content-review-policy", json=body)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_default_is_auto_approve_without_updated_at(api: Api) -> None:
    project = brand_project(api)
    body = api.get(f"/v1/projects/{project['id']}/content-review-policy").json()
    assert body == {"projectId": project["id"], "policy": "auto_approve", "pendingCount": 0}
    old = api.get(f"/v1/projects/{project['id']}/approval-policy").json()
    assert old["requiresApproval"] is False and old["firstNPostsBlocked"] == 0 and old["autoApproveAfter"] is None
    assert completed(api, project)["approvalStatus"] == "not_required"


def test_review_all_makes_new_containers_pending(api: Api) -> None:
    project = brand_project(api)
    body = review(api, project, policy="review_all")
    assert body["policy"] == "review_all" and "firstN" not in body and body["updatedAt"]
    c = completed(api, project)
    assert c["approvalStatus"] == "pending"
    assert api.get(f"/v1/projects/{project['id']}/content-review-policy").json()["pendingCount"] == 1


def test_policy_change_does_not_touch_existing_containers(api: Api) -> None:
    project = brand_project(api)
    before = completed(api, project)
    review(api, project, policy="review_all")
    assert api.get(f"/v1/content/{before['id']}").json()["approvalStatus"] == "not_required"


def test_first_n_validation(api: Api) -> None:
    project = brand_project(api)
    url = f"/v1/projects/{project['id']}/content-review-policy"
    for body in ({"policy": "review_first_n"}, {"policy": "review_first_n", "firstN": 0},
                 {"policy": "review_first_n", "firstN": 51}, {"policy": "review_all", "firstN": 3}):
        r = api.patch(url, json=body)
        assert r.status_code == 422, body
        assert r.json()["error"]["details"]["issues"][0]["path"] == "firstN"
    assert api.patch(url, json={"policy": "sometimes"}).status_code == 422


def test_review_first_n_lifts_after_n_decisions(api: Api) -> None:
    project = brand_project(api)
    body = review(api, project, policy="review_first_n", firstN=2)
    assert body["firstN"] == 2
    a = completed(api, project)
    b = completed(api, project)
    assert a["approvalStatus"] == b["approvalStatus"] == "pending"
    assert api.post(f"/v1/content/{a['id']}/approve", json={}).status_code == 200
    assert completed(api, project)["approvalStatus"] == "pending"  # one decided so far
    assert api.post(f"/v1/content/{b['id']}/reject", json={"reason": "off brand"}).status_code == 200
    assert completed(api, project)["approvalStatus"] == "not_required"  # approved + rejected = 2


def test_approve_then_conflict(api: Api) -> None:
    project = brand_project(api)
    review(api, project, policy="review_all")
    c = completed(api, project)
    r = api.post(f"/v1/content/{c['id']}/approve", json={"note": "looks good"})
    assert r.status_code == 200
    body = r.json()
    assert body["approvalStatus"] == "approved" and body["approvedBy"].startswith("api_key_")
    assert body["approvedAt"] == api.get(f"/v1/content/{c['id']}").json()["approvedAt"]
    assert body["pendingSchedulePromotion"] is None
    again = api.post(f"/v1/content/{c['id']}/approve", json={})
    assert again.status_code == 409 and again.json()["error"]["details"]["approvalStatus"] == "approved"
    rej = api.post(f"/v1/content/{c['id']}/reject", json={"reason": "changed my mind"})
    assert rej.status_code == 409 and rej.json()["error"]["details"]["approvalStatus"] == "approved"


def test_reject_is_final_and_needs_a_reason(api: Api) -> None:
    project = brand_project(api)
    review(api, project, policy="review_all")
    c = completed(api, project)
    r = api.post(f"/v1/content/{c['id']}/reject", json={})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "reason"
    r = api.post(f"/v1/content/{c['id']}/reject", json={"reason": "wrong logo"})
    assert r.status_code == 200 and r.json()["reason"] == "wrong logo" and r.json()["approvalStatus"] == "rejected"
    assert api.post(f"/v1/content/{c['id']}/approve", json={}).status_code == 409
    assert api.get(f"/v1/content/{c['id']}").json()["approvalStatus"] == "rejected"


def test_not_required_content_cannot_be_approved(api: Api) -> None:
    project = brand_project(api)
    c = completed(api, project)
    r = api.post(f"/v1/content/{c['id']}/approve", json={})
    assert r.status_code == 409 and r.json()["error"]["details"]["approvalStatus"] == "not_required"


def test_approve_before_completion_is_409_with_status(api: Api) -> None:
    project = brand_project(api)
    review(api, project, policy="review_all")
    cid = build(api, project)["containerIds"][0]
    r = api.post(f"/v1/content/{cid}/approve", json={})
    assert r.status_code == 409 and r.json()["error"]["details"]["status"] == "queued"


def test_events_for_approve_and_reject(api: Api) -> None:
    project = brand_project(api)
    review(api, project, policy="review_all")
    a, b = completed(api, project), completed(api, project)
    api.post(f"/v1/content/{a['id']}/approve", json={})
    api.post(f"/v1/content/{b['id']}/reject", json={"reason": "no"})
    events = {e["type"]: e["data"] for e in api.events(kind="event") if e["type"].startswith("content.")
              and e["type"] != "content.generated"}
    assert events["content.approved"]["id"] == a["id"] and events["content.approved"]["approvedBy"].startswith("api_key_")
    assert events["content.rejected"] == {**events["content.rejected"], "id": b["id"], "reason": "no"}


def test_old_surface_maps_onto_the_same_policy(api: Api) -> None:
    project = brand_project(api)
    url = f"/v1/projects/{project['id']}/approval-policy"
    r = api.patch(url, json={"requiresApproval": True, "firstNPostsBlocked": 3})
    assert r.status_code == 200 and r.json()["firstNPostsBlocked"] == 3
    new = api.get(f"/v1/projects/{project['id']}/content-review-policy").json()
    assert new["policy"] == "review_first_n" and new["firstN"] == 3
    r = api.patch(url, json={"firstNPostsBlocked": None})
    assert r.json()["requiresApproval"] is True and r.json()["firstNPostsBlocked"] is None
    assert api.get(f"/v1/projects/{project['id']}/content-review-policy").json()["policy"] == "review_all"
    review(api, project, policy="auto_approve")
    assert api.get(url).json()["requiresApproval"] is False


def test_old_surface_bounds(api: Api) -> None:
    project = brand_project(api)
    url = f"/v1/projects/{project['id']}/approval-policy"
    r = api.patch(url, json={"firstNPostsBlocked": 51})
    assert r.status_code == 400 and r.json()["error"]["code"] == "VALIDATION"
    assert api.patch(url, json={"autoApproveAfter": "tomorrow"}).status_code == 422
    assert api.patch(url, json={}).status_code == 422


def test_auto_approve_after_duration_on_the_clock(api: Api) -> None:
    project = brand_project(api)
    r = api.patch(f"/v1/projects/{project['id']}/approval-policy",
                  json={"requiresApproval": True, "autoApproveAfter": "PT24H"})
    assert r.status_code == 200 and r.json()["autoApproveAfter"] == "PT24H"
    c = completed(api, project)
    assert c["approvalStatus"] == "pending"
    api.advance(duration="PT23H")
    assert api.get(f"/v1/content/{c['id']}").json()["approvalStatus"] == "pending"
    api.advance(duration="PT1H")
    after = api.get(f"/v1/content/{c['id']}").json()
    assert after["approvalStatus"] == "approved" and after["approvedBy"] == "system"
    events = [e for e in api.events(kind="event") if e["type"] == "content.approved"]
    assert events[-1]["data"]["approvedBy"] == "system"


def test_failed_pending_containers_do_not_count_as_pending(api: Api) -> None:
    project = brand_project(api)
    review(api, project, policy="review_all")
    job = build(api, project)
    api.post(f"/v1/jobs/{job['jobId']}/cancel")
    api.advance(seconds=10)
    assert api.get(f"/v1/projects/{project['id']}/content-review-policy").json()["pendingCount"] == 0


def test_blocked_schedule_is_promoted_by_approve(api: Api) -> None:
    project = brand_project(api)
    account = api.post(f"/_emulator/projects/{project['id']}/social-accounts", json={"platform": "tiktok"}).json()
    review(api, project, policy="review_all")
    c = completed(api, project)
    r = api.post(f"/v1/content/{c['id']}/schedule", json={
        "scheduledFor": "2026-05-12T09:00:00Z", "targets": [{"socialAccountId": account["socialAccountId"], "mode": "publish"}]})
    assert r.status_code == 202, r.text
    assert r.json()["gateStatus"] == "blocked_on_approval" and r.json()["scheduledPostIds"] == []
    pub = api.post(f"/v1/content/{c['id']}/publish", json={"targets": [{"socialAccountId": account["socialAccountId"], "mode": "publish"}]})
    assert pub.status_code == 403 and pub.json()["error"]["code"] == "APPROVAL_REQUIRED"
    body = api.post(f"/v1/content/{c['id']}/approve", json={}).json()
    promo = body["pendingSchedulePromotion"]
    assert promo and len(promo["scheduledPostIds"]) == 1 and promo["scheduledFor"] == "2026-05-12T09:00:00.000Z"


def test_rejected_content_cannot_be_scheduled(api: Api) -> None:
    project = brand_project(api)
    account = api.post(f"/_emulator/projects/{project['id']}/social-accounts", json={"platform": "tiktok"}).json()
    review(api, project, policy="review_all")
    c = completed(api, project)
    api.post(f"/v1/content/{c['id']}/reject", json={"reason": "no"})
    r = api.post(f"/v1/content/{c['id']}/schedule", json={
        "scheduledFor": "2026-05-12T09:00:00Z", "targets": [{"socialAccountId": account["socialAccountId"], "mode": "publish"}]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "CONTENT_REJECTED"
