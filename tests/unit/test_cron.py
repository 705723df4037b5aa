"""Cron helpers: UTC, 5 standard fields, strictly-after semantics (distribution.md §4.5, §6)."""
from __future__ import annotations

import time as wallclock
from datetime import UTC, datetime, timedelta, timezone

import pytest
from croniter import croniter
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.domain.cron import (
    InvalidCronExpression,
    fires_between,
    next_fire_after,
    validate_cron,
)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


@pytest.mark.parametrize(
    "expr",
    [
        pytest.param("* * * * *", id="process-due"),
        pytest.param("*/5 * * * *", id="recover-overdue"),
        pytest.param("0 3 * * *", id="nightly-refresh"),
        pytest.param("37 9 * * *", id="override-from-docs"),
        pytest.param("0,30 * * * *", id="posts-sync"),
        pytest.param("0 9-17/2 * jan-jun mon-fri", id="names-ranges-steps"),
        pytest.param("0 0 29 2 *", id="leap-day"),
        pytest.param("0 0 * * 7", id="sunday-as-7"),
    ],
)
def test_valid_expressions(expr: str) -> None:
    validate_cron(expr)


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        pytest.param("0 0 * * * *", "exactly 5 fields", id="six-fields"),
        pytest.param("0 3 * *", "exactly 5 fields", id="four-fields"),
        pytest.param("@daily", "exactly 5 fields", id="macro"),
        pytest.param("", "got 0", id="empty"),
        pytest.param("61 * * * *", "out of range", id="minute-61"),
        pytest.param("0 24 * * *", "out of range", id="hour-24"),
        pytest.param("*/0 * * * *", "step", id="step-zero"),
        pytest.param("0 0 L * *", "day-of-month field 'L'", id="last-day-extension"),
        pytest.param("0 0 * * 5#2", "day-of-week field '5#2'", id="nth-weekday-extension"),
        pytest.param("H * * * *", "minute field 'H'", id="hash-extension"),
        pytest.param("0 0 ? * *", "day-of-month field '?'", id="question-mark"),
        pytest.param("0 0 * foo *", "not acceptable", id="bad-month-name"),
        pytest.param("0 0 31 2 *", "never fires", id="never-fires"),
        pytest.param("\u0665 * * * *", "minute field", id="non-ascii-digit"),
    ],
)
def test_invalid_expressions_say_why(expr: str, reason: str) -> None:
    with pytest.raises(InvalidCronExpression, match=reason) as caught:
        validate_cron(expr)
    assert isinstance(caught.value, ValueError) and caught.value.expression == expr


def test_next_fire_is_strictly_after_a_fire_instant() -> None:
    assert next_fire_after("0 3 * * *", utc(2026, 5, 11, 3)) == utc(2026, 5, 12, 3)
    assert next_fire_after("* * * * *", utc(2026, 5, 11, 3, 0, 30)) == utc(2026, 5, 11, 3, 1)


def test_next_fire_is_evaluated_in_utc() -> None:
    berlin_noon = datetime(2026, 5, 11, 12, tzinfo=timezone(timedelta(hours=2)))
    got = next_fire_after("0 3 * * *", berlin_noon)
    assert got == utc(2026, 5, 12, 3) and got.tzinfo is UTC


def test_naive_reference_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_fire_after("* * * * *", datetime(2026, 5, 11))


def test_fires_between_is_half_open() -> None:
    a, b = utc(2026, 5, 11, 0), utc(2026, 5, 11, 0, 15)
    assert fires_between("*/5 * * * *", a, b) == [
        utc(2026, 5, 11, 0, 5),
        utc(2026, 5, 11, 0, 10),
        utc(2026, 5, 11, 0, 15),
    ]
    assert fires_between("*/5 * * * *", b, a) == []
    assert fires_between("*/5 * * * *", a, a) == []


def test_a_week_of_every_minute_is_fast() -> None:
    a = utc(2026, 5, 11)
    started = wallclock.perf_counter()
    got = fires_between("* * * * *", a, a + timedelta(days=7))
    assert len(got) == 7 * 24 * 60 and got[0] == utc(2026, 5, 11, 0, 1)
    assert got[-1] == a + timedelta(days=7)
    assert wallclock.perf_counter() - started < 1.0


def test_day_of_month_or_day_of_week() -> None:
    got = fires_between("0 12 1 * mon", utc(2026, 6, 1), utc(2026, 6, 16))
    assert got == [utc(2026, 6, 1, 12), utc(2026, 6, 8, 12), utc(2026, 6, 15, 12)]


# --------------------------------------------------------------------------- properties


def _field(values: st.SearchStrategy[int]) -> st.SearchStrategy[str]:
    single = values.map(str)
    pair = st.tuples(values, values).map(lambda p: f"{min(p)}-{max(p)}")
    return st.one_of(
        st.just("*"),
        single,
        st.lists(values, min_size=2, max_size=4, unique=True).map(lambda v: ",".join(map(str, v))),
        pair,
        st.integers(2, 20).map(lambda k: f"*/{k}"),
        st.tuples(pair, st.integers(2, 7)).map(lambda p: f"{p[0]}/{p[1]}"),
    )


crons = st.tuples(
    _field(st.integers(0, 59)),
    _field(st.integers(0, 23)),
    st.sampled_from(["*", "1", "1,15", "*/2", "10-20", "28-31"]),
    st.sampled_from(["*", "jan-mar", "2", "*/3", "6,12"]),
    st.sampled_from(["*", "mon-fri", "0", "sun,7", "1-5/2", "sat"]),
).map(" ".join)
instants = st.datetimes(datetime(2000, 1, 1), datetime(2037, 12, 31), timezones=st.just(UTC))


def _usable(expr: str) -> bool:
    try:
        validate_cron(expr)
    except InvalidCronExpression:
        return False
    return True


usable_crons = crons.filter(_usable)


@given(usable_crons, instants)
def test_next_fire_is_strictly_after_and_a_real_fire(expr: str, t: datetime) -> None:
    fire = next_fire_after(expr, t)
    assert fire > t and fire.tzinfo is UTC
    assert fire.second == 0 and fire.microsecond == 0
    assert croniter.match(expr, fire.replace(tzinfo=None))


@given(usable_crons, instants, st.integers(0, 10**7))
def test_next_fire_is_monotone_in_t(expr: str, t: datetime, later_by: int) -> None:
    later = t + timedelta(seconds=later_by)
    assert next_fire_after(expr, t) <= next_fire_after(expr, later)


@settings(deadline=None, max_examples=80)
@given(usable_crons, instants, st.integers(0, 36 * 60))
def test_fires_between_matches_repeated_next_fire(expr: str, a: datetime, minutes: int) -> None:
    b = a + timedelta(minutes=minutes)
    got = fires_between(expr, a, b)
    assert all(x < y for x, y in zip(got, got[1:]))
    assert all(a < f <= b for f in got)
    expected: list[datetime] = []
    cursor = a
    while (fire := next_fire_after(expr, cursor)) <= b:
        expected.append(fire)
        cursor = fire
    assert got == expected


@settings(deadline=None)
@given(usable_crons, instants)
def test_next_fire_is_the_only_fire_up_to_itself(expr: str, t: datetime) -> None:
    fire = next_fire_after(expr, t)
    assert fires_between(expr, t, fire) == [fire]
