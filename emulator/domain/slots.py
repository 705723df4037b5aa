"""Social Distribution slot planner: the pure core of `social-distribution-plan`.

Pure: no I/O, no SQL, no clock reads. `now` is always a tz-aware parameter; every instant this
module returns is a tz-aware UTC `datetime` (spec: distribution.md §5.3-§5.7a, §5.11).

Decisions (emulator choices where the Layers docs are silent):

- Slot times are project-local wall times. Automatic mode picks them from the account
  temperature (cold 10:00; warm 10:00, 15:00; hot 10:00, 15:00, 19:00); custom mode uses
  `schedule.times` (1-5 unique 24-hour "HH:MM"); manual mode has no grid at all.
- Horizon: `max(3, ceil(availableContent / slotsPerDay))` days, read as "the next
  horizon_days x slots_per_day grid instants strictly after now" (§5.5 "Horizon (emulator)").
- DST, nonexistent local time (spring-forward gap): the wall time is moved forward by the gap
  length, e.g. 02:30 on America/New_York 2026-03-08 becomes 03:30 EDT (07:30Z). This is what
  PEP 495 `fold=0` yields. When the shifted instant coincides with another configured time
  (02:30 and 03:30 both configured) the day gets one slot fewer: an instant is never doubled.
- DST, ambiguous local time (fall-back): the FIRST occurrence (`fold=0`, the earlier UTC
  instant) is used, and the second occurrence never produces a slot.
- Output instants are strictly increasing and unique, even where a gap shift reorders wall
  times within a day or pushes one across local midnight.
- The upsert key is the instant: an existing row at a grid instant (any status, canceled and
  past ones included) occupies it. `plan` never moves an existing row. Only future, empty
  `pending` rows off the grid are stale; rows holding content are never removed. A changed
  project timezone therefore leaves existing rows where they were and only places new instants
  on the new grid.

LIMITATIONS versus the real product:

- No per-platform daily cap (D16) and no day-of-week syntax in `schedule.times`.
- Which rows are passed in (layer-origin only, pinned rows left out) is the caller's job.
"""
from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Literal, Protocol, TypeVar, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Temperature = Literal["cold", "warm", "hot"]
DistributionMode = Literal["automatic", "custom", "manual"]

TEMPERATURES: tuple[Temperature, ...] = get_args(Temperature)
DISTRIBUTION_MODES: tuple[DistributionMode, ...] = get_args(DistributionMode)

AUTOMATIC_TIMES: dict[Temperature, tuple[time, ...]] = {
    "cold": (time(10, 0),),
    "warm": (time(10, 0), time(15, 0)),
    "hot": (time(10, 0), time(15, 0), time(19, 0)),
}
MIN_HORIZON_DAYS = 3
MIN_CUSTOM_TIMES = 1
MAX_CUSTOM_TIMES = 5
EMPTY_STATUS = "pending"

_HHMM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


class SlotConfigError(ValueError):
    """A slot configuration value is invalid; the message names the offending value."""


# --------------------------------------------------------------------------- configuration


def validate_times(values: object) -> list[str]:
    """Return every problem with a `schedule.times` value (empty list: valid)."""
    if not isinstance(values, (list, tuple)):
        return [f"times must be a list of \"HH:MM\" strings, got {values!r}"]
    errors: list[str] = []
    if not MIN_CUSTOM_TIMES <= len(values) <= MAX_CUSTOM_TIMES:
        errors.append(
            f"times must hold {MIN_CUSTOM_TIMES}-{MAX_CUSTOM_TIMES} entries, got {len(values)}"
        )
    seen: set[str] = set()
    for i, value in enumerate(values):
        if not isinstance(value, str) or _HHMM.fullmatch(value) is None:
            errors.append(f"times[{i}] {value!r} is not a 24-hour \"HH:MM\" time")
        elif value in seen:
            errors.append(f"times[{i}] {value!r} is a duplicate")
        else:
            seen.add(value)
    return errors


def parse_times(values: object) -> list[time]:
    """Validated, sorted local times; raises `SlotConfigError` naming the first bad value."""
    errors = validate_times(values)
    if errors:
        raise SlotConfigError(errors[0])
    assert isinstance(values, (list, tuple))
    return sorted(time(int(v[:2]), int(v[3:])) for v in values)


