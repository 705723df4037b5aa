"""Per-tenant time and the job engine: work runs at its own instant, in order, during an advance;
reads reflect due work; outcomes can be forced."""
from __future__ import annotations

from typing import Any

import pytest

from emulator import jobs
from emulator.context import Ctx
from tests.support import Api, emulator_client, new_key

jobs.register(
    jobs.JobKind(
        "test_two_stage",
        stages=(("queued", 10), ("working", 20)),
        on_complete=lambda ctx, job: _result(job),
        non_cancelable=frozenset({"working"}),
    )
)


async def _result(job: dict[str, Any]) -> dict[str, Any]:
    return {"echo": job["_params"].get("echo")}


def start_job(api: Api, **params: Any) -> dict[str, Any]:
    """Start a test job through the engine (no public route starts this kind)."""
    client = api.client
    emu = client.app.state.emulator  # type: ignore[attr-defined]
    tenant_id = api.get("/v1/whoami").json()["organizationId"]

    async def run() -> dict[str, Any]:
        async with emu.store.tx() as db:
            tenant = await emu.tenants.get(db, tenant_id)
            ctx = Ctx(emu, tenant, tenant.now(), db)
            return jobs.envelope(await jobs.start(ctx, "test_two_stage", pointers={"projectId": None}, params=params))

    return client.portal.call(run)  # type: ignore[attr-defined,no-any-return]


def test_clock_starts_at_start_and_moves_only_when_advanced(api: Api) -> None:
    assert api.get("/_emulator/clock").json() == {"now": "2026-05-11T00:00:00.000Z", "mode": "virtual"}
    api.get("/v1/projects")
    assert api.get("/_emulator/clock").json()["now"] == "2026-05-11T00:00:00.000Z"
    assert api.advance(seconds=1.5)["now"] == "2026-05-11T00:00:01.500Z"
    assert api.advance(duration="P1DT2H")["now"] == "2026-05-12T02:00:01.500Z"
    assert api.advance(to="2026-06-01T00:00:00Z")["now"] == "2026-06-01T00:00:00.000Z"


def test_each_tenant_has_its_own_clock(api: Api, client: Any) -> None:
    other = Api(client, new_key())
    api.advance(duration="P3D")
    assert other.get("/_emulator/clock").json()["now"] == "2026-05-11T00:00:00.000Z"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"seconds": -1}, id="negative"),
        pytest.param({"to": "2026-01-01T00:00:00Z"}, id="backwards"),
        pytest.param({"duration": "P1M"}, id="months"),
        pytest.param({"duration": "soon"}, id="garbage"),
        pytest.param({"seconds": 1, "duration": "PT1S"}, id="two-at-once"),
        pytest.param({}, id="none"),
        pytest.param({"to": "2026-06-01"}, id="date-only"),
        pytest.param({"seconds": "10"}, id="string-seconds"),
    ],
)
def test_bad_advances_are_validation(api: Api, body: dict[str, Any]) -> None:
    r = api.post("/_emulator/clock/advance", json=body)
    assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION"


def test_job_moves_through_stages_on_the_tenant_clock(api: Api) -> None:
    job = start_job(api, echo="hi")
    assert job["status"] == "running" and job["stage"] == "queued"
    assert job["locationUrl"] == f"/v1/jobs/{job['jobId']}"
    api.advance(seconds=10)
    mid = api.get(f"/v1/jobs/{job['jobId']}").json()
    assert mid["stage"] == "working" and 0 < mid["progress"] < 1
    ran = api.advance(seconds=3600)["ran"]
    assert ran["job.step"] == 1
    done = api.get(f"/v1/jobs/{job['jobId']}").json()
    assert done["status"] == "completed" and done["result"] == {"echo": "hi"}
    assert done["finishedAt"] == "2026-05-11T00:00:30.000Z"  # at its own instant, not the advance target
    event = [e for e in api.events(kind="event") if e["type"] == "job.completed"][0]
    assert event["at"] == "2026-05-11T00:00:30.000Z"


def test_job_poll_supports_etag(api: Api) -> None:
    job = start_job(api)
    first = api.get(f"/v1/jobs/{job['jobId']}")
    tag = first.headers["ETag"]
    assert api.get(f"/v1/jobs/{job['jobId']}", headers={"If-None-Match": tag}).status_code == 304
    api.advance(seconds=10)
    assert api.get(f"/v1/jobs/{job['jobId']}", headers={"If-None-Match": tag}).status_code == 200


