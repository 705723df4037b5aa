"""The generation stage plan: the three documented stages, 2 s queued, ~10 % finalizing."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from emulator.services.generation import SPECS, plan_for


@given(total=st.floats(min_value=30, max_value=3600))
def test_plan_adds_up_and_keeps_the_documented_stage_names(total: float) -> None:
    plan = plan_for(total)
    assert [name for name, _ in plan] == ["queued", "generating_visuals", "finalizing"]
    assert plan[0][1] == 2.0
    assert abs(sum(s for _, s in plan) - total) < 1e-6
    assert abs(plan[2][1] - total * 0.1) < 0.01
    assert all(s > 0 for _, s in plan)


def test_format_durations_stay_at_or_below_the_documented_samples() -> None:
    assert {f: spec[0] for f, spec in SPECS.items()} == {
        "slideshow-builder": 90, "slideshow-remix": 150, "video-remix": 240, "ugc-remix": 240}
    assert all(spec[0] <= 262 for spec in SPECS.values())  # 4 min 22 s, the longest sample
