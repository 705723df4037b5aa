"""Webhooks and sub-organizations: a parent's `all_children` endpoint (the firehose) receives
its children's events tagged with `data.organizationId`; `own` endpoints and other tenants do
not; the parent's deliveries run on the parent's clock."""
from __future__ import annotations

from typing import Any

from tests.api.webhook_receiver import Receiver, deliveries, emit, hook, inbox, register  # noqa: F401
from tests.core.org_support import child_key, make_child
from tests.support import Api, new_key


def test_firehose_gets_child_events_tagged_with_the_child(api: Api, hook: Receiver) -> None:
    child = make_child(api)
    kid = child_key(api, child["id"])
    fire = register(api, hook, events=["post.published"], scope="all_children")
    own = register(api, hook, events=["post.published"])
    fired = emit(kid)
    api.advance(seconds=0)
    got = [r.json for r in hook.received]
    assert [g["id"] for g in got] == [fired["eventId"]]
    assert got[0]["data"]["organizationId"] == child["id"]
    assert all(r.verified for r in hook.received)
    assert [e["endpointId"] for e in inbox(api)] == [fire["id"]]
    assert deliveries(api, own["id"]) == []
    assert inbox(kid) == []  # the parent's attempts are the parent's
    mine = emit(api)  # the parent's own events reach both of its endpoints
    api.advance(seconds=0)
    assert {e["endpointId"] for e in inbox(api, eventId=mine["eventId"])} == {fire["id"], own["id"]}


def test_firehose_is_for_direct_children_only(client: Any, api: Api, hook: Receiver) -> None:
    register(api, hook, events=["post.published"], scope="all_children")
    stranger = Api(client, new_key())
    emit(stranger)
    stranger.advance(seconds=0)
    api.advance(seconds=0)
    assert hook.received == []


def test_firehose_delivery_retries_on_the_parents_clock(api: Api, hook: Receiver) -> None:
    child = make_child(api)
    kid = child_key(api, child["id"])
    fire = register(api, hook, events=["post.published"], scope="all_children")
    hook.answer(500, then=200)
    emit(kid)
    api.advance(seconds=0)
    [row] = deliveries(api, fire["id"])
    assert row["status"] == "pending" and row["lastResponseStatus"] == 500
    kid.advance(seconds=120)  # the child's time is not the parent's
    assert len(hook.received) == 1
    api.advance(seconds=30)
    assert len(hook.received) == 2 and hook.received[1].json["id"] == hook.received[0].json["id"]
    assert deliveries(api, fire["id"])[0]["status"] == "delivered"
