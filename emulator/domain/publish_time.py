"""`scheduledFor`: parsing, resolution in a project time zone, and the lead-time rule.

Pure: no I/O, no clock reads (`now` is a parameter). Every instant returned is tz-aware UTC.

Rules (distribution.md §2.3, §2.7, seed 003 step 5):

- `2026-05-15T17:00:00Z` (canonical) and explicit offsets (`2026-05-15T09:00:00-07:00`) are
  absolute instants, normalised to UTC.
- No offset at all (`2026-05-15T09:00:00`) is a wall time in the project's time zone (seed 003:
  "resolves to the customer's local morning"). DST: a wall time in the spring-forward gap moves
  forward by the gap length; an ambiguous wall time (fall-back) takes its first occurrence.
  This matches PEP 495 `fold=0` and the slot planner (`emulator.domain.slots`).
- Date-only values (`2026-05-15`) and anything else that is not an ISO-8601 date-time are refused.
- The instant must be at least `MIN_LEAD` (30 s) after `now` (reschedule reference: "must be
  >= 30 seconds in the future"; the issue asks the same of schedule).
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MIN_LEAD = timedelta(seconds=30)

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<h>\d{2}):(?P<m>\d{2})"
    r"(?::(?P<s>\d{2})(?:\.(?P<frac>\d{1,9}))?)?"
    r"(?P<tz>Z|z|[+-]\d{2}:?\d{2})?$"
)


class PublishTimeError(ValueError):
    """A `scheduledFor` that cannot be used; the message is written for the API caller."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PublishTimeError(f"'{name}' is not an IANA time zone") from None


def parse(text: object, timezone: str) -> datetime:
    """The UTC instant `text` names; offset-less values are read in `timezone`."""
    if not isinstance(text, str):
        raise PublishTimeError("scheduledFor must be an ISO-8601 date-time string")
    value = text.strip()
    if _DATE_ONLY.match(value):
        raise PublishTimeError(
            f"'{text}' is a date without a time; send a date-time such as 2026-05-15T17:00:00Z"
        )
    m = _DATETIME.match(value)
    if not m:
        raise PublishTimeError(
            f"'{text}' is not an ISO-8601 date-time (e.g. 2026-05-15T17:00:00Z)"
        )
    frac = (m.group("frac") or "")[:6].ljust(6, "0")
    try:
        year, month, day = (int(p) for p in m.group("date").split("-"))
        naive = datetime(
            year, month, day, int(m.group("h")), int(m.group("m")), int(m.group("s") or 0), int(frac)
        )
    except ValueError as exc:
        raise PublishTimeError(f"'{text}' is not a valid date-time: {exc}") from None
    tz = m.group("tz")
    if tz is None:
        return local_to_utc(naive, zone(timezone))
    if tz in ("Z", "z"):
        return naive.replace(tzinfo=UTC)
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise PublishTimeError(f"'{text}' has an invalid UTC offset")
    offset = timedelta(hours=hours, minutes=minutes) * sign
    return (naive - offset).replace(tzinfo=UTC)


def local_to_utc(naive: datetime, tz: ZoneInfo) -> datetime:
    """A wall time in `tz` to UTC: gap → forward by the gap length; ambiguous → first."""
    first = naive.replace(tzinfo=tz, fold=0)
    as_utc = first.astimezone(UTC)
    # A wall time in a gap does not survive the round trip: fold=0 already applied the offset
    # from before the transition, which moves the instant forward by the gap length.
    return as_utc


def too_soon(when: datetime, now: datetime, lead: timedelta = MIN_LEAD) -> bool:
    """True when `when` is less than `lead` after `now`."""
    return when < now + lead


def resolve(text: object, timezone: str, now: datetime, lead: timedelta = MIN_LEAD) -> datetime:
    """Parse and apply the lead-time rule; raises `PublishTimeError`."""
    when = parse(text, timezone)
    if too_soon(when, now, lead):
        raise PublishTimeError(
            f"scheduledFor must be at least {int(lead.total_seconds())} seconds in the future"
            f" (now is {_z(now)}, got {_z(when)})"
        )
    return when


def _z(dt: datetime) -> str:
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