def slot_times(
    mode: DistributionMode | str,
    temperature: Temperature | str | None,
    custom_times: Sequence[str] | None,
) -> list[time]:
    """The local wall times of one day's grid for a distribution mode (manual: none)."""
    if mode == "automatic":
        temp = temperature or "cold"
        if temp not in AUTOMATIC_TIMES:
            raise SlotConfigError(f"temperature {temp!r} is not one of {list(TEMPERATURES)}")
        return list(AUTOMATIC_TIMES[temp])
    if mode == "custom":
        if custom_times is None:
            raise SlotConfigError("custom distributionMode requires times")
        return parse_times(custom_times)
    if mode == "manual":
        return []
    raise SlotConfigError(f"distributionMode {mode!r} is not one of {list(DISTRIBUTION_MODES)}")


def horizon_days(available_content: int, slots_per_day: int) -> int:
    """Docs formula `max(3 days, ceil(availableContent / slotsPerDay))`."""
    if available_content < 0:
        raise SlotConfigError(f"available_content {available_content} is negative")
    if slots_per_day <= 0:
        return MIN_HORIZON_DAYS
    return max(MIN_HORIZON_DAYS, math.ceil(available_content / slots_per_day))


def zone(tz_name: str) -> ZoneInfo:
    """The IANA zone, or `SlotConfigError` naming the unknown name."""
    try:
        return ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SlotConfigError(f"timezone {tz_name!r} is not a known IANA zone") from exc


# --------------------------------------------------------------------------- local -> UTC


def _utc(moment: datetime, name: str = "now") -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def local_to_utc(day: date, wall: time, tz: tzinfo) -> datetime:
    """The UTC instant of local `day` + `wall` under the module's DST policy.

    `fold=0` gives both rules at once (PEP 495): an ambiguous time resolves to its first
    occurrence; a nonexistent one is read with the pre-transition offset, which lands it
    exactly one gap length later on the wall clock.
    """
    return datetime.combine(day, wall, tzinfo=tz).replace(fold=0).astimezone(UTC)


def gap_shift(day: date, wall: time, tz: tzinfo) -> timedelta:
    """How far `local_to_utc` moved this wall time (zero unless it is in a DST gap)."""
    naive = datetime.combine(day, wall)
    seen = local_to_utc(day, wall, tz).astimezone(tz).replace(tzinfo=None)
    return seen - naive


def _candidates(day: date, times: Sequence[time], tz: tzinfo) -> list[datetime]:
    return [local_to_utc(day, t, tz) for t in times]


def _earliest_possible(day: date) -> datetime:
    # |utcoffset| < 24 h, so nothing planned for local `day` can be earlier than this.
    return datetime.combine(day, time(0), tzinfo=UTC) - timedelta(hours=24)


def plan_instants(
    now_utc: datetime, tz_name: str, local_times: Sequence[time], count: int
) -> list[datetime]:
    """The next `count` grid instants strictly after `now_utc`, ascending and unique."""
    now = _utc(now_utc)
    times = tuple(sorted(set(local_times)))
    if count <= 0 or not times:
        return []
    return list(_grid_after(now, tz_name, times, count))


@lru_cache(maxsize=1024)
def _grid_after(now: datetime, tz_name: str, times: tuple[time, ...], count: int) -> tuple[datetime, ...]:
    # A pure function of its arguments, remembered: a nightly refresh plans every layer of a
    # zone and temperature from the same instant, so the walk runs once for all of them.
    tz = zone(tz_name)
    day = now.date() - timedelta(days=2)  # a local date can start up to a day before UTC
    found: set[datetime] = set()
    ordered: list[datetime] = []
    # Keep walking until `count` instants are known and no later local date could still
    # produce an earlier one (gap shifts can reorder instants near a transition).
    while len(ordered) < count or _earliest_possible(day) <= ordered[count - 1]:
        for candidate in _candidates(day, times, tz):
            if candidate > now and candidate not in found:
                found.add(candidate)
                bisect.insort(ordered, candidate)
        day += timedelta(days=1)
    return tuple(ordered[:count])


def next_grid_instant_after(
    last_instant: datetime, tz_name: str, local_times: Sequence[time]
) -> datetime:
    """The first grid instant strictly after `last_instant` (e.g. the last planned slot)."""
    found = plan_instants(last_instant, tz_name, local_times, 1)
    if not found:
        raise SlotConfigError("no slot times configured (manual distribution mode)")
    return found[0]


