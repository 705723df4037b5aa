"""Leased TikTok accounts: request → assigned after 24 virtual hours, list, release."""
from __future__ import annotations

from tests.support import Api


def request(api: Api, project_id: str, **over) -> dict:
    body = {"projectId": project_id, "count": 2, "niche": {"vertical": "fitness", "geo": ["US"]}, **over}
    r = api.post(f"/v1/projects/{project_id}/leased-accounts/request", json=body)
    assert r.status_code == 202, r.text
    return r.json()


def test_request_assigned_after_a_day(api: Api) -> None:
    p = api.project()
    req = request(api, p["id"])
    assert req["status"] == "requested" and req["requestId"].startswith("lreq_") and req["assignedAt"] is None
    api.advance(seconds=24 * 3600 - 1)
    got = api.get(f"/v1/projects/{p['id']}/leased-accounts/requests/{req['requestId']}").json()
    assert got["status"] == "requested"
    api.advance(seconds=1)
    got = api.get(f"/v1/projects/{p['id']}/leased-accounts/requests/{req['requestId']}").json()
    assert got["status"] == "assigned" and len(got["assignedSocialAccountIds"]) == 2
    leased = api.get(f"/v1/projects/{p['id']}/leased-accounts").json()["items"]
    assert sorted(a["socialAccountId"] for a in leased) == sorted(got["assignedSocialAccountIds"])
    assert all(a["monthlyPriceCents"] == 15000 and a["platform"] == "tiktok" and a["status"] == "assigned" for a in leased)
    assert leased[0]["nextRenewalAt"].startswith("2026-06-12")
    social = api.get(f"/v1/projects/{p['id']}/social-accounts", params={"leased": "true"}).json()["items"]
    assert len(social) == 2 and all(a["leased"] for a in social)
    events = api.events(type="lease_request.assigned")
    assert events[0]["data"]["assignedSocialAccountIds"] == got["assignedSocialAccountIds"]


def test_release_and_revoke_rules(api: Api) -> None:
    p = api.project()
    req = request(api, p["id"], count=1)
    api.post(f"/_emulator/lease-requests/{req['requestId']}", json={"outcome": "assigned"})
    sid = api.get(f"/v1/projects/{p['id']}/leased-accounts").json()["items"][0]["socialAccountId"]
    r = api.delete(f"/v1/social-accounts/{sid}")
    assert r.status_code == 409 and r.json()["error"]["code"] == "CONFLICT"
    r = api.delete(f"/v1/leased-accounts/{sid}", json={"reason": "campaign over"})
    assert r.status_code == 200 and r.json()["disconnectedReason"] == "released_by_partner"
    assert api.get(f"/v1/projects/{p['id']}/leased-accounts").json()["items"] == []
    gone = api.get(f"/v1/projects/{p['id']}/leased-accounts", params={"status": "disconnected"}).json()["items"]
    assert [a["socialAccountId"] for a in gone] == [sid]
    assert api.delete(f"/v1/leased-accounts/{sid}").status_code == 404


def test_partial_and_rejected(api: Api) -> None:
    p = api.project()
    a = request(api, p["id"], count=4)
    r = api.post(f"/_emulator/lease-requests/{a['requestId']}", json={"outcome": "partial", "count": 1})
    assert r.json()["status"] == "partial" and len(r.json()["assignedSocialAccountIds"]) == 1
    b = request(api, p["id"])
    r = api.post(f"/_emulator/lease-requests/{b['requestId']}", json={"outcome": "rejected"})
    assert r.json()["status"] == "rejected"
    assert api.events(type="lease_request.rejected")[0]["data"]["requestId"] == b["requestId"]
    assert api.post(f"/_emulator/lease-requests/{b['requestId']}", json={"outcome": "assigned"}).status_code == 409


def test_validation(api: Api) -> None:
    p = api.project()
    url = f"/v1/projects/{p['id']}/leased-accounts/request"
    base = {"projectId": p["id"], "count": 1, "niche": {"vertical": "fitness"}}
    for body, path in [({**base, "count": 0}, "count"), ({**base, "count": 51}, "count"),
                       ({**base, "niche": {}}, "niche.vertical"), ({**base, "projectId": "prj_other"}, "projectId"),
                       ({**base, "note": "x" * 2001}, "note"), ({**base, "niche": {"vertical": "a", "geo": ["USA"]}}, "niche.geo.0")]:
        r = api.post(url, json=body)
        assert r.status_code == 422, body
        assert r.json()["error"]["details"]["issues"][0]["path"] == path
    assert api.get(f"/v1/projects/{p['id']}/leased-accounts/requests/lreq_nope").status_code == 404
