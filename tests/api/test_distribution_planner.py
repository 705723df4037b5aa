"""The Social Distribution planner through HTTP: slots per temperature and mode, horizon,
attach order, time zones and DST, temperature from published posts."""
from __future__ import annotations

from collections import Counter

from tests.api.layers_helpers import DESCRIPTION, execute, install, layer, make_content, pin, project_with_account, runs, slots
from tests.support import Api


def per_day(items: list[dict]) -> Counter:
    return Counter(s["localDate"] for s in items)


def test_cold_account_gets_one_slot_a_day_at_ten_local_for_three_days(api: Api) -> None:
    _, _, created = layer(api)
    items = slots(api, created["id"])
    assert [(s["localDate"], s["localTime"]) for s in items] == [
        ("2026-05-11", "10:00"), ("2026-05-12", "10:00"), ("2026-05-13", "10:00"),
    ]
    assert items[0]["scheduledAt"] == "2026-05-11T14:00:00.000Z"  # EDT
    assert {s["status"] for s in items} == {"pending"} and {s["origin"] for s in items} == {"layer"}
    assert all(s["containerId"] is None for s in items)


def test_pinned_temperature_decides_the_automatic_times(api: Api) -> None:
    _, account, created = layer(api)
    for temp, times in (("warm", ["10:00", "15:00"]), ("hot", ["10:00", "15:00", "19:00"])):
        pin(api, account, temperature=temp)
        run = execute(api, created["id"], "refresh-schedule")
        assert run["status"] == "completed"
        snapshot = next(a for a in run["activities"] if a["name"] == "loadHealthSnapshot")["output"]
        assert snapshot["temperature"] == temp and snapshot["source"] == "pinned"
        items = slots(api, created["id"])
        assert sorted({s["localTime"] for s in items}) == times
        assert set(per_day(items).values()) == {len(times)}
    pin(api, account, temperature=None)
    execute(api, created["id"], "refresh-schedule")
    assert {s["localTime"] for s in slots(api, created["id"])} == {"10:00"}  # cold again: extra empty slots removed


def test_custom_times_in_the_project_timezone(api: Api) -> None:
    _, _, created = layer(api, tz="Asia/Kolkata", distributionMode="custom", schedule={"times": ["18:30", "07:15"]})
    items = slots(api, created["id"])
    assert [s["localTime"] for s in items[:2]] == ["07:15", "18:30"]
    assert items[0]["scheduledAt"] == "2026-05-11T01:45:00.000Z"
    assert len(items) == 6 and set(per_day(items).values()) == {2}


def test_manual_mode_has_no_slots_and_switching_removes_empty_ones(api: Api) -> None:
    _, _, manual = layer(api, distributionMode="manual")
    assert slots(api, manual["id"]) == []
    _, _, auto = layer(api)
    assert len(slots(api, auto["id"])) == 3
    r = api.patch(f"/api/project-layers/{auto['id']}", json={"config": {"distributionMode": "manual"}})
    assert r.status_code == 200
    assert slots(api, auto["id"]) == []


def test_horizon_grows_with_available_content_and_oldest_content_goes_first(api: Api) -> None:
    project, account = project_with_account(api)
    made = [make_content(api, project["id"], 1)[0] for _ in range(5)]  # completed 2 minutes apart
    r = api.post("/api/project-layers", json={"projectId": project["id"], "templateId": "social-distribution",
                                               "config": {"social": {"socialAccountId": account}}})
    assert r.status_code == 201
    items = slots(api, r.json()["id"])
    assert len(items) == 5  # max(3, ceil(5 / 1)) days of one cold slot
    assert [s["containerId"] for s in items] == made
    assert {s["status"] for s in items} == {"ready"}
    scheduled = api.events(type="post.scheduled")
    assert [e["data"]["scheduledPostId"] for e in scheduled] == [s["scheduledPostId"] for s in items]


