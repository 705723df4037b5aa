"""Scheduled posts: list, get, reschedule, cancel."""
from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_publishing import _faults, at, connect, container, make_project, post, schedule
from tests.support import Api


@pytest.fixture
def world(api: Api) -> dict[str, Any]:
    project = make_project(api)
    sa = connect(api, project, "tiktok")
    return {"project": project, "sa": sa, "cid": container(api, project)}


def one(api: Api, world: dict, seconds: int = 600, mode: str = "publish", sa: str | None = None) -> str:
    r = schedule(api, world["cid"], at(api, seconds), {"socialAccountId": sa or world["sa"], "mode": mode})
    assert r.status_code == 201, r.text
    return str(r.json()["scheduledPostIds"][0])


def listing(api: Api, world: dict, **params: Any) -> Any:
    return api.get(f"/v1/projects/{world['project']['id']}/scheduled-posts", params=params)


# ---------------------------------------------------------------- get

def test_get_has_every_documented_field(api: Api, world: dict) -> None:
    got = post(api, one(api, world))
    for key in ("id", "containerId", "socialAccountId", "platform", "mode", "status", "externalId", "externalUrl",
                "scheduledFor", "attemptedAt", "publishedAt", "canceledAt", "lastError", "createdAt", "updatedAt"):
        assert key in got
    assert got["scheduledFor"].endswith("Z")
    assert not [k for k in got if k.startswith("_")]


def test_unknown_and_foreign_posts_are_not_found(api: Api, world: dict, client: object) -> None:
    sp_id = one(api, world)
    other = Api(client, api.key + "_o")  # type: ignore[arg-type]
    assert other.get(f"/v1/scheduled-posts/{sp_id}").status_code == 404
    assert other.post(f"/v1/scheduled-posts/{sp_id}/reschedule", json={"scheduledFor": "2027-01-01T00:00:00Z"}).status_code == 404
    assert other.delete(f"/v1/scheduled-posts/{sp_id}").status_code == 404
    assert api.get("/v1/scheduled-posts/sp_00000000-0000-4000-8000-000000000000").status_code == 404
    assert other.get(f"/v1/projects/{world['project']['id']}/scheduled-posts").status_code == 404


# ---------------------------------------------------------------- list

def test_list_is_newest_scheduled_first_and_paginates(api: Api, world: dict) -> None:
    ids = [one(api, world, seconds=600 * (i + 1)) for i in range(5)]
    page = listing(api, world, limit=2).json()
    assert [p["id"] for p in page["items"]] == ids[::-1][:2]
    seen = [p["id"] for p in page["items"]]
    while page["nextCursor"]:
        page = listing(api, world, limit=2, cursor=page["nextCursor"]).json()
        seen += [p["id"] for p in page["items"]]
    assert seen == ids[::-1]


def test_default_page_size_is_fifty(api: Api, world: dict) -> None:
    targets = [{"socialAccountId": world["sa"], "mode": "publish"}] * 50
    schedule(api, world["cid"], at(api, 600), *targets)
    schedule(api, world["cid"], at(api, 900), targets[0])
    body = listing(api, world).json()
    assert len(body["items"]) == 50 and body["nextCursor"]


def test_status_filters_repeat_and_accept_the_v1_draft_name(api: Api, world: dict) -> None:
    published = one(api, world, seconds=60)
    draft = one(api, world, seconds=60, mode="draft")
    queued = one(api, world, seconds=6000)
    canceled = one(api, world, seconds=6000)
    api.delete(f"/v1/scheduled-posts/{canceled}")
    api.advance(seconds=120)

    def ids(*statuses: str) -> set[str]:
        r = api.get(f"/v1/projects/{world['project']['id']}/scheduled-posts", params=[("status", s) for s in statuses])
        assert r.status_code == 200, r.text
        return {p["id"] for p in r.json()["items"]}

    assert ids("queued") == {queued}
    assert ids("published") == {published}
    assert ids("draft") == ids("draft_in_inbox") == {draft}
    assert ids("canceled") == {canceled}
    assert ids("queued", "canceled") == {queued, canceled}
    assert ids("failed", "publishing") == set()
    assert ids() == {published, draft, queued, canceled}


def test_failed_filter_includes_platform_rejections(api: Api, world: dict) -> None:
    _faults(api, "tiktok", failNext=1, status=400)
    sp_id = one(api, world, seconds=60)
    api.advance(seconds=120)
    assert [p["id"] for p in listing(api, world, status="failed").json()["items"]] == [sp_id]


def test_window_bounds_are_inclusive(api: Api, world: dict) -> None:
    a = one(api, world, seconds=600)
    b = one(api, world, seconds=1200)
    fa, fb = post(api, a)["scheduledFor"], post(api, b)["scheduledFor"]
    assert [p["id"] for p in listing(api, world, since=fa, until=fa).json()["items"]] == [a]
    assert [p["id"] for p in listing(api, world, since=fb).json()["items"]] == [b]
    assert [p["id"] for p in listing(api, world, until=fa).json()["items"]] == [a]


def test_filter_by_account(api: Api, world: dict) -> None:
    ig = connect(api, world["project"], "instagram")
    one(api, world)
    mine = one(api, world, sa=ig)
    assert [p["id"] for p in listing(api, world, socialAccountId=ig).json()["items"]] == [mine]