def test_cancel_takes_effect_at_the_next_stage_boundary(api: Api) -> None:
    job = start_job(api)
    r = api.post(f"/v1/jobs/{job['jobId']}/cancel")
    assert r.status_code == 202 and r.json() == {"jobId": job["jobId"], "accepted": True}
    assert api.get(f"/v1/jobs/{job['jobId']}").json()["status"] == "running"
    api.advance(seconds=10)
    assert api.get(f"/v1/jobs/{job['jobId']}").json()["status"] == "canceled"
    again = api.post(f"/v1/jobs/{job['jobId']}/cancel")
    assert again.status_code == 200 and again.json()["reason"] == "ALREADY_CANCELED"


def test_cancel_refused_in_a_non_cancelable_stage(api: Api) -> None:
    job = start_job(api)
    api.advance(seconds=11)
    r = api.post(f"/v1/jobs/{job['jobId']}/cancel")
    assert r.status_code == 409
    assert r.json()["error"]["details"] == {"subcode": "JOB_CANCEL_UNAVAILABLE", "jobId": job["jobId"], "stage": "working"}


def test_forced_kind_outcome_fails_future_jobs(api: Api) -> None:
    r = api.post("/_emulator/job-outcomes", json={"kind": "test_two_stage", "outcome": "fail", "errorCode": "SCRAPE_FAILED", "afterSeconds": 5})
    assert r.status_code == 200
    job = start_job(api)
    api.advance(seconds=5)
    failed = api.get(f"/v1/jobs/{job['jobId']}").json()
    assert failed["status"] == "failed" and failed["error"]["code"] == "SCRAPE_FAILED"
    api.post("/_emulator/job-outcomes", json={"kind": "test_two_stage", "outcome": "natural"})
    natural = start_job(api)
    api.advance(seconds=30)
    assert api.get(f"/v1/jobs/{natural['jobId']}").json()["status"] == "completed"


def test_forced_job_outcomes(api: Api) -> None:
    stuck = start_job(api)
    assert api.post(f"/_emulator/jobs/{stuck['jobId']}/outcome", json={"outcome": "stuck"}).status_code == 200
    quick = start_job(api)
    api.post(f"/_emulator/jobs/{quick['jobId']}/outcome", json={"outcome": "complete", "afterSeconds": 2})
    api.advance(seconds=2)
    assert api.get(f"/v1/jobs/{quick['jobId']}").json()["status"] == "completed"
    api.advance(duration="P30D")
    assert api.get(f"/v1/jobs/{stuck['jobId']}").json()["status"] == "running"
    assert api.post(f"/_emulator/jobs/{quick['jobId']}/outcome", json={"outcome": "fail"}).status_code == 409
    unknown = api.post("/_emulator/job-outcomes", json={"kind": "nope", "outcome": "fail"})
    assert unknown.status_code == 422


def test_foreign_job_is_404(api: Api, client: Any) -> None:
    job = start_job(api)
    other = Api(client, new_key())
    assert other.get(f"/v1/jobs/{job['jobId']}").status_code == 404


def test_timeline_lists_requests_and_filters_by_kind(api: Api) -> None:
    api.project()
    kinds = {e["kind"] for e in api.events()}
    assert {"request", "event"} <= kinds
    only = api.events(kind="request")
    assert only and all(e["kind"] == "request" for e in only)


def test_reset_wipes_the_tenant_only(api: Api, client: Any) -> None:
    other = Api(client, new_key())
    keep = other.project()
    api.project()
    api.advance(duration="P1D")
    assert api.post("/_emulator/reset", json={}).status_code == 200
    assert api.get("/v1/projects").json()["items"] == []
    assert api.get("/_emulator/clock").json()["now"] == "2026-05-11T00:00:00.000Z"
    assert other.get(f"/v1/projects/{keep['id']}").status_code == 200


def test_same_seed_same_requests_same_ids() -> None:
    def run() -> list[str]:
        with emulator_client(seed=3) as c:
            api = Api(c, "lp_test_determinism")
            return [api.project(name=f"Project {i}")["id"] for i in range(3)] + [api.get("/v1/whoami").json()["organizationId"]]

    assert run() == run()


def test_real_clock_follows_the_wall_plus_offset() -> None:
    with emulator_client(clock="real", start=None, scheduler=False) as c:
        api = Api(c, new_key())
        before = api.now()
        api.advance(duration="P2D")
        after = api.now()
        assert (after - before).total_seconds() >= 2 * 86400
        assert api.get("/_emulator/clock").json()["mode"] == "real"
