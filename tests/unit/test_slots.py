"""Slot planner: examples that read like the spec (distribution.md §5), then properties."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.domain.slots import (
    AUTOMATIC_TIMES,
    ExistingSlot,
    ReadyContainer,
    SlotConfigError,
    assign,
    attach_key,
    attach_order,
    choose_slot,
    gap_shift,
    horizon_days,
    local_to_utc,
    next_grid_instant_after,
    parse_times,
    plan,
    plan_instants,
    slot_times,
    validate_times,
)

NY = "America/New_York"
ZONES = [
    NY,
    "Europe/London",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "UTC",
    "America/Sao_Paulo",
]


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def hm(*values: str) -> list[time]:
    return parse_times(list(values))


def walls(instants: list[datetime], tz: str) -> list[str]:
    return [i.astimezone(ZoneInfo(tz)).strftime("%m-%d %H:%M%z") for i in instants]


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    ("temperature", "expected"),
    [
        pytest.param("cold", ["10:00"], id="cold"),
        pytest.param("warm", ["10:00", "15:00"], id="warm"),
        pytest.param("hot", ["10:00", "15:00", "19:00"], id="hot"),
        pytest.param(None, ["10:00"], id="no-snapshot-is-cold"),
    ],
)
def test_automatic_times_follow_temperature(temperature: str | None, expected: list[str]) -> None:
    assert slot_times("automatic", temperature, None) == hm(*expected)


def test_custom_times_are_sorted_and_manual_has_none() -> None:
    assert slot_times("custom", "hot", ["18:00", "09:00"]) == hm("09:00", "18:00")
    assert slot_times("manual", "hot", ["09:00"]) == []


@pytest.mark.parametrize(
    ("mode", "temperature", "times"),
    [
        pytest.param("scheduled", "cold", None, id="unknown-mode"),
        pytest.param("automatic", "lukewarm", None, id="unknown-temperature"),
        pytest.param("custom", "cold", None, id="custom-without-times"),
    ],
)
def test_bad_configuration_is_refused(mode: str, temperature: str, times: list[str] | None) -> None:
    with pytest.raises(SlotConfigError):
        slot_times(mode, temperature, times)


@pytest.mark.parametrize(
    ("values", "named"),
    [
        pytest.param(["24:00"], "'24:00'", id="hour-24"),
        pytest.param(["9:00"], "'9:00'", id="one-digit-hour"),
        pytest.param(["09:60"], "'09:60'", id="minute-60"),
        pytest.param(["09:00:00"], "'09:00:00'", id="seconds"),
        pytest.param([900], "900", id="not-a-string"),
        pytest.param(["09:00", "09:00"], "times[1] '09:00' is a duplicate", id="duplicate"),
        pytest.param([], "got 0", id="empty"),
        pytest.param([f"0{i}:00" for i in range(6)], "got 6", id="six"),
        pytest.param("09:00", "'09:00'", id="not-a-list"),
        pytest.param(["\uff10\uff19:00"], "is not a 24-hour", id="non-ascii-digits"),
    ],
)
def test_invalid_times_are_named(values: object, named: str) -> None:
    errors = validate_times(values)
    assert any(named in e for e in errors), errors
    with pytest.raises(SlotConfigError, match=named.replace("[", r"\[").replace("]", r"\]")):
        parse_times(values)


def test_valid_times_have_no_errors() -> None:
    assert validate_times(["00:00", "09:05", "23:59", "13:00", "18:30"]) == []


@pytest.mark.parametrize(
    ("available", "per_day", "days"),
    [
        pytest.param(0, 1, 3, id="floor-of-three"),
        pytest.param(7, 2, 4, id="ceil"),
        pytest.param(9, 3, 3, id="exact"),
        pytest.param(10, 3, 4, id="one-over"),
        pytest.param(5, 0, 3, id="manual"),
    ],
)
def test_horizon_days(available: int, per_day: int, days: int) -> None:
    assert horizon_days(available, per_day) == days


def test_unknown_timezone_is_named() -> None:
    with pytest.raises(SlotConfigError, match="Mars/Olympus"):
        plan_instants(utc(2026, 5, 11), "Mars/Olympus", hm("10:00"), 1)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_instants(datetime(2026, 5, 11), "UTC", hm("10:00"), 1)


# --------------------------------------------------------------------------- DST examples


def test_us_spring_forward_moves_gap_time_by_the_gap() -> None:
    got = plan_instants(utc(2026, 3, 7, 12), NY, hm("02:30"), 3)
    assert walls(got, NY) == ["03-08 03:30-0400", "03-09 02:30-0400", "03-10 02:30-0400"]
    assert got[0] == utc(2026, 3, 8, 7, 30)


def test_us_spring_forward_collision_is_not_doubled() -> None:
    got = plan_instants(utc(2026, 3, 7, 12), NY, hm("01:30", "02:30", "03:30"), 5)
    assert walls(got, NY) == [
        "03-08 01:30-0500",
        "03-08 03:30-0400",
        "03-09 01:30-0400",
        "03-09 02:30-0400",
        "03-09 03:30-0400",
    ]


def test_us_spring_forward_daily_slot_keeps_local_time() -> None:
    got = plan_instants(utc(2026, 3, 7), NY, AUTOMATIC_TIMES["cold"], 2)
    assert got == [utc(2026, 3, 7, 15), utc(2026, 3, 8, 14)]


def test_us_fall_back_takes_first_occurrence_once() -> None:
    got = plan_instants(utc(2026, 10, 31, 12), NY, hm("01:30"), 3)
    assert got == [utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30), utc(2026, 11, 3, 6, 30)]


def test_us_fall_back_from_inside_the_repeated_hour() -> None:
    # now = 01:10 EST (second pass); 01:30 EDT already happened, so the next is tomorrow.
    got = plan_instants(utc(2026, 11, 1, 6, 10), NY, hm("01:30"), 1)
    assert got == [utc(2026, 11, 2, 6, 30)]


@pytest.mark.parametrize(
    ("tz", "now", "wall", "expected_wall"),
    [
        pytest.param("Australia/Lord_Howe", utc(2026, 10, 3), "02:15", "10-04 02:45+1100", id="lhi-30min"),
        pytest.param("Pacific/Chatham", utc(2026, 9, 26), "03:00", "09-27 04:00+1345", id="chatham"),
        pytest.param("Europe/London", utc(2026, 3, 28, 12), "01:30", "03-29 02:30+0100", id="london"),
        pytest.param("America/Sao_Paulo", utc(2017, 10, 14, 12), "00:30", "10-15 01:30-0200", id="sp-midnight"),
    ],
)
def test_gap_shift_in_other_zones(tz: str, now: datetime, wall: str, expected_wall: str) -> None:
    assert walls(plan_instants(now, tz, hm(wall), 1), tz) == [expected_wall]


def test_next_grid_instant_after_last_planned_slot() -> None:
    last = utc(2026, 5, 12, 10)
    assert next_grid_instant_after(last, "UTC", hm("10:00", "15:00")) == utc(2026, 5, 12, 15)
    with pytest.raises(SlotConfigError):
        next_grid_instant_after(last, "UTC", [])


# --------------------------------------------------------------------------- plan examples

NOW = utc(2026, 5, 11)


def test_cold_plan_creates_three_days() -> None:
    p = plan(NOW, "UTC", "automatic", "cold", None, 0, [])
    assert p.to_create == (utc(2026, 5, 11, 10), utc(2026, 5, 12, 10), utc(2026, 5, 13, 10))
    assert p.stale == () and p.horizon_days == 3 and p.slots_per_day == 1


def test_horizon_grows_with_available_content() -> None:
    p = plan(NOW, "UTC", "automatic", "warm", None, 7, [])
    assert p.horizon_days == 4 and len(p.to_create) == 8


def test_existing_rows_of_any_status_occupy_their_instant() -> None:
    rows = [
        ExistingSlot("sp_1", utc(2026, 5, 11, 10), has_content=False, status="canceled"),
        ExistingSlot("sp_2", utc(2026, 5, 12, 10), has_content=True, status="ready"),
    ]
    p = plan(NOW, "UTC", "automatic", "cold", None, 0, rows)
    assert p.to_create == (utc(2026, 5, 13, 10),)


def test_off_grid_empty_future_rows_are_stale_but_content_and_past_rows_stay() -> None:
    rows = [
        ExistingSlot("sp_empty", utc(2026, 5, 11, 15), has_content=False),
        ExistingSlot("sp_full", utc(2026, 5, 11, 16), has_content=True, status="ready"),
        ExistingSlot("sp_past", utc(2026, 5, 10, 15), has_content=False),
        ExistingSlot("sp_far", utc(2026, 6, 1, 10), has_content=False),
    ]
    p = plan(NOW, "UTC", "automatic", "cold", None, 0, rows)
    assert p.stale == ("sp_empty", "sp_far")


def test_manual_mode_creates_nothing_and_clears_empty_slots() -> None:
    rows = [ExistingSlot("sp_1", utc(2026, 5, 11, 10), has_content=False)]
    p = plan(NOW, "UTC", "manual", "hot", None, 4, rows)
    assert p.to_create == () and p.stale == ("sp_1",)


def test_timezone_change_keeps_rows_with_content_in_place() -> None:
    first = plan(NOW, "UTC", "automatic", "cold", None, 0, [])
    rows = [ExistingSlot(f"sp_{i}", t, has_content=True, status="ready")
            for i, t in enumerate(first.to_create)]
    p = plan(NOW, "Asia/Kolkata", "automatic", "cold", None, 0, rows)
    assert p.stale == ()
    assert p.to_create[0] == utc(2026, 5, 11, 4, 30)  # 10:00 IST
    assert not set(p.to_create) & {r.scheduled_at for r in rows}


def test_choose_slot_prefers_earliest_empty_then_extends_grid() -> None:
    rows = [
        ExistingSlot("sp_b", utc(2026, 5, 12, 10), has_content=False),
        ExistingSlot("sp_a", utc(2026, 5, 11, 10), has_content=True, status="ready"),
        ExistingSlot("sp_c", utc(2026, 5, 13, 10), has_content=False),
    ]
    assert choose_slot(NOW, "UTC", hm("10:00"), rows).slot_id == "sp_b"
    full = [ExistingSlot(r.id, r.scheduled_at, True, "ready") for r in rows]
    choice = choose_slot(NOW, "UTC", hm("10:00"), full)
    assert choice.is_new and choice.scheduled_at == utc(2026, 5, 14, 10)
    assert choose_slot(utc(2026, 6, 1), "UTC", hm("10:00"), full).scheduled_at == utc(2026, 6, 1, 10)


def test_assign_gives_oldest_containers_to_earliest_slots() -> None:
    slots = [ExistingSlot(f"sp_{d}", utc(2026, 5, d, 10), has_content=False) for d in (13, 11, 12)]
    containers = [
        ReadyContainer("c_new", utc(2026, 5, 10, 9)),
        ReadyContainer("c_b", utc(2026, 5, 1)),
        ReadyContainer("c_a", utc(2026, 5, 1)),
    ]
    assert assign(slots, containers) == [("sp_11", "c_a"), ("sp_12", "c_b"), ("sp_13", "c_new")]
    assert assign(slots[:1], containers) == [("sp_13", "c_a")]


# --------------------------------------------------------------------------- properties


def _transitions(tz: ZoneInfo, year: int) -> list[datetime]:
    found: list[datetime] = []
    t, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    while t < end:
        n = t + timedelta(days=1)
        if t.astimezone(tz).utcoffset() != n.astimezone(tz).utcoffset():
            lo, hi = t, n
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                if lo.astimezone(tz).utcoffset() == mid.astimezone(tz).utcoffset():
                    lo = mid
                else:
                    hi = mid
            found.append(hi)
        t = n
    return found


TRANSITIONS = {z: [t for y in (2017, 2026) for t in _transitions(ZoneInfo(z), y)] for z in ZONES}

times_st = st.lists(
    st.builds(
        time,
        st.one_of(st.integers(0, 3), st.integers(0, 23)),
        st.one_of(st.sampled_from([0, 15, 30, 45]), st.integers(0, 59)),
    ),
    min_size=1,
    max_size=5,
    unique=True,
)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[str, datetime, list[time]]:
    tz = draw(st.sampled_from(ZONES))
    times = draw(times_st)
    near_a_switch = draw(st.booleans())
    if near_a_switch and TRANSITIONS[tz]:
        switch = draw(st.sampled_from(TRANSITIONS[tz]))
        now = switch + timedelta(minutes=draw(st.integers(-2 * 24 * 60, 120)))
        # Aim one configured time into (or next to) the skipped or repeated hour.
        wall_at_switch = (switch - timedelta(minutes=1)).astimezone(ZoneInfo(tz))
        aimed = wall_at_switch + timedelta(minutes=1 + draw(st.integers(-75, 75)))
        if aimed.time().replace(second=0, microsecond=0) not in times and len(times) < 5:
            times.append(aimed.time().replace(second=0, microsecond=0))
    else:
        now = draw(
            st.datetimes(datetime(2000, 1, 1), datetime(2037, 12, 31), timezones=st.just(UTC))
        )
    return tz, now, times


def _wall_ok(instant: datetime, tz: ZoneInfo, times: list[time]) -> bool:
    """Configured wall time, or a nonexistent one shifted by exactly the gap length."""
    local = instant.astimezone(tz)
    naive = local.replace(tzinfo=None)
    if local.fold != 0:  # the second pass of a repeated hour is never used
        return False
    for day in (local.date(), local.date() - timedelta(days=1)):
        for t in times:
            if local_to_utc(day, t, tz) != instant:
                continue
            configured = datetime.combine(day, t)
            before = datetime.combine(day, t, tzinfo=tz).utcoffset()
            after = datetime.combine(day, t, tzinfo=tz).replace(fold=1).utcoffset()
            assert before is not None and after is not None
            gap = after - before if after > before else timedelta(0)
            if naive == configured + gap:
                return True
    return False


@settings(deadline=None, max_examples=300)
@given(scenarios(), st.integers(1, 40))
def test_instants_increase_strictly_after_now_on_configured_walls(
    case: tuple[str, datetime, list[time]], count: int
) -> None:
    tz_name, now, times = case
    tz = ZoneInfo(tz_name)
    got = plan_instants(now, tz_name, times, count)
    assert len(got) == count
    assert all(i.tzinfo is UTC for i in got)
    assert got[0] > now and all(a < b for a, b in zip(got, got[1:]))
    assert all(_wall_ok(i, tz, times) for i in got)
    local = [i.astimezone(tz).replace(tzinfo=None) for i in got]
    assert len(set(local)) == len(local) and local == sorted(local)


@settings(deadline=None)
@given(scenarios(), st.integers(8, 40))
def test_full_local_days_hold_one_instant_per_time_except_in_gaps(
    case: tuple[str, datetime, list[time]], count: int
) -> None:
    tz_name, now, times = case
    tz = ZoneInfo(tz_name)
    got = plan_instants(now, tz_name, times, count)
    per_day = Counter(i.astimezone(tz).date() for i in got)
    first, last = min(per_day), max(per_day)
    day = first + timedelta(days=1)
    while day < last:
        gaps_today = sum(1 for t in times if gap_shift(day, t, tz))
        gaps_before = sum(1 for t in times if gap_shift(day - timedelta(days=1), t, tz))
        if gaps_today == gaps_before == 0:
            assert per_day[day] == len(times), day
        else:
            assert len(times) - gaps_today <= per_day[day] <= len(times) + gaps_before, day
        day += timedelta(days=1)


@settings(deadline=None)
@given(scenarios(), st.integers(0, 3))
def test_next_grid_instant_is_the_first_planned_one(
    case: tuple[str, datetime, list[time]], skip: int
) -> None:
    tz_name, now, times = case
    got = plan_instants(now, tz_name, times, skip + 2)
    assert next_grid_instant_after(got[skip], tz_name, times) == got[skip + 1]


statuses = st.sampled_from(["pending", "pending_assets", "ready", "posted", "failed", "canceled"])
modes = st.one_of(
    st.tuples(st.just("automatic"), st.sampled_from(["cold", "warm", "hot"]), st.none()),
    st.tuples(
        st.just("custom"),
        st.none(),
        times_st.map(lambda ts: [t.strftime("%H:%M") for t in ts]),
    ),
    st.tuples(st.just("manual"), st.none(), st.none()),
)


@st.composite
def existing_rows(draw: st.DrawFn, now: datetime) -> list[ExistingSlot]:
    offsets = draw(st.lists(st.integers(-3 * 24 * 60, 8 * 24 * 60), max_size=12))
    rows = []
    for i, minutes in enumerate(offsets):
        at = (now + timedelta(minutes=minutes)).replace(second=0, microsecond=0)
        rows.append(ExistingSlot(f"sp_{i}", at, draw(st.booleans()), draw(statuses)))
    return rows


@settings(deadline=None)
@given(scenarios(), modes, st.integers(0, 20), st.data())
def test_plan_is_idempotent_and_never_drops_content(
    case: tuple[str, datetime, list[time]],
    mode: tuple[str, str | None, list[str] | None],
    available: int,
    data: st.DataObject,
) -> None:
    tz, now, _ = case
    rows = data.draw(existing_rows(now))
    first = plan(now, tz, *mode, available, rows)
    assert len(first.grid) == first.horizon_days * first.slots_per_day
    assert set(first.to_create) <= set(first.grid)
    assert not set(first.to_create) & {r.scheduled_at for r in rows}
    by_id = {r.id: r for r in rows}
    for slot_id in first.stale:
        row = by_id[slot_id]
        assert row.is_empty and row.scheduled_at > now and row.scheduled_at not in first.grid
    kept = [r for r in rows if r.id not in set(first.stale)]
    assert {r.id for r in rows if r.has_content} <= {r.id for r in kept}
    created = [ExistingSlot(f"new_{i}", t, False) for i, t in enumerate(first.to_create)]
    second = plan(now, tz, *mode, available, kept + created)
    assert second.to_create == () and second.stale == () and second.grid == first.grid


containers_st = st.lists(
    st.builds(
        ReadyContainer,
        st.sampled_from([f"c_{i}" for i in range(8)]),
        st.datetimes(datetime(2026, 1, 1), datetime(2026, 1, 3), timezones=st.just(UTC)),
    ),
    max_size=10,
)


@given(containers_st, st.data())
def test_assign_is_one_to_one_and_monotone(
    containers: list[ReadyContainer], data: st.DataObject
) -> None:
    rows = data.draw(existing_rows(NOW))
    pairs = assign(rows, containers)
    slot_ids, container_ids = [s for s, _ in pairs], [c for _, c in pairs]
    assert len(set(slot_ids)) == len(slot_ids) and len(set(container_ids)) == len(container_ids)
    empty = sorted((r for r in rows if r.is_empty), key=lambda r: (r.scheduled_at, r.id))
    ordered = attach_order(containers)
    assert len(pairs) == min(len(empty), len(ordered))
    assert slot_ids == [r.id for r in empty[: len(pairs)]]
    assert container_ids == [c.id for c in ordered[: len(pairs)]]
    keys = [attach_key(c) for c in ordered]
    assert keys == sorted(keys)
    first_of: defaultdict[str, list[datetime]] = defaultdict(list)
    for c in containers:
        first_of[c.id].append(c.completed_at)
    assert all(c.completed_at == min(first_of[c.id]) for c in ordered)


@given(st.sampled_from(ZONES), st.dates(date(2000, 1, 1), date(2037, 12, 31)), times_st)
def test_gap_shift_is_zero_or_positive_and_below_a_day(
    tz_name: str, day: date, times: list[time]
) -> None:
    tz = ZoneInfo(tz_name)
    for t in times:
        assert timedelta(0) <= gap_shift(day, t, tz) < timedelta(days=1)
