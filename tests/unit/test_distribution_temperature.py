"""Temperature rule (emulator choice, distribution.md §5.12): posts published in the trailing
14 days: < 7 cold, 7-20 warm, >= 21 hot."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from emulator.domain.slots import AUTOMATIC_TIMES
from emulator.services.temperature import HOT_AT, WARM_AT, from_count

ORDER = {"cold": 0, "warm": 1, "hot": 2}


def test_thresholds_read_like_the_rule() -> None:
    assert [from_count(n) for n in (0, 6, 7, 20, 21, 500)] == ["cold", "cold", "warm", "warm", "hot", "hot"]
    assert (WARM_AT, HOT_AT) == (7, 21)


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=10_000))
def test_more_published_posts_never_cool_an_account(a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    assert ORDER[from_count(lo)] <= ORDER[from_count(hi)]


@given(st.integers(min_value=0, max_value=10_000))
def test_every_count_maps_to_a_known_slot_grid(n: int) -> None:
    temp = from_count(n)
    assert len(AUTOMATIC_TIMES[temp]) == ORDER[temp] + 1  # 1, 2 or 3 automatic slots a day
