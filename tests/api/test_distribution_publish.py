"""attach-to-schedule, process-due and recover-overdue through HTTP and the virtual clock."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.api.layers_helpers import attached, execute, layer, make_content, pin, runs, slots
from tests.support import Api


def post(api: Api, post_id: str) -> dict:
    return dict(api.get(f"/v1/scheduled-posts/{post_id}").json())


def test_attach_takes_the_earliest_empty_slot_and_is_idempotent(api: Api) -> None:
    project, _, created = layer(api)
    first, second = make_content(api, project["id"], 2)
    run = execute(api, created["id"], "attach-to-schedule", containerId=first)
    assert run["status"] == "completed"
    out = run["output"]
    assert out["scheduledAt"] == "2026-05-11T14:00:00.000Z" and out["status"] == "ready"
    again = execute(api, created["id"], "attach-to-schedule", containerId=first)["output"]
    assert again["scheduledPostId"] == out["scheduledPostId"]
    nxt = execute(api, created["id"], "attach-to-schedule", containerId=second)["output"]
    assert nxt["scheduledAt"] == "2026-05-12T14:00:00.000Z"
    assert [e["data"]["scheduledPostId"] for e in api.events(type="post.scheduled")] == [
        out["scheduledPostId"], nxt["scheduledPostId"],
    ]


def test_attach_beyond_the_planned_slots_adds_a_grid_slot(api: Api) -> None:
    project, _, created = layer(api)
    made = make_content(api, project["id"], 4)
    outs = [execute(api, created["id"], "attach-to-schedule", containerId=c)["output"] for c in made]
    assert [o["scheduledAt"][:10] for o in outs] == ["2026-05-11", "2026-05-12", "2026-05-13", "2026-05-14"]
    assert outs[-1]["scheduledAt"] == "2026-05-14T14:00:00.000Z"


def test_attach_failures_fail_the_run_with_validation(api: Api) -> None:
    project, _, created = layer(api)
    run = execute(api, created["id"], "attach-to-schedule", containerId="cnt_00000000-0000-4000-8000-000000000000")
    assert run["status"] == "failed" and run["error"]["code"] == "VALIDATION"
    assert execute(api, created["id"], "attach-to-schedule")["error"]["code"] == "VALIDATION"
    _, _, manual = layer(api, distributionMode="manual")
    [cid] = make_content(api, manual["projectId"], 1)
    failed = execute(api, manual["id"], "attach-to-schedule", containerId=cid)
    assert failed["status"] == "failed"
    assert failed["error"]["details"]["issues"][0]["path"] == "parameters.scheduledAt"
    ok = execute(api, manual["id"], "attach-to-schedule", containerId=cid, scheduledAt="2026-05-12T16:00:00Z")
    assert ok["output"]["scheduledAt"] == "2026-05-12T16:00:00.000Z"


def test_execute_refuses_initialize_and_unknown_commands(api: Api) -> None:
    _, _, created = layer(api)
    for command in ("initialize", "launch-rockets"):
        r = api.post(f"/api/project-layers/{created['id']}/execute", json={"commandId": command})
        assert r.status_code == 422, command
        assert r.json()["error"]["details"]["issues"][0]["path"] == "commandId"
    r = api.post(f"/api/project-layers/{created['id']}/execute", json={"commandId": "refresh-schedule"})
    assert r.status_code == 202 and r.json()["status"] == "running"
    assert api.get(f"/api/runs/{r.json()['runId']}").json()["status"] == "completed"


def test_cross_layer_execute_runs_on_every_matching_layer(api: Api) -> None:
    _, _, one = layer(api, willPublish=True)
    _, _, two = layer(api, platform="tiktok")
    r = api.post("/api/project-layers/execute", json={"commandId": "refresh-schedule", "templateIds": ["social-distribution"]})
    assert r.status_code == 202 and r.json()["matched"] == 2 and len(r.json()["runIds"]) == 2
    r = api.post("/api/project-layers/execute", json={"commandId": "refresh-schedule", "whereContains": {"willPublish": True}})
    assert r.json()["matched"] == 1
    [run_id] = r.json()["runIds"]
    assert api.get(f"/api/runs/{run_id}").json()["projectLayerId"] == one["id"]
    r = api.post("/api/project-layers/execute", json={"commandId": "initialize"})
    assert r.status_code == 422
    r = api.post("/api/project-layers/execute", json={"commandId": "refresh-schedule", "projectId": two["projectId"]})
    assert r.json()["matched"] == 1


def test_process_due_publishes_at_slot_time_when_will_publish(api: Api) -> None:
    project, _, created, cid, sp_id = attached(api, willPublish=True)
    api.advance(to="2026-05-11T13:59:59Z")
    assert post(api, sp_id)["status"] == "queued"
    api.advance(to="2026-05-11T14:00:00Z")
    assert post(api, sp_id)["status"] == "publishing"
    api.advance(seconds=10)
    published = post(api, sp_id)
    assert published["status"] == "published" and published["attemptedAt"] == "2026-05-11T14:00:00.000Z"
    [run] = runs(api, created["id"], commandId="process-due")
    assert run["trigger"] == "scheduled" and run["startedAt"] == "2026-05-11T14:00:00.000Z"
    assert [a["name"] for a in run["activities"]] == ["selectDuePosts", "publishPost"]
    assert run["activities"][1]["input"]["scheduledPostId"] == sp_id


def test_will_publish_false_publishes_nothing(api: Api) -> None:
    project, _, created, cid, sp_id = attached(api)
    api.advance(duration="P2D")
    assert post(api, sp_id)["status"] == "queued"
    assert runs(api, created["id"], commandId="process-due") == []
    assert runs(api, created["id"], commandId="recover-overdue") == []
    assert api.events(type="post.published") == []


def test_tiktok_manual_posting_goes_to_drafts(api: Api) -> None:
    project, _, created, cid, sp_id = attached(api, platform="tiktok", willPublish=True)
    api.advance(to="2026-05-11T14:00:30Z")
    assert post(api, sp_id)["status"] == "draft"
    assert slots(api, created["id"])[0]["status"] == "draft"


def test_manual_distribution_hands_posts_to_a_person(api: Api) -> None:
    project, _, created = layer(api, distributionMode="manual", willPublish=True)
    [cid] = make_content(api, project["id"], 1)
    out = execute(api, created["id"], "attach-to-schedule", containerId=cid, scheduledAt="2026-05-11T18:30:00Z")["output"]
    api.advance(to="2026-05-11T18:31:00Z")
    [row] = slots(api, created["id"])
    assert row["scheduledPostId"] == out["scheduledPostId"] and row["status"] == "pending_manual"
    assert post(api, out["scheduledPostId"])["status"] == "draft"


def test_recover_overdue_reslots_a_post_that_missed_its_window(api: Api) -> None:
    project, _, created, cid, sp_id = attached(api)
    api.advance(to="2026-05-11T14:30:00Z")  # willPublish false: the 14:00 slot passes untouched
    r = api.patch(f"/api/project-layers/{created['id']}", json={"config": {"willPublish": True}})
    assert r.status_code == 200
    api.advance(to="2026-05-11T14:35:00Z")
    moved = post(api, sp_id)
    assert moved["status"] == "queued" and moved["scheduledFor"] == "2026-05-12T14:00:00.000Z"
    [recover] = runs(api, created["id"], commandId="recover-overdue")
    assert recover["output"] == {"reslotted": 1, "handedOff": 0}
    assert len([s for s in slots(api, created["id"]) if s["scheduledAt"] == "2026-05-12T14:00:00.000Z"]) == 1
    api.advance(to="2026-05-12T14:00:10Z")
    assert post(api, sp_id)["status"] == "published"


def test_token_error_fails_the_post_and_recovery_reslots_it_once_healthy(api: Api) -> None:
    project, account, created, cid, sp_id = attached(api, willPublish=True)
    pin(api, account, tokenError="token revoked")
    api.advance(to="2026-05-11T14:01:00Z")
    failed = post(api, sp_id)
    assert failed["status"] == "failed" and failed["lastError"]["code"] == "CREDENTIAL_INVALID"
    api.advance(to="2026-05-11T15:00:00Z")
    assert post(api, sp_id)["status"] == "failed"  # unhealthy accounts are skipped
    pin(api, account, tokenError=None)
    api.advance(to="2026-05-11T15:05:00Z")
    again = post(api, sp_id)
    assert again["status"] == "queued" and again["scheduledFor"] == "2026-05-12T14:00:00.000Z"
    [row] = [s for s in slots(api, created["id"]) if s["scheduledPostId"] == sp_id]
    assert row["reslots"] == 1 and row["status"] == "ready"


def test_idle_minutes_are_counted_not_stored(api: Api) -> None:
    project, _, created = layer(api, willPublish=True)
    [cid] = make_content(api, project["id"], 1)
    execute(api, created["id"], "attach-to-schedule", containerId=cid)
    result = api.advance(to="2026-05-12T00:00:00Z")
    assert result["ran"]["process-due"] < 10 and result["ran"]["refresh-schedule-scheduled"] == 1
    sched = api.get(f"/api/project-layers/{created['id']}").json()["scheduler"]
    assert sched["process-due"]["fires"] == 24 * 60
    assert sched["process-due"]["runs"] == 1 and sched["process-due"]["idleFires"] == 24 * 60 - 1
    assert sched["recover-overdue"]["fires"] == 24 * 12 and sched["recover-overdue"]["runs"] == 0
    assert len(runs(api, created["id"], commandId="process-due")) == 1


def test_concurrent_attaches_never_share_a_slot(api: Api) -> None:
    project, _, created = layer(api)
    made = make_content(api, project["id"], 6)
    work = [c for c in made for _ in range(3)]  # every container attached three times at once

    def attach(cid: str) -> int:
        r = api.post(f"/api/project-layers/{created['id']}/execute",
                     json={"commandId": "attach-to-schedule", "parameters": {"containerId": cid}})
        return r.status_code

    with ThreadPoolExecutor(max_workers=9) as pool:
        assert set(pool.map(attach, work)) == {202}
    items = [s for s in slots(api, created["id"]) if s["containerId"]]
    assert sorted(s["containerId"] for s in items) == sorted(made)
    assert len({s["scheduledAt"] for s in items}) == len(items)
    assert all(r["status"] == "completed" for r in runs(api, created["id"], commandId="attach-to-schedule"))


def test_uninstall_cancels_queued_posts_of_the_layer(api: Api) -> None:
    project, _, created, cid, sp_id = attached(api, willPublish=True)
    r = api.delete(f"/api/project-layers/{created['id']}")
    assert r.json()["canceledScheduledPosts"] == 1
    assert post(api, sp_id)["status"] == "canceled"
    [event] = api.events(type="post.canceled")
    assert event["data"]["reason"] == "layer_uninstalled"
    api.advance(duration="P1D")
    assert post(api, sp_id)["status"] == "canceled"


def test_archiving_the_project_pauses_its_layers(api: Api) -> None:
    project, _, created, cid, sp_id = attached(api, willPublish=True)
    r = api.delete(f"/v1/projects/{project['id']}")
    assert r.status_code == 200 and r.json()["canceledScheduledPosts"] == 1
    assert api.get(f"/api/project-layers/{created['id']}").json()["status"] == "paused"
    assert post(api, sp_id)["status"] == "canceled"


def test_content_approved_after_its_slot_is_reslotted(api: Api) -> None:
    project, _, created = layer(api, willPublish=True)
    r = api.patch(f"/v1/projects/{project['id']}/approval-policy", json={"requiresApproval": True})
    assert r.status_code == 200, r.text
    [cid] = make_content(api, project["id"], 1)
    assert api.get(f"/v1/content/{cid}").json()["approvalStatus"] == "pending"
    out = execute(api, created["id"], "attach-to-schedule", containerId=cid)["output"]
    assert out["status"] == "pending_assets"  # waits for approval
    api.advance(to="2026-05-11T14:20:00Z")
    assert post(api, out["scheduledPostId"])["status"] == "queued"  # missed quietly, not failed
    assert api.post(f"/v1/content/{cid}/approve", json={}).status_code == 200
    api.advance(to="2026-05-11T14:25:00Z")
    moved = post(api, out["scheduledPostId"])
    assert moved["status"] == "queued" and moved["scheduledFor"] == "2026-05-12T14:00:00.000Z"
    api.advance(to="2026-05-12T14:00:10Z")
    assert post(api, out["scheduledPostId"])["status"] == "published"
