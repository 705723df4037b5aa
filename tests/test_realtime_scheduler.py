"""With the real clock, APScheduler fires layer commands on its own: no request, no advance.

Each test moves the tenant's clock (real clock + offset) to just before a cadence instant, then
waits, without making any request, on an Event set by the command itself. These are the only
wall-clock waits in the suite; each is bounded by a timeout of a few seconds.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from emulator import engine
from emulator.clock import iso
from emulator.services import commands
from tests.api.layers_helpers import execute, layer, make_content, runs
from tests.support import Api, emulator_client, new_key

pytestmark = pytest.mark.realtime
LEAD = timedelta(seconds=1.5)
TIMEOUT = 8.0


@pytest.fixture(scope="module")
def real() -> Iterator[Any]:
    with emulator_client(clock="real", start=None) as client:
        yield client


def _next_minute(api: Api) -> Any:
    """The next minute boundary that is still ahead once we advance to LEAD before it (in the
    last seconds of a minute, that is the one after)."""
    now = api.now()
    boundary = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if boundary - now < LEAD + timedelta(seconds=1):
        boundary += timedelta(minutes=1)
    return boundary


def _signal(monkeypatch: pytest.MonkeyPatch, table: dict[str, Any], key: str) -> threading.Event:
    fired = threading.Event()
    original = table[key]

    async def wrapped(*args: Any) -> Any:
        result = await original(*args)
        fired.set()
        return result

    monkeypatch.setitem(table, key, wrapped)
    return fired


def test_the_cron_override_fires_without_any_request(real: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    api = Api(real, new_key())
    _, _, created = layer(api, schedule={"cron": "* * * * *"})
    live = real.app.state.emulator.ticker
    job_ids = {j.id for j in live.scheduler.get_jobs()}
    assert "process-due" in job_ids and "refresh-schedule-scheduled" in job_ids
    assert any(j.endswith(created["id"]) for j in job_ids)  # the layer's own cron job
    boundary = _next_minute(api)
    api.advance(to=iso(boundary - LEAD))
    fired = _signal(monkeypatch, engine.HANDLERS, "command.refresh-schedule-scheduled")
    assert fired.wait(TIMEOUT), "APScheduler did not fire the nightly refresh on its cron"
    [run] = runs(api, created["id"], trigger="scheduled")
    assert run["commandId"] == "refresh-schedule-scheduled" and run["startedAt"] == iso(boundary)
    api.patch(f"/api/project-layers/{created['id']}", json={"schedule": {"cron": None}})
    assert not any(j.id.endswith(created["id"]) for j in live.scheduler.get_jobs())


def _scenario(api: Api) -> tuple[str, dict[str, Any], str]:
    project, _, created = layer(api, willPublish=True, distributionMode="custom", schedule={"times": ["10:00"]})
    [cid] = make_content(api, project["id"], 1)
    out = execute(api, created["id"], "attach-to-schedule", containerId=cid)["output"]
    return created["id"], out, out["scheduledAt"]


def _outcome(api: Api, layer_id: str, out: dict[str, Any], slot: str) -> tuple[Any, ...]:
    [run] = runs(api, layer_id, commandId="process-due")
    post = api.get(f"/v1/scheduled-posts/{out['scheduledPostId']}").json()
    return (run["trigger"], run["status"], run["startedAt"] == slot, [a["name"] for a in run["activities"]],
            post["attemptedAt"] == slot)


def test_process_due_publishes_at_the_slot_in_real_time_as_in_virtual_time(
    real: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from emulator.clock import parse_instant

    api = Api(real, new_key())
    layer_id, out, slot = _scenario(api)
    api.advance(to=iso(parse_instant(slot) - LEAD))
    fired = _signal(monkeypatch, commands.BODIES, "process-due")
    assert fired.wait(TIMEOUT), "process-due did not fire at the slot"
    real_outcome = _outcome(api, layer_id, out, slot)
    assert api.get(f"/v1/scheduled-posts/{out['scheduledPostId']}").json()["status"] in ("publishing", "published")

    with emulator_client() as virtual_client:  # the same scenario on a virtual clock
        vapi = Api(virtual_client, new_key())
        v_layer, v_out, v_slot = _scenario(vapi)
        vapi.advance(to=iso(parse_instant(v_slot) + timedelta(seconds=1)))
        assert _outcome(vapi, v_layer, v_out, v_slot) == real_outcome


def test_cron_overrides_are_rebuilt_from_sqlite_at_start(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from emulator import ticker

    db = str(tmp_path / "layers.db")
    with emulator_client(db=db, clock="real", start=None) as first:
        api = Api(first, new_key())
        _, _, created = layer(api, schedule={"cron": "15 4 * * *"})
    rebuilt = threading.Event()
    original = commands.rebuild_ticker

    async def wrapped(live: Any) -> None:
        await original(live)
        rebuilt.set()

    monkeypatch.setattr(ticker, "ON_START", [wrapped if fn is original else fn for fn in ticker.ON_START])
    with emulator_client(db=db, clock="real", start=None) as second:
        assert rebuilt.wait(TIMEOUT), "the per-layer cron jobs were not rebuilt at start"
        jobs = {j.id: j for j in second.app.state.emulator.ticker.scheduler.get_jobs()}
        [job] = [j for jid, j in jobs.items() if jid.endswith(created["id"])]
        assert "hour='4'" in str(job.trigger) and "minute='15'" in str(job.trigger)
