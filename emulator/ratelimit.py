"""Rate limits: three buckets per key (read-light, write-light, long-running), fixed 60-second
windows on the tenant clock, plus a daily write-light cap that resets at 00:00 UTC.

Counting always happens (so the `X-RateLimit-*` headers are always true); enforcement is on by
default with the real clock and off with the virtual one (a clock that does not move never
refills a bucket), and a tenant can switch it with `POST /_emulator/rate-limits`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

TIERS: dict[str, dict[str, int]] = {
    "standard": {"read-light": 120, "write-light": 60, "long-running": 20, "daily": 10_000},
    "pilot": {"read-light": 1200, "write-light": 600, "long-running": 60, "daily": 100_000},
    "partner": {"read-light": 6000, "write-light": 3000, "long-running": 300, "daily": 500_000},
    # The docs call the sandbox tier "tighter" without numbers: ours are the standard ones.
    "sandbox": {"read-light": 120, "write-light": 60, "long-running": 20, "daily": 10_000},
}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # unix seconds when the window ends
    retry_after: int


class RateLimiter:
    def __init__(self) -> None:
        self._windows: dict[tuple[str, str], tuple[int, int]] = {}
        self._daily: dict[str, tuple[int, int]] = {}

    def check(self, key_id: str, klass: str, tier: str, now: datetime, enforce: bool) -> Verdict:
        limits = TIERS.get(tier, TIERS["sandbox"])
        limit = limits[klass]
        ts = int(now.timestamp())
        window = ts - ts % 60
        start, count = self._windows.get((key_id, klass), (window, 0))
        if start != window:
            start, count = window, 0
        reset = window + 60
        day = ts - ts % 86400
        dstart, dcount = self._daily.get(key_id, (day, 0))
        if dstart != day:
            dstart, dcount = day, 0
        over_daily = klass == "write-light" and dcount >= limits["daily"]
        if enforce and (count >= limit or over_daily):
            retry = (day + 86400 - ts) if over_daily else max(1, reset - ts)
            return Verdict(False, limit, 0, reset, retry)
        count += 1
        if klass == "write-light":
            dcount += 1
        self._windows[(key_id, klass)] = (start, count)
        self._daily[key_id] = (dstart, dcount)
        return Verdict(True, limit, max(0, limit - count), reset, 0)

    def clear(self, key_ids: list[str] | None = None) -> None:
        if key_ids is None:
            self._windows.clear()
            self._daily.clear()
            return
        for k in list(self._windows):
            if k[0] in key_ids:
                del self._windows[k]
        for kid in key_ids:
            self._daily.pop(kid, None)
