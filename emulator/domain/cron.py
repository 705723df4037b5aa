"""Cron helpers for layer schedules: a thin, strict wrapper around croniter.

Every expression is evaluated in UTC (distribution.md §4.5: "cron evaluated in UTC, 5-field,
standard syntax"). Pure: the reference time is always a parameter.

Decisions:

- Only the five standard fields are accepted (minute hour day-of-month month day-of-week):
  numbers, `*`, ranges `a-b`, steps `/n`, lists `a,b`, and three-letter month / weekday names.
  croniter's extensions (seconds or year fields, `@daily` macros, `L`, `#`, `H`, `?`) are
  rejected so that stored overrides stay portable.
- Day-of-month and day-of-week follow croniter's (Vixie cron) rule: when both are restricted,
  a day matches when either does.
- An expression that can never fire (`0 0 31 2 *`) is invalid.
"""
from __future__ import annotations

import functools

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from croniter import CroniterBadDateError, CroniterError, croniter

FIELD_NAMES = ("minute", "hour", "day-of-month", "month", "day-of-week")

_NUM_VALUE = r"[0-9]+"
_NAMED_VALUE = r"(?:[0-9]+|[A-Za-z]{3})"


def _field_pattern(value: str) -> re.Pattern[str]:
    element = rf"(?:\*|{value}(?:-{value})?)(?:/[0-9]+)?"
    return re.compile(rf"{element}(?:,{element})*")


_FIELD_PATTERNS = (
    _field_pattern(_NUM_VALUE),
    _field_pattern(_NUM_VALUE),
    _field_pattern(_NUM_VALUE),
    _field_pattern(_NAMED_VALUE),
    _field_pattern(_NAMED_VALUE),
)
# Far enough back that every valid expression (29 February included) fires after it.
_PROBE_FROM = datetime(1999, 12, 31, 23, 59, tzinfo=UTC)


class InvalidCronExpression(ValueError):
    """A cron expression the emulator does not accept; the message says why."""

    def __init__(self, expression: str, reason: str) -> None:
        super().__init__(f"invalid cron expression {expression!r}: {reason}")
        self.expression = expression
        self.reason = reason


def validate_cron(expr: str) -> None:
    """Raise `InvalidCronExpression` unless `expr` is a 5-field cron that fires at all."""
    if not isinstance(expr, str):
        raise InvalidCronExpression(repr(expr), "must be a string")
    _validate_text(expr)


@functools.lru_cache(maxsize=1024)
def _validate_text(expr: str) -> None:
    """(A valid expression is remembered: layers re-check theirs on every fire.)"""
    fields = expr.split()
    if len(fields) != 5:
        raise InvalidCronExpression(
            expr,
            f"must have exactly 5 fields ({' '.join(FIELD_NAMES)}), got {len(fields)}",
        )
    for name, pattern, field in zip(FIELD_NAMES, _FIELD_PATTERNS, fields):
        if pattern.fullmatch(field) is None:
            raise InvalidCronExpression(expr, f"{name} field {field!r} is not standard syntax")
    try:
        croniter(expr, _PROBE_FROM).get_next(datetime)
    except CroniterBadDateError as exc:
        raise InvalidCronExpression(expr, "no date ever matches, so it never fires") from exc
    except CroniterError as exc:
        raise InvalidCronExpression(expr, str(exc)) from exc
    except (ValueError, KeyError, IndexError) as exc:  # croniter leaks these on odd input
        raise InvalidCronExpression(expr, str(exc) or type(exc).__name__) from exc


def _as_utc(t: datetime) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"cron reference time must be timezone-aware, got {t.isoformat()}")
    return t.astimezone(UTC)


def next_fire_after(expr: str, t_utc: datetime) -> datetime:
    """The first fire strictly after `t_utc`, as a tz-aware UTC datetime."""
    validate_cron(expr)
    return _next(expr, _as_utc(t_utc))


@functools.lru_cache(maxsize=4096)
def _next(expr: str, after: datetime) -> datetime:
    # Pure, and asked again and again: every layer on one cron fires at the same instants, and
    # a croniter is costly to build (it expands every field on each construction).
    fire: datetime = croniter(expr, after).get_next(datetime)
    while fire <= after:  # croniter rounds to the minute; never hand back `after` itself
        fire = croniter(expr, fire).get_next(datetime)
    return fire.astimezone(UTC)


def _minutes_of_day(expr: str) -> list[timedelta]:
    """Offsets from midnight of every fire on a day that matches at all (ascending).

    Minute and hour do not depend on the date, so a matching UTC day fires at every
    combination of the two fields.
    """
    expanded, _ = croniter.expand(expr)
    minutes = list(range(60)) if expanded[0] == ["*"] else [int(m) for m in expanded[0]]
    hours = list(range(24)) if expanded[1] == ["*"] else [int(h) for h in expanded[1]]
    return sorted(timedelta(hours=h, minutes=m) for h in set(hours) for m in set(minutes))


def iter_fires(expr: str, a: datetime, b: datetime) -> Iterator[datetime]:
    """Fires in `(a, b]`, ascending, lazily: one croniter call per firing day."""
    validate_cron(expr)
    start, end = _as_utc(a), _as_utc(b)
    offsets = _minutes_of_day(expr)
    cursor = start
    while cursor < end:
        first = _next(expr, cursor)
        if first > end:
            return
        midnight = first.replace(hour=0, minute=0, second=0, microsecond=0)
        for offset in offsets:
            fire = midnight + offset
            if fire < first:
                continue
            if fire > end:
                return
            yield fire
        cursor = midnight + offsets[-1]


def fires_between(expr: str, a: datetime, b: datetime) -> list[datetime]:
    """Every fire in `(a, b]` (UTC, ascending); empty when `b <= a`."""
    return list(iter_fires(expr, a, b))
