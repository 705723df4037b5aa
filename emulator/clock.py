"""Time. `WallClock` is the only place in the emulator that reads the wall clock; every other
module gets "now" from a tenant clock (`TenantClock`) or as a parameter.

Formatting and parsing helpers live here too, so every timestamp leaves the emulator in one
shape: `YYYY-MM-DDTHH:MM:SS.mmmZ`.
"""
from __future__ import annotations

import re
import time as _time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache


class WallClock:
    """The real clock. Swappable in tests of the real-time mode."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return _time.monotonic()


@dataclass
class TenantClock:
    """A tenant's clock: virtual (moves only when advanced) or real (wall + offset)."""

    mode: str  # "virtual" | "real"
    virtual_now: datetime | None
    offset: timedelta
    wall: WallClock

    def now(self) -> datetime:
        if self.mode == "virtual":
            assert self.virtual_now is not None
            return self.virtual_now
        return self.wall.now() + self.offset


def utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        raise ValueError("naive datetime")
    return dt.astimezone(UTC)


@lru_cache(maxsize=4096)
def iso(dt: datetime | None) -> str | None:
    """The one wire format for instants: millisecond precision, `Z`."""
    # Instants are formatted on every row a timer touches, and a virtual-clock run formats the
    # same few instants over and over: the cache turns most calls into a dict hit. Aware
    # datetimes hash by their instant, so the cached UTC text is right whatever the zone.
    # isoformat truncates to the millisecond, as strftime + microsecond // 1000 would.
    if dt is None:
        return None
    if dt.tzinfo is not UTC:
        dt = dt.astimezone(UTC)
    return dt.isoformat(timespec="milliseconds")[:-6] + "Z"


def db_time(dt: datetime) -> str:  # same text as iso(): sortable and exact to the ms
    """Text form used in SQLite columns: the wire format, which sorts lexicographically."""
    text = iso(dt)
    assert text is not None
    return text


def ceil_minute(moment: datetime) -> datetime:
    """The first whole minute at or after `moment`."""
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(minutes=1)


def from_db(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(text)  # db_time text: `…sss.mmmZ`, which 3.11 parses as UTC


_ISO_DT = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|z|[+-]\d{2}:?\d{2})?$"
)


def parse_instant(text: str, *, require_offset: bool = True) -> datetime:
    """Parse an ISO-8601 datetime. Date-only values are refused; so are offset-less values when
    `require_offset` (the caller resolves those in a time zone itself)."""
    if not isinstance(text, str) or not _ISO_DT.match(text.strip()):
        raise ValueError(f"'{text}' is not an ISO-8601 date-time (e.g. 2026-05-11T10:00:00Z)")
    value = text.strip().replace("z", "Z")
    # Python < 3.11 quirks are irrelevant (3.11+), but fractional digits beyond 6 are not parsed.
    m = re.match(r"^(.*\.\d{6})\d+(.*)$", value)
    if m:
        value = m.group(1) + m.group(2)
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        if require_offset:
            raise ValueError(f"'{text}' has no time zone offset; send UTC with a trailing Z")
        return dt
    return dt.astimezone(UTC)


def rfc7231(dt: datetime) -> str:
    """The HTTP `Date` header form."""
    dt = dt.astimezone(UTC)
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return (
        f"{days[dt.weekday()]}, {dt.day:02d} {months[dt.month - 1]} {dt.year} "
        f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} GMT"
    )


_DURATION = re.compile(
    r"^P(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> timedelta:
    """ISO-8601 durations in weeks, days, hours, minutes and seconds (`P7D`, `PT30M`, `P1DT2H`).
    Years and months are refused: their length depends on the calendar."""
    if not isinstance(text, str):
        raise ValueError("duration must be a string such as 'P7D' or 'PT30M'")
    m = _DURATION.match(text.strip().upper())
    if not m or text.strip().upper() in ("P", "PT") or text.strip().upper().endswith("T"):
        raise ValueError(
            f"'{text}' is not an ISO-8601 duration in W/D/H/M/S (e.g. P7D, PT1H30M)"
        )
    parts = {k: float(v) if v else 0.0 for k, v in m.groupdict().items()}
    return timedelta(
        weeks=parts["w"], days=parts["d"], hours=parts["h"], minutes=parts["m"], seconds=parts["s"]
    )
