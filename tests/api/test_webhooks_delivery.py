"""Signed deliveries to a real receiver on 127.0.0.1: signatures, the retry ladder on the tenant
clock, auto-pause and resume, replay, rotation overlap, isolation between tenants and projects."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from emulator.clock import parse_instant
from emulator.domain.signing import parse_header, verify_signature
from tests.api.webhook_receiver import Receiver, deliveries, emit, hook, inbox, register  # noqa: F401
from tests.support import Api, new_key


def test_test_ping_reaches_receiver_signed(api: Api, hook: Receiver) -> None:
    endpoint = register(api, hook)
    r = api.post(f"/v1/webhook-endpoints/{endpoint['id']}/test")
    assert r.status_code == 200, r.text
    fired = r.json()
    now = api.now()
    assert fired["scheduledAt"] == "2026-05-11T00:00:00.000Z"
    api.advance(seconds=0)
    assert len(hook.received) == 1
    got = hook.received[0]
    assert got.verified
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["User-Agent"].startswith("Layers-Webhooks/")
    assert got.headers["X-Layers-Event-Id"] == fired["eventId"] == got.json["id"]
    t, sigs = parse_header(got.headers["X-Layers-Signature"])
    assert t == int(now.timestamp()) and len(sigs) == 1
    assert verify_signature(hook.secrets[0], got.headers["X-Layers-Signature"], got.body, now=now)
    assert got.json["type"] == "test.ping"
    assert got.json["data"]["endpointId"] == endpoint["id"]
    assert got.json["createdAt"] == "2026-05-11T00:00:00.000Z"
    [row] = deliveries(api, endpoint["id"])
    assert row["id"] == fired["deliveryId"]
    assert (row["status"], row["attempts"], row["lastResponseStatus"]) == ("delivered", 1, 200)
    assert api.get(f"/v1/webhook-endpoints/{endpoint['id']}").json()["lastSuccessAt"] == "2026-05-11T00:00:00.000Z"


def test_test_ping_carries_custom_payload(api: Api, hook: Receiver) -> None:
    endpoint = register(api, hook)
    api.post(f"/v1/webhook-endpoints/{endpoint['id']}/test", json={"payload": {"hello": "world"}})
    api.advance(seconds=0)
    assert hook.received[0].json["data"] == {"hello": "world"}


def test_catalogue_event_delivered_with_envelope(api: Api, hook: Receiver) -> None:
    endpoint = register(api, hook)
    project = api.project()
    fired = emit(api, "post.published", projectId=project["id"])
    api.advance(seconds=0)
    [got] = hook.received
    assert got.verified
    assert got.json["id"] == fired["eventId"] and got.json["type"] == "post.published"
    assert got.json["data"]["scheduledPostId"] == "sp_1"
    assert got.json["data"]["projectId"] == project["id"]
    assert got.json["data"]["organizationId"].startswith("org_")
    assert "replayOf" not in got.json
    [entry] = inbox(api, endpointId=endpoint["id"])
    assert entry["request"]["headers"]["X-Layers-Event-Id"] == fired["eventId"]
    assert entry["response"]["status"] == 200 and entry["at"] == "2026-05-11T00:00:00.000Z"
    assert entry["payload"] == got.json


def test_unsubscribed_and_non_catalogue_events_not_delivered(api: Api, hook: Receiver) -> None:
    register(api, hook, events=["job.failed"])
    emit(api, "post.published")
    api.project()  # project.created is on the bus but not in the catalogue
    api.advance(seconds=60)
    assert hook.received == [] and inbox(api) == []


def test_retries_follow_the_ladder_with_the_same_event_id(api: Api, hook: Receiver) -> None:
    endpoint = register(api, hook)
    hook.answer(500, 503, 429)
    fired = emit(api)
    start = api.now()
    api.advance(seconds=0)
    assert len(hook.received) == 1
    api.advance(seconds=29)
    assert len(hook.received) == 1
    api.advance(seconds=1)  # +30 s
    assert len(hook.received) == 2
    api.advance(seconds=60)  # +1 min
    assert len(hook.received) == 3
    [row] = deliveries(api, endpoint["id"])
    assert row["status"] == "pending" and row["attempts"] == 3 and row["lastResponseStatus"] == 429
    assert parse_instant(row["nextRetryAt"]) == start + timedelta(seconds=90 + 300)
    api.advance(seconds=300)  # +5 min: answered 200
    assert len(hook.received) == 4
    assert {r.headers["X-Layers-Event-Id"] for r in hook.received} == {fired["eventId"]}
    assert all(r.verified for r in hook.received)
    stamps = [parse_header(r.headers["X-Layers-Signature"])[0] for r in hook.received]
    base = int(start.timestamp())
    assert stamps == [base, base + 30, base + 90, base + 390]
    assert len({r.body for r in hook.received}) == 1  # same bytes every time
    [row] = deliveries(api, endpoint["id"])
    assert (row["status"], row["attempts"], row["lastResponseStatus"]) == ("delivered", 4, 200)
    assert row["deliveredAt"] == (start + timedelta(seconds=390)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert [e["attempt"] for e in inbox(api, eventId=fired["eventId"])] == [1, 2, 3, 4]


def test_exhausted_ladder_marks_delivery_failed(api: Api, hook: Receiver) -> None:
    endpoint = register(api, hook)
    hook.answer(then=500)
    emit(api)
    api.advance(duration="P2D")
    assert len(hook.received) == 8
    offsets = [parse_header(r.headers["X-Layers-Signature"])[0] - parse_header(hook.received[0].headers["X-Layers-Signature"])[0] for r in hook.received]
    assert offsets == [0, 30, 90, 390, 1290, 4890, 26490, 112890]
    [row] = deliveries(api, endpoint["id"])
    assert row["status"] == "failed" and row["attempts"] == 8
    assert row["nextRetryAt"] is None and row["abandonedAt"] is not None
    assert deliveries(api, endpoint["id"], status="failed")[0]["id"] == row["id"]
    assert deliveries(api, endpoint["id"], status="delivered") == []
    ep = api.get(f"/v1/webhook-endpoints/{endpoint['id']}").json()
    assert ep["consecutiveFailureCount"] == 8 and ep["status"] == "active"


def test_twenty_failures_auto_pause_and_patch_resumes(api: Api, hook: Receiver) -> None:
    endpoint = register(api, hook)
    hook.answer(then=500)
    for _ in range(3):
        emit(api)
    api.advance(duration="P2D")
    assert len(hook.received) == 20
    ep = api.get(f"/v1/webhook-endpoints/{endpoint['id']}").json()
    assert ep["status"] == "auto_paused" and ep["consecutiveFailureCount"] == 20
    assert {d["status"] for d in deliveries(api, endpoint["id"])} == {"abandoned"}
    emit(api)  # not queued while paused
    api.advance(duration="P1D")
    assert len(hook.received) == 20
    hook.answer(then=200)
    r = api.patch(f"/v1/webhook-endpoints/{endpoint['id']}", json={"status": "active"})
    assert r.status_code == 200 and r.json()["status"] == "active"
    assert r.json()["consecutiveFailureCount"] == 0
    fired = emit(api)
    api.advance(seconds=0)
    assert hook.received[-1].json["id"] == fired["eventId"] and len(hook.received) == 21


def test_replay_gets_new_event_id_and_points_at_original(api: Api, hook: Receiver) -> None:
    endpoint = register(api, hook)
    fired = emit(api)
    api.advance(seconds=0)
    [original] = deliveries(api, endpoint["id"])
    api.advance(seconds=3600)
    r = api.post(f"/v1/webhook-deliveries/{original['id']}/replay")
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["originalDeliveryId"] == original["id"] and out["replayDeliveryId"] != original["id"]
    api.advance(seconds=0)
    first, again = hook.received
    assert again.verified
    assert again.json["id"] != fired["eventId"] and again.json["id"].startswith("evt_")
    assert again.headers["X-Layers-Event-Id"] == again.json["id"]
    assert again.json["replayOf"] == original["id"]
    assert again.json["data"] == first.json["data"] and again.json["type"] == first.json["type"]
    rows = deliveries(api, endpoint["id"])
    assert rows[0]["id"] == out["replayDeliveryId"] and rows[0]["replayOf"] == original["id"]
    assert rows[0]["status"] == "delivered"


def test_rotation_signs_with_both_secrets_during_grace(api: Api, hook: Receiver) -> None:
    endpoint = register(api, hook)
    old = hook.secrets[0]
    r = api.post(f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret")
    new = r.json()["signingSecret"]
    api.post(f"/v1/webhook-endpoints/{endpoint['id']}/test")
    api.advance(seconds=0)
    header = hook.received[0].headers["X-Layers-Signature"]
    assert len(parse_header(header)[1]) == 2
    assert verify_signature(old, header, hook.received[0].body)
    assert verify_signature(new, header, hook.received[0].body)
    api.advance(duration="PT24H")
    api.post(f"/v1/webhook-endpoints/{endpoint['id']}/test")
    api.advance(seconds=0)
    header = hook.received[1].headers["X-Layers-Signature"]
    assert len(parse_header(header)[1]) == 1
    assert verify_signature(new, header, hook.received[1].body)
    assert not verify_signature(old, header, hook.received[1].body)


def test_other_tenants_events_never_arrive(client: Any, api: Api, hook: Receiver) -> None:
    register(api, hook)
    other = Api(client, new_key())
    emit(other)
    other.post("/v1/webhook-endpoints", json={"url": "https://example.invalid/x", "events": ["post.published"]})
    other.advance(seconds=60)
    api.advance(seconds=60)
    assert hook.received == [] and inbox(api) == []


def test_project_scoped_endpoint_gets_only_its_project(api: Api, hook: Receiver) -> None:
    mine, theirs = api.project(), api.project(name="Other App")
    scoped = register(api, hook, projectId=mine["id"])
    emit(api, projectId=theirs["id"])
    emit(api)  # org-level event, no project
    fired = emit(api, projectId=mine["id"])
    api.advance(seconds=0)
    assert [r.json["id"] for r in hook.received] == [fired["eventId"]]
    assert inbox(api, endpointId=scoped["id"])[0]["eventId"] == fired["eventId"]


def test_fan_out_shares_the_event_id(api: Api, hook: Receiver) -> None:
    a = register(api, hook)
    b = register(api, hook, events=["post.published"])
    fired = emit(api)
    assert len(fired["deliveryIds"]) == 2
    api.advance(seconds=0)
    assert {r.json["id"] for r in hook.received} == {fired["eventId"]}
    assert {e["endpointId"] for e in inbox(api)} == {a["id"], b["id"]}


def test_paused_endpoint_queues_nothing_but_test_still_fires(api: Api, hook: Receiver) -> None:
    endpoint = register(api, hook)
    api.patch(f"/v1/webhook-endpoints/{endpoint['id']}", json={"status": "paused"})
    fired = emit(api)
    assert fired["deliveryIds"] == []
    api.post(f"/v1/webhook-endpoints/{endpoint['id']}/test")
    api.advance(seconds=60)
    assert [r.json["type"] for r in hook.received] == ["test.ping"]


def test_pausing_abandons_pending_retries(api: Api, hook: Receiver) -> None:
    endpoint = register(api, hook)
    hook.answer(500)
    emit(api)
    api.advance(seconds=0)
    api.patch(f"/v1/webhook-endpoints/{endpoint['id']}", json={"status": "paused"})
    api.advance(seconds=120)
    assert len(hook.received) == 1
    [row] = deliveries(api, endpoint["id"])
    assert row["status"] == "abandoned" and row["abandonedAt"] == "2026-05-11T00:00:00.000Z"


def test_replay_to_paused_endpoint_waits_until_active(api: Api, hook: Receiver) -> None:
    endpoint = register(api, hook)
    emit(api)
    api.advance(seconds=0)
    [original] = deliveries(api, endpoint["id"])
    api.patch(f"/v1/webhook-endpoints/{endpoint['id']}", json={"status": "paused"})
    replay = api.post(f"/v1/webhook-deliveries/{original['id']}/replay").json()
    api.advance(seconds=600)
    assert len(hook.received) == 1
    rows = {d["id"]: d for d in deliveries(api, endpoint["id"])}
    assert rows[replay["replayDeliveryId"]]["status"] == "pending"
    api.patch(f"/v1/webhook-endpoints/{endpoint['id']}", json={"status": "active"})
    api.advance(seconds=0)
    assert hook.received[-1].json["replayOf"] == original["id"]


def test_delete_drops_queued_retries(api: Api, hook: Receiver) -> None:
    endpoint = register(api, hook)
    hook.answer(500)
    emit(api)
    api.advance(seconds=0)
    assert api.delete(f"/v1/webhook-endpoints/{endpoint['id']}").json() == {"id": endpoint["id"], "deleted": True}
    api.advance(duration="P2D")
    assert len(hook.received) == 1
    assert api.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries").status_code == 404


def test_inbox_filters_and_cursor(api: Api, hook: Receiver) -> None:
    a = register(api, hook)
    register(api, hook, events=["job.completed"])
    emit(api)
    emit(api, "job.completed", data={"jobId": "job_1", "kind": "x"})
    api.post(f"/v1/webhook-endpoints/{a['id']}/test")
    api.advance(seconds=0)
    assert len(inbox(api)) == 4
    assert {e["eventType"] for e in inbox(api, eventType="job.completed")} == {"job.completed"}
    assert len(inbox(api, endpointId=a["id"])) == 3
    page = api.get("/_emulator/webhooks/inbox", params={"limit": 3}).json()
    rest = api.get("/_emulator/webhooks/inbox", params={"limit": 3, "cursor": page["nextCursor"]}).json()
    assert len(page["items"]) == 3 and len(rest["items"]) == 1 and rest["nextCursor"] is None
    assert api.get("/_emulator/webhooks/inbox", params={"cursor": "!!"}).status_code == 422


def test_a_delivery_caught_mid_attempt_by_a_crash_is_retried_after_restart(tmp_path: Any, hook: Receiver) -> None:
    """A process killed while an attempt was in flight leaves its delivery `delivering`; the next
    start counts that attempt as failed without a response and the ladder retries it."""
    import sqlite3

    from tests.support import emulator_client

    db, key = str(tmp_path / "crash.db"), new_key()
    with emulator_client(db=db) as client:
        api = Api(client, key)
        endpoint = register(api, hook)
        fired = emit(api)
    hook.received.clear()
    with sqlite3.connect(db) as raw:  # rewind to what a kill between "delivering" and the outcome leaves
        raw.execute("UPDATE webhook_deliveries SET status = 'delivering',"
                    " data = json_set(data, '$.status', 'delivering', '$.attempts', 1)")
        raw.execute("DELETE FROM timers WHERE kind = 'webhook.deliver'")
    with emulator_client(db=db) as client:
        api = Api(client, key)
        [row] = deliveries(api, endpoint["id"])
        assert (row["status"], row["attempts"], row["lastResponseStatus"]) == ("pending", 1, None)
        assert "interrupted" in row["lastErrorMessage"]
        assert parse_instant(row["nextRetryAt"]) - api.now() == timedelta(seconds=30)
        assert hook.received == []
        api.advance(seconds=30)
        [got] = hook.received
        assert got.verified and got.json["id"] == fired["eventId"]
        [row] = deliveries(api, endpoint["id"])
        assert (row["status"], row["attempts"]) == ("delivered", 2)
