"""A hypothesis state machine over the scheduled-posts API: schedule, publish now, reschedule,
cancel, faults, token errors and clock advances in any order. After every step every post is
read back and checked: terminal states absorb, only documented transitions happen, and every
read is consistent with the tenant clock."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from emulator.clock import parse_instant
from tests.api.test_publishing import connect, container, make_project
from tests.support import Api, emulator_client, new_key

TERMINAL = {"published", "failed", "canceled", "draft"}
ALLOWED = {
    "queued": {"queued", "publishing", "draft", "failed", "canceled", "published"},
    "publishing": {"publishing", "published", "failed"},
}
FROZEN = ("status", "externalId", "externalUrl", "publishedAt", "canceledAt", "attemptedAt", "lastError", "scheduledFor")

_client: Any = None


@pytest.fixture(scope="module", autouse=True)
def shared_client() -> Iterator[None]:
    global _client
    with emulator_client() as c:
        _client = c
        yield
    _client = None


def _z(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


class ScheduledPosts(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.api = Api(_client, new_key())
        project = make_project(self.api, tz="Europe/Berlin")
        self.project_id = project["id"]
        self.accounts = [connect(self.api, project, "tiktok"), connect(self.api, project, "instagram")]
        self.cid = container(self.api, project)
        self.seen: dict[str, dict[str, Any]] = {}

    def _now(self) -> datetime:
        return self.api.now()

    def _read(self, sp_id: str) -> dict[str, Any]:
        r = self.api.get(f"/v1/scheduled-posts/{sp_id}")
        assert r.status_code == 200, r.text
        return dict(r.json())

    @rule(delay=st.integers(min_value=30, max_value=4 * 3600), account=st.integers(0, 1),
          mode=st.sampled_from(["publish", "publish", "draft", "managed"]))
    def schedule(self, delay: int, account: int, mode: str) -> None:
        when = _z(self._now() + timedelta(seconds=delay))
        r = self.api.post(f"/v1/content/{self.cid}/schedule",
                          json={"scheduledFor": when, "targets": [{"socialAccountId": self.accounts[account], "mode": mode}]})
        assert r.status_code == 201, r.text
        assert r.json()["scheduledFor"] == when
        for sp_id in r.json()["scheduledPostIds"]:
            assert sp_id not in self.seen
            self.seen[sp_id] = self._read(sp_id)
            assert self.seen[sp_id]["status"] == "queued"

    @rule(account=st.integers(0, 1))
    def publish_now(self, account: int) -> None:
        r = self.api.post(f"/v1/content/{self.cid}/publish",
                          json={"targets": [{"socialAccountId": self.accounts[account], "mode": "publish"}]})
        assert r.status_code == 201, r.text
        for sp_id in r.json()["scheduledPostIds"]:
            self.seen[sp_id] = self._read(sp_id)
            assert self.seen[sp_id]["status"] in ("publishing", "failed")

    @precondition(lambda self: bool(self.seen))
    @rule(data=st.data(), delay=st.integers(min_value=-120, max_value=4 * 3600))
    def reschedule(self, data: st.DataObject, delay: int) -> None:
        sp_id = data.draw(st.sampled_from(sorted(self.seen)))
        before = self._read(sp_id)
        when = _z(self._now() + timedelta(seconds=delay))
        r = self.api.post(f"/v1/scheduled-posts/{sp_id}/reschedule", json={"scheduledFor": when})
        if before["status"] != "queued":
            assert r.status_code == 409, r.text
        elif delay < 30:
            assert r.status_code == 422, r.text
        else:
            assert r.status_code == 200, r.text
            assert r.json()["scheduledFor"] == when
            self.seen[sp_id] = self._read(sp_id)

    @precondition(lambda self: bool(self.seen))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        sp_id = data.draw(st.sampled_from(sorted(self.seen)))
        before = self._read(sp_id)
        r = self.api.delete(f"/v1/scheduled-posts/{sp_id}")
        if before["status"] == "queued":
            assert r.status_code == 200, r.text
            self.seen[sp_id] = self._read(sp_id)
            assert self.seen[sp_id]["status"] == "canceled"
        else:
            assert r.status_code == 409, r.text

    @rule(seconds=st.sampled_from([1, 5, 6, 7, 29, 60, 600, 900, 3600, 7200]))
    def advance(self, seconds: int) -> None:
        self.api.advance(seconds=seconds)

    @rule(platform=st.sampled_from(["tiktok", "instagram"]), n=st.integers(1, 4), status=st.sampled_from([400, 500, 503]))
    def fault(self, platform: str, n: int, status: int) -> None:
        assert self.api.post(f"/_emulator/platforms/{platform}/faults", json={"failNext": n, "status": status}).status_code == 200

    @rule(account=st.integers(0, 1), broken=st.booleans())
    def token(self, account: int, broken: bool) -> None:
        r = self.api.post(f"/_emulator/social-accounts/{self.accounts[account]}",
                          json={"tokenError": "token revoked" if broken else None})
        assert r.status_code == 200, r.text

    @invariant()
    def reads_are_consistent(self) -> None:
        if not hasattr(self, "api"):
            return
        now = self._now()
        items = self.api.get(f"/v1/projects/{self.project_id}/scheduled-posts", params={"limit": 100}).json()["items"]
        assert {p["id"] for p in items} == set(self.seen)
        for current in items:
            previous = self.seen[current["id"]]
            status, was = current["status"], previous["status"]
            if was in TERMINAL:  # terminal states absorb, nothing about them changes
                assert {k: current[k] for k in FROZEN} == {k: previous[k] for k in FROZEN}
            else:
                assert status in ALLOWED[was], (was, status)
            scheduled = parse_instant(current["scheduledFor"])
            assert current["scheduledFor"].endswith("Z")
            if status == "queued":  # a due partner post has always gone out by the time anyone reads
                assert scheduled > now
            if status == "publishing":
                attempted = parse_instant(current["attemptedAt"])
                limit = timedelta(minutes=15) if current["mode"] == "managed" else timedelta(seconds=6)
                assert attempted <= now < attempted + limit
            if status == "published":
                assert current["externalId"] and current["externalUrl"] and current["platformPostId"]
                assert parse_instant(current["publishedAt"]) <= now
            if status == "failed":
                assert current["lastError"]["code"]
            if status == "canceled":
                assert current["attemptedAt"] is None and parse_instant(current["canceledAt"]) <= now
            self.seen[current["id"]] = current


ScheduledPosts.TestCase.settings = settings(
    max_examples=20, stateful_step_count=16, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
TestScheduledPostsMachine = ScheduledPosts.TestCase