@pytest.mark.parametrize(
    ("params", "path"),
    [({"status": "done"}, "status"), ({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"),
     ({"since": "yesterday"}, "since"), ({"cursor": "%%%"}, "cursor")],
)
def test_bad_list_queries(api: Api, world: dict, params: dict, path: str) -> None:
    r = listing(api, world, **params)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["issues"][0]["path"] == path


# ---------------------------------------------------------------- reschedule

def test_reschedule_moves_the_publish_time(api: Api, world: dict) -> None:
    sp_id = one(api, world, seconds=600)
    new_time = at(api, 3600)
    r = api.post(f"/v1/scheduled-posts/{sp_id}/reschedule", json={"scheduledFor": new_time})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"id", "status", "scheduledFor", "updatedAt"}
    assert body["status"] == "queued" and body["scheduledFor"] == new_time
    api.advance(seconds=1800)
    assert post(api, sp_id)["status"] == "queued"
    api.advance(seconds=1806)
    assert post(api, sp_id)["status"] == "published"


def test_reschedule_earlier(api: Api, world: dict) -> None:
    sp_id = one(api, world, seconds=7200)
    api.post(f"/v1/scheduled-posts/{sp_id}/reschedule", json={"scheduledFor": at(api, 60)})
    api.advance(seconds=66)
    assert post(api, sp_id)["status"] == "published"


def test_reschedule_accepts_offsets_and_answers_utc(api: Api, world: dict) -> None:
    sp_id = one(api, world)
    r = api.post(f"/v1/scheduled-posts/{sp_id}/reschedule", json={"scheduledFor": "2026-06-01T09:00:00+02:00"})
    assert r.json()["scheduledFor"] == "2026-06-01T07:00:00.000Z"


@pytest.mark.parametrize("offset", [29, 0, -60])
def test_reschedule_needs_thirty_seconds_of_lead(api: Api, world: dict, offset: int) -> None:
    sp_id = one(api, world)
    before = post(api, sp_id)["scheduledFor"]
    r = api.post(f"/v1/scheduled-posts/{sp_id}/reschedule", json={"scheduledFor": at(api, offset)})
    assert r.status_code == 422
    assert r.json()["error"]["details"]["issues"][0]["path"] == "scheduledFor"
    assert post(api, sp_id)["scheduledFor"] == before


def test_reschedule_refuses_a_missing_or_non_string_time(api: Api, world: dict) -> None:
    sp_id = one(api, world)
    for body in ({}, {"scheduledFor": 1767225600}, {"scheduledFor": "2026-06-01"}):
        r = api.post(f"/v1/scheduled-posts/{sp_id}/reschedule", json=body)
        assert r.status_code == 422
        assert r.json()["error"]["details"]["issues"][0]["path"] == "scheduledFor"


def test_reschedule_after_it_went_out_is_a_conflict(api: Api, world: dict) -> None:
    sp_id = one(api, world, seconds=60)
    api.advance(seconds=60)
    r = api.post(f"/v1/scheduled-posts/{sp_id}/reschedule", json={"scheduledFor": at(api, 600)})
    assert r.status_code == 409
    assert r.json()["error"]["details"]["status"] == "publishing"
    api.advance(seconds=6)
    assert api.post(f"/v1/scheduled-posts/{sp_id}/reschedule", json={"scheduledFor": at(api, 600)}).status_code == 409


# ---------------------------------------------------------------- cancel

def test_cancel_keeps_the_row_and_it_never_publishes(api: Api, world: dict) -> None:
    sp_id = one(api, world, seconds=60)
    r = api.request("DELETE", f"/v1/scheduled-posts/{sp_id}", json={"reason": "customer changed their mind"})
    assert r.status_code == 200, r.text
    assert r.json() == {"id": sp_id, "status": "canceled", "canceledAt": api.get("/_emulator/clock").json()["now"]}
    api.advance(seconds=600)
    got = post(api, sp_id)
    assert got["status"] == "canceled" and got["publishedAt"] is None and got["attemptedAt"] is None
    [event] = [e for e in api.events(kind="event") if e["type"] == "post.canceled"]
    assert event["data"]["reason"] == "customer changed their mind"
    assert event["data"]["scheduledPostId"] == sp_id


def test_cancel_without_a_body(api: Api, world: dict) -> None:
    assert api.delete(f"/v1/scheduled-posts/{one(api, world)}").status_code == 200


@pytest.mark.parametrize("status_after", ["canceled", "published", "failed"])
def test_cancel_on_a_terminal_post_is_a_conflict(api: Api, world: dict, status_after: str) -> None:
    sp_id = one(api, world, seconds=60)
    if status_after == "canceled":
        api.delete(f"/v1/scheduled-posts/{sp_id}")
    elif status_after == "failed":
        api.post(f"/_emulator/social-accounts/{world['sa']}", json={"tokenError": "expired"})
    api.advance(seconds=120)
    assert post(api, sp_id)["status"] == status_after
    r = api.delete(f"/v1/scheduled-posts/{sp_id}")
    assert r.status_code == 409
    assert r.json()["error"]["details"]["status"] == status_after


def test_cancel_reason_bound(api: Api, world: dict) -> None:
    sp_id = one(api, world)
    r = api.request("DELETE", f"/v1/scheduled-posts/{sp_id}", json={"reason": "x" * 1025})
    assert r.status_code == 422
    assert post(api, sp_id)["status"] == "queued"