def test_slot_rows_are_the_scheduled_posts_partners_see(api: Api) -> None:
    project, account = project_with_account(api)
    [cid] = make_content(api, project["id"], 1)
    created = api.post("/api/project-layers", json={"projectId": project["id"], "templateId": "social-distribution",
                                                     "config": {"social": {"socialAccountId": account}}}).json()
    first = slots(api, created["id"])[0]
    post = api.get(f"/v1/scheduled-posts/{first['scheduledPostId']}").json()
    assert post["containerId"] == cid and post["status"] == "queued" and post["scheduledFor"] == first["scheduledAt"]
    listed = api.get(f"/v1/projects/{project['id']}/scheduled-posts").json()["items"]
    assert [p["id"] for p in listed] == [first["scheduledPostId"]]  # empty slots are not partner-visible


def test_local_times_hold_across_dst_and_a_timezone_change_moves_nothing(api: Api) -> None:
    # Sydney leaves daylight time on 2026-04-05; New York enters it on 2027-03-14. Start right before.
    key = api.post("/_emulator/keys", json={"start": "2027-03-12T00:00:00Z"}).json()["apiKey"]
    ny = Api(api.client, key)
    _, _, created = layer(ny, distributionMode="custom", schedule={"times": ["09:00"]})
    items = slots(ny, created["id"])
    assert [s["localTime"] for s in items] == ["09:00"] * 3
    assert [s["scheduledAt"] for s in items] == [
        "2027-03-12T14:00:00.000Z", "2027-03-13T14:00:00.000Z", "2027-03-14T13:00:00.000Z",
    ]
    project_id = created["projectId"]
    [cid] = make_content(ny, project_id, 1)
    attached = execute(ny, created["id"], "attach-to-schedule", containerId=cid)["output"]
    assert attached["scheduledAt"] == "2027-03-12T14:00:00.000Z"
    assert ny.patch(f"/v1/projects/{project_id}", json={"timezone": "Australia/Sydney"}).status_code == 200
    execute(ny, created["id"], "refresh-schedule")
    after = {s["scheduledAt"]: s for s in slots(ny, created["id"])}
    assert after["2027-03-12T14:00:00.000Z"]["containerId"] == cid  # the planned post did not move
    assert after["2027-03-12T14:00:00.000Z"]["localTime"] == "01:00"  # shown in the new zone
    assert sorted(s["scheduledAt"] for s in after.values() if s["containerId"] is None) == [
        "2027-03-12T22:00:00.000Z", "2027-03-13T22:00:00.000Z", "2027-03-14T22:00:00.000Z",
    ]  # empty slots follow the new grid: 09:00 AEDT


def test_southern_hemisphere_dst_keeps_the_wall_time(api: Api) -> None:
    key = api.post("/_emulator/keys", json={"start": "2026-04-03T00:00:00Z"}).json()["apiKey"]
    syd = Api(api.client, key)
    _, _, created = layer(syd, tz="Australia/Sydney")
    items = slots(syd, created["id"])
    assert [s["localTime"] for s in items] == ["10:00"] * 3
    assert [s["localDate"] for s in items] == ["2026-04-04", "2026-04-05", "2026-04-06"]
    offsets = [s["scheduledAt"][11:16] for s in items]
    assert offsets == ["23:00", "00:00", "00:00"]  # AEDT +11 until 5 April 03:00, then AEST +10


def test_temperature_is_computed_from_recent_published_posts(api: Api) -> None:
    project, account, created = layer(api)
    made = make_content(api, project["id"], 7)
    for cid in made:
        r = api.post(f"/v1/content/{cid}/publish", json={"targets": [{"socialAccountId": account, "mode": "publish"}]})
        assert r.status_code == 201, r.text
    api.advance(seconds=10)
    run = execute(api, created["id"], "refresh-schedule")
    snapshot = next(a for a in run["activities"] if a["name"] == "loadHealthSnapshot")["output"]
    assert snapshot["publishedLast14Days"] == 7 and snapshot["temperature"] == "warm"
    assert {s["localTime"] for s in slots(api, created["id"]) if s["scheduledAt"] > "2026-05-12"} == {"10:00", "15:00"}
    api.advance(duration="P15D")
    run = execute(api, created["id"], "refresh-schedule")
    snapshot = next(a for a in run["activities"] if a["name"] == "loadHealthSnapshot")["output"]
    assert snapshot["publishedLast14Days"] == 0 and snapshot["temperature"] == "cold"


