"""Synthetic organic performance of a published post: pure and deterministic.

Given (seed, platform post id, social account id, platform, account temperature at publish,
format, hook) a post has a *profile* (lifetime views, engagement rate, accrual time constant,
watch time per view, follower gain). `cumulative(profile, hours)` gives its cumulative
counters `hours` after `publishedAt`: views grow fast at first and flatten (a saturating
curve `1 - exp(-t / tau)`), so every counter is monotone non-decreasing in `hours`.

Shapes (spec measurement.md §11, emulator choices):

- Lifetime views are lognormal around a base median picked by platform and temperature, times
  a format factor and a per-hook lift (the same hook lifts every post that uses it, so cloning
  a winner's hook tends to win again), times a rare heavy-tailed breakout multiplier (about
  1 post in 25 gets 3x-25x from a Pareto draw).
- Engagements split into likes / comments / shares / saves by platform shares; each is
  `floor(views(t) * er * share)`, hence `likes <= views` and friends.
- Reach and impressions are fixed ratios of views; watch time is views x average watch ms.

Sync visibility (§11.3, emulator choice for the slow-down): a post is synced at every :00/:30
UTC tick for its first 72 hours, then every 6 hours (00/06/12/18 UTC) until day 30, then daily
at 00:00 UTC until day 90, after which its numbers are frozen.

No I/O, no clock reads: instants are parameters.
"""
from __future__ import annotations

import functools
import hashlib
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import NormalDist
from typing import Literal

Platform = Literal["tiktok", "instagram"]
Temperature = Literal["cold", "warm", "hot"]
Format = Literal["video", "slideshow", "image"]

COUNTERS = (
    "views", "reach", "impressions", "likes", "comments", "shares", "saves", "watch_time_ms",
    "followers_gained",
)

BASE_VIEWS: dict[str, dict[str, int]] = {
    "tiktok": {"cold": 400, "warm": 1_500, "hot": 6_000},
    "instagram": {"cold": 200, "warm": 800, "hot": 3_000},
}
TAU_HOURS = {"tiktok": 20.0, "instagram": 12.0}
BASE_ER = {"tiktok": 0.055, "instagram": 0.045}
SPLITS = {  # likes, comments, shares, saves
    "tiktok": (0.84, 0.07, 0.09, 0.0),
    "instagram": (0.78, 0.06, 0.07, 0.09),
}
REACH_RATIO = {"tiktok": 0.90, "instagram": 0.85}
IMPRESSIONS_RATIO = 1.2
FORMAT_FACTOR = {"video": 1.0, "slideshow": 0.8, "image": 0.5}
BREAKOUT_PROBABILITY = 0.04
BREAKOUT_ALPHA = 1.5
BREAKOUT_MIN, BREAKOUT_MAX = 3.0, 25.0
SLIDESHOW_WATCH_MS = 6_000

FAST_SYNC_HOURS = 72
MEDIUM_SYNC_DAYS = 30
LAST_SYNC_DAYS = 90

_NORMAL = NormalDist()


def u(seed: int, *parts: object) -> float:
    """A uniform draw in [0, 1) that depends only on its inputs."""
    text = "|".join(str(p) for p in (seed, *parts))
    return int(hashlib.sha256(text.encode()).hexdigest()[:16], 16) / 2**64


def z(seed: int, *parts: object) -> float:
    """A standard normal draw (clamped to [-3, 3]) that depends only on its inputs."""
    p = min(max(u(seed, *parts), 1e-6), 1 - 1e-6)
    return max(-3.0, min(3.0, _NORMAL.inv_cdf(p)))