# --------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class ExistingSlot:
    """One `scheduled_posts` row of the layer, as the planner needs to see it."""

    id: str
    scheduled_at: datetime
    has_content: bool
    status: str = EMPTY_STATUS

    @property
    def is_empty(self) -> bool:
        return self.status == EMPTY_STATUS and not self.has_content


@dataclass(frozen=True)
class Plan:
    """What a planner run should write: create `to_create`, delete `stale` row ids."""

    times: tuple[time, ...]
    horizon_days: int
    grid: tuple[datetime, ...]
    to_create: tuple[datetime, ...]
    stale: tuple[str, ...]

    @property
    def slots_per_day(self) -> int:
        return len(self.times)


def plan(
    now: datetime,
    tz: str,
    mode: DistributionMode | str,
    temperature: Temperature | str | None,
    custom_times: Sequence[str] | None,
    available_content: int,
    existing: Iterable[ExistingSlot],
) -> Plan:
    """Compute the target grid and the difference to the rows that already exist.

    Idempotent: applying `to_create` (as empty `pending` rows) and `stale` (as deletions),
    then planning again with the same inputs, yields an empty plan.
    """
    moment = _utc(now)
    times = slot_times(mode, temperature, custom_times)
    days = horizon_days(available_content, len(times))
    grid = tuple(plan_instants(moment, tz, times, days * len(times)))
    rows = list(existing)
    occupied = {_utc(r.scheduled_at, f"slot {r.id} scheduled_at") for r in rows}
    on_grid = set(grid)
    stale = tuple(
        r.id
        for r in sorted(rows, key=lambda r: (_utc(r.scheduled_at), r.id))
        if r.is_empty and _utc(r.scheduled_at) > moment and _utc(r.scheduled_at) not in on_grid
    )
    return Plan(
        times=tuple(times),
        horizon_days=days,
        grid=grid,
        to_create=tuple(t for t in grid if t not in occupied),
        stale=stale,
    )


@dataclass(frozen=True)
class SlotChoice:
    """Where one container goes: an existing empty row (`slot_id`) or a new row."""

    scheduled_at: datetime
    slot_id: str | None = None

    @property
    def is_new(self) -> bool:
        return self.slot_id is None


def choose_slot(
    now: datetime, tz: str, local_times: Sequence[time], existing: Iterable[ExistingSlot]
) -> SlotChoice:
    """attach-to-schedule / recover-overdue target (§5.7, §5.7a).

    The earliest future empty row; none free: a new row at the next grid instant after the
    last planned row (or after now when every row lies in the past).
    """
    moment = _utc(now)
    rows = sorted(existing, key=lambda r: (_utc(r.scheduled_at), r.id))
    for row in rows:
        if row.is_empty and _utc(row.scheduled_at) > moment:
            return SlotChoice(scheduled_at=_utc(row.scheduled_at), slot_id=row.id)
    after = max([moment, *(_utc(r.scheduled_at) for r in rows)])
    return SlotChoice(scheduled_at=next_grid_instant_after(after, tz, local_times))


# --------------------------------------------------------------------------- attaching


class Completed(Protocol):
    """Anything attachable: a container id and when it completed."""

    @property
    def id(self) -> str: ...

    @property
    def completed_at(self) -> datetime: ...


C = TypeVar("C", bound=Completed)


@dataclass(frozen=True)
class ReadyContainer:
    id: str
    completed_at: datetime


def attach_key(container: Completed) -> tuple[datetime, str]:
    """Attach order: `completedAt` ascending, then id."""
    return (_utc(container.completed_at, f"container {container.id} completed_at"), container.id)


def attach_order(containers: Iterable[C]) -> list[C]:
    """Containers in attach order, each id once (its first occurrence in that order)."""
    seen: set[str] = set()
    ordered: list[C] = []
    for c in sorted(containers, key=attach_key):
        if c.id not in seen:
            seen.add(c.id)
            ordered.append(c)
    return ordered


def assign(
    empty_slots: Iterable[ExistingSlot], containers: Iterable[Completed]
) -> list[tuple[str, str]]:
    """Pair the earliest empty slots with the oldest containers, one container per slot.

    Returns `(slot_id, container_id)` pairs in slot order; rows holding content or not in
    `pending` are skipped, surplus slots or containers stay unpaired.
    """
    slots = sorted(
        (s for s in empty_slots if s.is_empty), key=lambda s: (_utc(s.scheduled_at), s.id)
    )
    return [(s.id, c.id) for s, c in zip(slots, attach_order(containers))]
