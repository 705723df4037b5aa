"""scheduledFor parsing and resolution (emulator.domain.publish_time)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.domain.publish_time import PublishTimeError, parse, resolve, too_soon

NOW = datetime(2026, 5, 11, 0, 0, tzinfo=UTC)
ZONES = ["UTC", "America/Los_Angeles", "America/New_York", "Europe/Berlin", "Asia/Kolkata",
         "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns"]


def test_z_is_taken_literally() -> None:
    assert parse("2026-05-15T17:00:00Z", "America/Los_Angeles") == datetime(2026, 5, 15, 17, tzinfo=UTC)


def test_explicit_offset_is_normalised_to_utc() -> None:
    # seed 003's sample: 09:00 at -07:00 is 16:00 UTC, whatever the project zone.
    assert parse("2026-05-15T09:00:00-07:00", "Europe/Berlin") == datetime(2026, 5, 15, 16, tzinfo=UTC)
    assert parse("2026-05-15T09:00:00+0530", "UTC") == datetime(2026, 5, 15, 3, 30, tzinfo=UTC)


def test_no_offset_resolves_in_the_project_timezone() -> None:
    # Los Angeles is on PDT (-7) in May: a local morning, not UTC's.
    assert parse("2026-05-15T09:00:00", "America/Los_Angeles") == datetime(2026, 5, 15, 16, tzinfo=UTC)
    assert parse("2026-01-15T09:00:00", "America/Los_Angeles") == datetime(2026, 1, 15, 17, tzinfo=UTC)


def test_spring_forward_gap_moves_forward_by_the_gap() -> None:
    # 02:30 does not exist in New York on 2026-03-08; it becomes 03:30 EDT = 07:30Z.
    assert parse("2026-03-08T02:30:00", "America/New_York") == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


def test_fall_back_ambiguity_takes_the_first_occurrence() -> None:
    # 01:30 happens twice on 2026-11-01 in New York; the first is EDT (-4) = 05:30Z.
    assert parse("2026-11-01T01:30:00", "America/New_York") == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_fractional_seconds_and_lowercase_z() -> None:
    assert parse("2026-05-15T17:00:00.123456789z", "UTC") == datetime(2026, 5, 15, 17, 0, 0, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["2026-05-15", "tomorrow", "", "2026-05-15T25:00:00Z", "2026-02-30T10:00:00Z",
             "2026-05-15T10:00:00+25:00", "1747300000", "2026-05-15T10:00:00 PST"],
)
def test_refused_values(text: str) -> None:
    with pytest.raises(PublishTimeError):
        parse(text, "UTC")


def test_non_strings_are_refused() -> None:
    with pytest.raises(PublishTimeError):
        parse(1747300000, "UTC")


def test_date_only_message_names_the_problem() -> None:
    with pytest.raises(PublishTimeError, match="without a time"):
        parse("2026-05-15", "UTC")


def test_lead_time_boundary() -> None:
    assert resolve("2026-05-11T00:00:30Z", "UTC", NOW) == NOW + timedelta(seconds=30)
    with pytest.raises(PublishTimeError, match="30 seconds"):
        resolve("2026-05-11T00:00:29.999Z", "UTC", NOW)
    with pytest.raises(PublishTimeError):
        resolve("2026-05-10T00:00:00Z", "UTC", NOW)


instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)
).map(lambda d: d.replace(microsecond=(d.microsecond // 1000) * 1000, tzinfo=UTC))


@settings(deadline=None)
@given(instants, st.sampled_from(ZONES))
def test_z_form_round_trips_in_any_zone(when: datetime, tz: str) -> None:
    text = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    assert parse(text, tz) == when


@settings(deadline=None)
@given(instants, st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_offset_form_names_the_same_instant(when: datetime, offset_minutes: int) -> None:
    local = when + timedelta(minutes=offset_minutes)
    sign = "-" if offset_minutes < 0 else "+"
    hh, mm = divmod(abs(offset_minutes), 60)
    text = local.strftime("%Y-%m-%dT%H:%M:%S") + f".{when.microsecond // 1000:03d}{sign}{hh:02d}:{mm:02d}"
    assert parse(text, "Asia/Tokyo") == when


@settings(deadline=None)
@given(instants, st.sampled_from(ZONES))
def test_offsetless_local_rendering_of_an_instant_resolves_back_unless_ambiguous(when: datetime, tz: str) -> None:
    zone = ZoneInfo(tz)
    local = when.astimezone(zone)
    text = local.replace(tzinfo=None).isoformat()
    got = parse(text, tz)
    if local.fold == 0:
        assert got == when
    else:  # the second occurrence of an ambiguous wall time resolves to the first one
        assert got < when
    # whatever happens, the answer shows the same wall time (or a later one, for gaps) locally
    assert got.tzinfo is UTC


@settings(deadline=None)
@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)), st.sampled_from(ZONES))
def test_any_wall_time_resolves_to_an_instant_not_before_it_in_local_terms(naive: datetime, tz: str) -> None:
    naive = naive.replace(microsecond=0)
    got = parse(naive.isoformat(), tz)
    back = got.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
    # existing wall times come back unchanged; gap wall times move forward, never backward
    assert back >= naive
    assert back - naive <= timedelta(hours=1)


@settings(deadline=None)
@given(instants, st.integers(min_value=-3600, max_value=3600))
def test_lead_rule_is_a_threshold(when: datetime, delta: int) -> None:
    now = when - timedelta(seconds=delta)
    assert too_soon(when, now) == (delta < 30)