def normalize_hook(hook: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", " ", (hook or "").lower()).strip()


def format_of(raw: str | None) -> Format:
    """Map a container format / media type to the three shapes the model knows."""
    text = (raw or "").lower()
    if "slideshow" in text or "carousel" in text:
        return "slideshow"
    if "image" in text or "photo" in text or "static" in text:
        return "image"
    return "video"


@dataclass(frozen=True)
class PostInputs:
    seed: int
    post_id: str
    account_id: str
    platform: str
    temperature: str = "cold"
    format: str = "video"
    hook: str | None = None


@dataclass(frozen=True)
class Profile:
    platform: str
    lifetime_views: int
    engagement_rate: float
    tau_hours: float
    avg_watch_ms: int
    follower_gain: int
    breakout: bool


@functools.lru_cache(maxsize=8192)
def profile(inp: PostInputs) -> Profile:
    """The post's lifetime shape (cached: pure in its inputs)."""
    platform = inp.platform if inp.platform in BASE_VIEWS else "tiktok"
    temperature = inp.temperature if inp.temperature in ("cold", "warm", "hot") else "cold"
    fmt = inp.format if inp.format in FORMAT_FACTOR else "video"
    s, pp = inp.seed, inp.post_id
    base = BASE_VIEWS[platform][temperature] * FORMAT_FACTOR[fmt]
    hook = normalize_hook(inp.hook)
    hook_lift = math.exp(0.25 * z(s, "hook", hook)) if hook else 1.0
    breakout = u(s, pp, "breakout") < BREAKOUT_PROBABILITY
    multiplier = 1.0
    if breakout:
        pareto = (1.0 - u(s, pp, "breakout-size")) ** (-1.0 / BREAKOUT_ALPHA)
        multiplier = min(BREAKOUT_MAX, BREAKOUT_MIN * pareto)
    lifetime = max(0, round(base * hook_lift * multiplier * math.exp(0.9 * z(s, pp, "views"))))
    er = min(0.30, max(0.005, BASE_ER[platform] * math.exp(0.35 * z(s, pp, "er"))))
    if fmt == "video":
        duration_ms = 15_000 + u(s, pp, "duration") * 30_000
        completion = 0.30 + u(s, pp, "completion") * 0.40
        avg_watch = int(duration_ms * completion)
    elif fmt == "slideshow":
        avg_watch = SLIDESHOW_WATCH_MS
    else:
        avg_watch = 0
    gain = round(lifetime * 0.003 * math.exp(0.5 * z(s, pp, "follows")))
    return Profile(platform, lifetime, round(er, 6), TAU_HOURS[platform], avg_watch, gain, breakout)


def account_base_followers(seed: int, account_id: str) -> int:
    return round(800 * math.exp(z(seed, account_id, "followers")))


def _fraction(p: Profile, hours: float) -> float:
    if hours <= 0:
        return 0.0
    return 1.0 - math.exp(-hours / p.tau_hours)


def cumulative(p: Profile, hours: float) -> dict[str, int]:
    """Cumulative counters `hours` after publish (0 before). Monotone in `hours`."""
    frac = _fraction(p, hours)
    views = math.floor(p.lifetime_views * frac)
    engaged = views * p.engagement_rate
    likes_s, comments_s, shares_s, saves_s = SPLITS[p.platform]
    return {
        "views": views,
        "reach": math.floor(views * REACH_RATIO[p.platform]),
        "impressions": math.floor(views * IMPRESSIONS_RATIO),
        "likes": math.floor(engaged * likes_s),
        "comments": math.floor(engaged * comments_s),
        "shares": math.floor(engaged * shares_s),
        "saves": math.floor(engaged * saves_s),
        "watch_time_ms": views * p.avg_watch_ms,
        "followers_gained": math.floor(p.follower_gain * frac),
    }


def engagement_rate(values: dict[str, int | float]) -> float:
    """(likes + comments + shares + saves) / views, 0 when there are no views; 4 decimals."""
    views = values.get("views", 0) or 0
    if views <= 0:
        return 0.0
    engaged = sum(values.get(k, 0) or 0 for k in ("likes", "comments", "shares", "saves"))
    return round(engaged / views, 4)


def metrics_at(inp: PostInputs, hours: float) -> dict[str, float]:
    """Convenience: cumulative counters plus `engagement_rate`."""
    values: dict[str, float] = dict(cumulative(profile(inp), hours))
    values["engagement_rate"] = engagement_rate(values)
    return values


# --- sync cadence -------------------------------------------------------------------------


def _ceil_to(at: datetime, step: timedelta) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    n = math.ceil((at - epoch) / step)
    return epoch + n * step


def first_sync(published_at: datetime) -> datetime:
    """The first :00/:30 tick at or after publish."""
    return _ceil_to(published_at, timedelta(minutes=30))


def next_sync(published_at: datetime, after: datetime) -> datetime | None:
    """The post's next sync tick strictly after `after`, or None once it is frozen."""
    age = after - published_at
    if age < timedelta(hours=FAST_SYNC_HOURS):
        step = timedelta(minutes=30)
    elif age < timedelta(days=MEDIUM_SYNC_DAYS):
        step = timedelta(hours=6)
    else:
        step = timedelta(days=1)
    candidate = _ceil_to(after + timedelta(microseconds=1), step)
    if candidate - published_at > timedelta(days=LAST_SYNC_DAYS):
        return None
    return candidate


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TICK = timedelta(microseconds=1)
_FAST, _MEDIUM, _SLOW = timedelta(minutes=30), timedelta(hours=6), timedelta(days=1)


def _floor_to(at: datetime, step: timedelta) -> datetime:
    return _EPOCH + ((at - _EPOCH) // step) * step


def last_sync(published_at: datetime, at: datetime) -> datetime | None:
    """The post's latest sync tick at or before `at` (None before its first), in closed form:
    the same instant as walking `first_sync` / `next_sync` forward, without the walk. Every
    read of a post's numbers goes through here, so snapshots never need storing: the numbers
    visible at `at` are `cumulative(profile, hours to last_sync(published, at))`."""
    first = first_sync(published_at)
    if at < first:
        return None
    # 30-minute ticks while the previous tick is younger than 72 h, then 6-hour ticks
    # (00/06/12/18 UTC) while it is younger than 30 days: each phase's last tick is the first of
    # its grid at or past that age, and the next phase starts at its grid's next tick
    previous_last: datetime | None = None
    for step, young_for in ((_FAST, timedelta(hours=FAST_SYNC_HOURS)), (_MEDIUM, timedelta(days=MEDIUM_SYNC_DAYS))):
        phase_first = first if previous_last is None else _ceil_to(previous_last + _TICK, step)
        if previous_last is not None and at < phase_first:
            return previous_last
        phase_last = max(phase_first, _ceil_to(published_at + young_for, step))
        if at < phase_last:
            return _floor_to(at, step)
        previous_last = phase_last
    assert previous_last is not None
    # daily ticks (00:00 UTC) up to day 90, then frozen
    slow_first = _ceil_to(previous_last + _TICK, _SLOW)
    slow_last = _floor_to(published_at + timedelta(days=LAST_SYNC_DAYS), _SLOW)
    if at < slow_first or slow_last < slow_first:
        return previous_last
    return min(_floor_to(at, _SLOW), slow_last)


def hours_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600.0
