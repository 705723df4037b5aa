"""Delivery edge cases: dead and slow receivers (never blocking a request, costing an advance at
most the timeout), redirects, the integrations retry policy, the real clock, paging, and
events produced by other areas arriving through the bus."""
from __future__ import annotations

import socket
import time

import pytest

from tests.api.webhook_receiver import Receiver, deliveries, emit, hook, inbox, register  # noqa: F401
from tests.support import Api, new_key


def _dead_url() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/gone"


def test_dead_receiver_counts_as_failure(api: Api) -> None:
    r = api.post("/v1/webhook-endpoints", json={"url": _dead_url(), "events": ["post.published"]})
    endpoint = r.json()["endpoint"]
    emit(api)
    api.advance(seconds=0)
    [row] = deliveries(api, endpoint["id"])
    assert row["status"] == "pending" and row["attempts"] == 1
    assert row["lastResponseStatus"] is None and row["lastErrorMessage"]
    [entry] = inbox(api)
    assert entry["response"] is None and entry["error"] == row["lastErrorMessage"]


def test_slow_receiver_costs_an_advance_at_most_its_timeout(api: Api, hook: Receiver) -> None:
    assert api.post("/_emulator/webhooks/config", json={"timeoutSeconds": 0.2}).json()["timeoutSeconds"] == 0.2
    endpoint = register(api, hook)
    hook.delay = 3.0
    emit(api)
    started = time.monotonic()
    api.advance(seconds=0)
    assert time.monotonic() - started < 2.0
    [row] = deliveries(api, endpoint["id"])
    assert row["lastErrorMessage"] == "timeout" and row["status"] == "pending"


def test_slow_receiver_never_blocks_a_request(api: Api, hook: Receiver) -> None:
    endpoint = register(api, hook)
    hook.delay = 2.5
    emit(api)
    started = time.monotonic()
    r = api.get(f"/v1/webhook-endpoints/{endpoint['id']}")  # runs the due delivery in the background
    assert r.status_code == 200
    assert time.monotonic() - started < 1.5
    api.advance(seconds=0)  # waits for the attempt still in flight
    [row] = deliveries(api, endpoint["id"])
    assert row["status"] == "delivered" and len(hook.received) == 1


def test_integrations_policy_stops_on_4xx_and_after_five(api: Api, hook: Receiver) -> None:
    api.post("/_emulator/webhooks/config", json={"retryPolicy": "integrations"})
    endpoint = register(api, hook)
    hook.answer(404)
    emit(api)
    api.advance(seconds=0)
    [row] = deliveries(api, endpoint["id"])
    assert row["status"] == "abandoned" and row["attempts"] == 1 and row["lastResponseStatus"] == 404
    hook.answer(then=500)
    emit(api)
    api.advance(duration="P2D")
    assert len(hook.received) == 1 + 5
    assert deliveries(api, endpoint["id"])[0]["status"] == "abandoned"


def test_redirect_is_a_failure(api: Api, hook: Receiver) -> None:
    endpoint = register(api, hook)
    hook.answer(302)
    emit(api)
    api.advance(seconds=0)
    [row] = deliveries(api, endpoint["id"])
    assert row["status"] == "pending" and row["lastResponseStatus"] == 302


@pytest.mark.realtime
def test_real_clock_sweep_delivers_an_event_fired_by_a_timer(hook: Receiver) -> None:
    """Real clock: a job forced to finish one second later emits `job.completed` from a timer
    (no request involved); APScheduler's one-second sweep settles it and the delivery goes out."""
    from tests.support import emulator_client

    with emulator_client(clock="real", start=None) as real:
        api = Api(real, new_key())
        register(api, hook, events=["job.completed"])
        project = api.project(appDescription="A habit tracker that turns daily routines into streaks, "
                                             "with reminders, friendly nudges and weekly progress reports.")
        r = api.post("/_emulator/job-outcomes", json={"kind": "keywords_refresh", "outcome": "complete",
                                                      "afterSeconds": 1})
        assert r.status_code == 200, r.text
        job = api.post(f"/v1/projects/{project['id']}/keywords/refresh").json()
        assert hook.arrived.wait(timeout=6), "the APScheduler sweep did not deliver"
        assert hook.received[0].json["data"]["jobId"] == job["jobId"]
        assert hook.received[0].verified


def test_events_of_other_areas_arrive_through_the_bus(api: Api, hook: Receiver) -> None:
    """End to end: a project created with an app description onboards itself and ends with
    `project.ready`; a keyword refresh job ends with `job.completed`. Both arrive signed."""
    endpoint = register(api, hook, events=["project.ready", "job.completed", "job.failed"])
    project = api.project(appDescription="A habit tracker that turns daily routines into streaks, "
                                         "with reminders, friendly nudges and weekly progress reports.")
    api.advance(duration="PT6H")
    ready = [r.json for r in hook.received if r.json["type"] == "project.ready"]
    assert len(ready) == 1 and ready[0]["data"]["projectId"] == project["id"]
    r = api.post(f"/v1/projects/{project['id']}/keywords/refresh")
    assert r.status_code == 202, r.text
    job_id = r.json()["jobId"]
    api.advance(duration="PT6H")
    done = [r.json for r in hook.received if r.json["type"].startswith("job.")]
    assert [(e["type"], e["data"]["jobId"]) for e in done] == [("job.completed", job_id)]
    assert done[0]["data"]["projectId"] == project["id"]
    assert all(r.verified for r in hook.received)
    assert len(inbox(api, endpointId=endpoint["id"])) == len(hook.received)


def test_deliveries_list_pages_newest_first(api: Api, hook: Receiver) -> None:
    endpoint = register(api, hook)
    fired = [emit(api)["eventId"] for _ in range(3)]
    api.advance(seconds=0)
    first = api.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries", params={"limit": 2}).json()
    rest = api.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries",
                   params={"limit": 2, "cursor": first["nextCursor"]}).json()
    assert [d["eventId"] for d in first["items"] + rest["items"]] == fired[::-1]
    assert rest["nextCursor"] is None
    assert len(deliveries(api, endpoint["id"], eventType="post.published", status="delivered")) == 3


def test_receiver_may_call_back_for_the_same_tenant(api: Api, hook: Receiver) -> None:
    """A receiver that reads from the emulator (same tenant) while handling a delivery is served
    at the delivery's instant, both for a delivery sent right after a request and for a retry
    sent inside an advance (which is waiting on that receiver)."""
    endpoint = register(api, hook, events=["post.published"])
    seen: list[tuple[int, str]] = []

    def fetch(_: object) -> None:
        r = api.get(f"/v1/webhook-endpoints/{endpoint['id']}")
        seen.append((r.status_code, r.headers["Date"]))

    hook.on_request = fetch
    hook.answer(500, then=200)
    api.advance(seconds=120)
    emit(api)
    api.advance(seconds=60)
    assert seen == [(200, "Mon, 11 May 2026 00:02:00 GMT"), (200, "Mon, 11 May 2026 00:02:30 GMT")]
    [row] = deliveries(api, endpoint["id"])
    assert row["status"] == "delivered" and row["attempts"] == 2


def test_delivery_due_now_goes_out_right_after_the_request(api: Api, hook: Receiver) -> None:
    """Virtual clock, no advance: the event's delivery leaves as soon as the request that caused
    it has answered."""
    register(api, hook)
    fired = emit(api)
    assert hook.arrived.wait(timeout=5), "the delivery waited for another request"
    assert hook.received[0].json["id"] == fired["eventId"] and hook.received[0].verified
