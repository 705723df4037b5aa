"""A hypothesis state machine over containers through HTTP: terminal statuses absorb, only the
documented transitions happen, every read agrees with the tenant clock, and approve / reject
succeed exactly when the model says they may."""
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from emulator.clock import parse_instant
from tests.api.content_support import FITNESS
from tests.support import Api, new_key

NEXT = {
    "queued": {"queued", "processing", "completed", "failed", "canceled"},  # reads may skip a state
    "processing": {"processing", "completed", "failed", "canceled"},
    "completed": {"completed"},
    "failed": {"failed"},
    "canceled": {"canceled"},
}
APPROVAL_NEXT = {
    "not_required": {"not_required"},
    "pending": {"pending", "approved", "rejected"},
    "approved": {"approved"},
    "rejected": {"rejected"},
}
CLIENT: dict[str, Any] = {}


class Containers(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.api = Api(CLIENT["client"], new_key())
        self.project = self.api.project(appName="Acme Lift", appDescription=FITNESS)
        self.seen: dict[str, dict[str, Any]] = {}  # id -> last read
        self.jobs: dict[str, str] = {}  # container -> job
        self.disturbed: set[str] = set()  # canceled or forced: timing no longer fixed

    def _read(self, cid: str) -> dict[str, Any]:
        r = self.api.get(f"/v1/content/{cid}")
        assert r.status_code == 200, r.text
        return dict(r.json())

    @rule(hook=st.sampled_from(["POV: day one", "3 things\\nnobody tells you", "🔥 finally"]))
    def generate(self, hook: str) -> None:
        r = self.api.post(f"/v1/projects/{self.project['id']}/content/slideshow-builder", json={"hook": hook})
        assert r.status_code == 202, r.text
        cid = r.json()["containerIds"][0]
        self.jobs[cid] = r.json()["jobId"]
        self.seen[cid] = self._read(cid)

    @rule(seconds=st.sampled_from([1, 2, 5, 30, 60, 89, 120]))
    def advance(self, seconds: int) -> None:
        self.api.advance(seconds=seconds)

    @rule(policy=st.sampled_from(["auto_approve", "review_all"]))
    def set_policy(self, policy: str) -> None:
        r = self.api.patch(f"/v1/projects/{self.project['id']}/content-review-policy", json={"policy": policy})
        assert r.status_code == 200

    @precondition(lambda self: bool(self.seen))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        cid = data.draw(st.sampled_from(sorted(self.seen)))
        r = self.api.post(f"/v1/jobs/{self.jobs[cid]}/cancel")
        assert r.status_code in (200, 202, 409), r.text
        self.disturbed.add(cid)

    @precondition(lambda self: bool(self.seen))
    @rule(data=st.data())
    def force_fail(self, data: st.DataObject) -> None:
        cid = data.draw(st.sampled_from(sorted(self.seen)))
        running = self._read(cid)["status"] in ("queued", "processing")
        r = self.api.post(f"/_emulator/content/{cid}", json={"outcome": "failed", "code": "GENERATION_FAILED"})
        assert r.status_code == (200 if running else 409), r.text
        self.disturbed.add(cid)

    @precondition(lambda self: bool(self.seen))
    @rule(data=st.data(), approve=st.booleans())
    def decide(self, data: st.DataObject, approve: bool) -> None:
        cid = data.draw(st.sampled_from(sorted(self.seen)))
        before = self._read(cid)
        if approve:
            r = self.api.post(f"/v1/content/{cid}/approve", json={})
        else:
            r = self.api.post(f"/v1/content/{cid}/reject", json={"reason": "model says no"})
        allowed = before["status"] == "completed" and before["approvalStatus"] == "pending"
        assert r.status_code == (200 if allowed else 409), r.text

    @invariant()
    def reads_follow_the_rules(self) -> None:
        if not hasattr(self, "api"):
            return
        now = self.api.now()
        for cid, last in self.seen.items():
            cur = self._read(cid)
            assert cur["status"] in NEXT[last["status"]], (last["status"], cur["status"])
            assert cur["approvalStatus"] in APPROVAL_NEXT[last["approvalStatus"]]
            assert (cur["preview"] is not None) == (cur["status"] == "completed")
            if cid not in self.disturbed:
                elapsed = (now - parse_instant(cur["createdAt"])).total_seconds()
                expected = "queued" if elapsed < 2 else "processing" if elapsed < 90 else "completed"
                assert cur["status"] == expected, (elapsed, cur["status"])
            progress = self.api.get(f"/v1/content/{cid}/progress").json()
            assert progress["status"] == cur["status"]
            assert (progress["etaSeconds"] is None) == (cur["status"] in ("completed", "failed", "canceled"))
            self.seen[cid] = cur


@pytest.mark.filterwarnings("ignore")
def test_container_state_machine(client: object) -> None:
    CLIENT["client"] = client
    Containers.TestCase.settings = settings(
        max_examples=12, stateful_step_count=10, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    Containers.TestCase().runTest()