def test_unhealthy_account_fails_the_run_and_leaves_rows_alone(api: Api) -> None:
    _, account, created = layer(api)
    before = slots(api, created["id"])
    pin(api, account, tokenError="token expired", temperature="hot")
    run = execute(api, created["id"], "refresh-schedule")
    assert run["status"] == "failed"
    assert run["error"]["code"] == "ACCOUNT_UNHEALTHY"
    assert "Traceback" in run["error"]["stack"]
    assert run["activities"][-1]["name"] == "validateSocialAccount" and run["activities"][-1]["status"] == "failed"
    assert slots(api, created["id"]) == before
    pin(api, account, tokenError=None)
    r = api.post(f"/api/runs/{run['runId']}/retry")
    assert r.status_code == 202 and r.json()["retryOf"] == run["runId"]
    retried = api.get(f"/api/runs/{r.json()['runId']}").json()
    assert retried["status"] == "completed" and retried["trigger"] == "retry"
    assert len(slots(api, created["id"])) == 9  # hot: 3 a day
    assert api.post(f"/api/runs/{retried['runId']}/retry").status_code == 409


def test_nightly_refresh_extends_the_horizon(api: Api) -> None:
    _, _, created = layer(api)
    api.advance(duration="P3D")
    nightly = runs(api, created["id"], trigger="scheduled", commandId="refresh-schedule-scheduled")
    assert [r["startedAt"][11:16] for r in nightly] == ["03:00"] * 3
    items = slots(api, created["id"])
    assert [s["localDate"] for s in items] == [f"2026-05-{d}" for d in range(11, 16)]
    # the last nightly run (05-13 03:00) planned the three days after it


def test_automatic_generation_is_not_refused_by_the_running_jobs_cap(api: Api) -> None:
    """The 50-running-jobs cap answers API calls with 429; a layer's own generation is internal
    work and still fills its slots when the organization's API callers hold the cap."""
    busy = api.project(name="Busy App", appName="Busy App", appDescription=DESCRIPTION)["id"]  # holds the cap
    for i in range(50):
        r = api.post(f"/v1/projects/{busy}/content/slideshow-builder", json={"hook": f"Hook {i} here"})
        assert r.status_code == 202, r.text
    over = api.post(f"/v1/projects/{busy}/content/slideshow-builder", json={"hook": "One too many"})
    assert over.status_code == 429 and over.json()["error"]["code"] == "RATE_LIMITED"
    project, account = project_with_account(api)
    r = install(api, project["id"], account, generationMode="automatic")
    assert r.status_code == 201, r.text
    assert [s["status"] for s in slots(api, r.json()["id"])] == ["pending_assets"] * 3


def test_automatic_generation_fills_empty_slots_once(api: Api) -> None:
    _, _, created = layer(api, generationMode="automatic")
    items = slots(api, created["id"])
    assert [s["status"] for s in items] == ["pending_assets"] * 3
    generated = [s["containerId"] for s in items]
    [init] = runs(api, created["id"])
    gen = init["activities"][-1]
    assert gen["name"] == "requestGeneration" and gen["input"]["generateCount"] == 3
    assert gen["output"]["containerIds"] == generated
    again = execute(api, created["id"], "refresh-schedule")  # in flight: nothing more is requested
    assert again["output"]["generationRequested"] == 0
    api.advance(seconds=300)
    assert [s["status"] for s in slots(api, created["id"])] == ["ready"] * 3
    assert [s["containerId"] for s in slots(api, created["id"])] == generated
