"""Bucketing synced metric snapshots into the `/metrics` answer: pure.

Input is the *deltas* between consecutive sync snapshots of every post in scope (each delta
carries the instant of the sync that saw it). The visible cumulative value of a counter at an
instant x is the sum of deltas at or before x, so
`value(bucket) = visible(min(end, until, now)) - visible(max(start, since))` is exactly the sum
of the deltas in `(clipped start, clipped end]`: each delta lands in one bucket and the totals
are the sum of the series by construction.

Buckets are aligned to UTC (`week` starts Monday), clipped to the window but labelled by
their natural start (`YYYY-MM-DD` for day/week, a full timestamp for hour); every bucket is
present; buckets starting at or after now are all zero.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

COUNTER_METRICS = (
    "views", "reach", "impressions", "likes", "comments", "shares", "saves", "watch_time_ms",
)
ORGANIC_METRICS = (
    *COUNTER_METRICS, "engagement_rate", "followers", "follower_delta", "posts_published",
)
# Counter slots in a delta tuple (followers_gained feeds followers / follower_delta).
SLOTS = (*COUNTER_METRICS, "followers_gained")
_ENGAGED = ("likes", "comments", "shares", "saves")
MAX_BUCKETS = 2000
STEP = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}


@dataclass(frozen=True)
class Bucket:
    label: str
    start: datetime  # natural start
    lo: datetime  # clipped start (exclusive bound for deltas)
    hi: datetime  # clipped end (inclusive bound for deltas)


def natural_start(at: datetime, granularity: str) -> datetime:
    at = at.astimezone(UTC)
    if granularity == "hour":
        return at.replace(minute=0, second=0, microsecond=0)
    day = at.replace(hour=0, minute=0, second=0, microsecond=0)
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    return day


def label(start: datetime, granularity: str) -> str:
    if granularity == "hour":
        return start.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return start.strftime("%Y-%m-%d")


def bucket_count(since: datetime, until: datetime, granularity: str) -> int:
    first = natural_start(since, granularity)
    span = until - first
    step = STEP[granularity]
    return int(span // step) + (1 if span % step else 0)


def buckets(since: datetime, until: datetime, now: datetime, granularity: str) -> list[Bucket]:
    step = STEP[granularity]
    out: list[Bucket] = []
    start = natural_start(since, granularity)
    horizon = min(until, now)
    while start < until:
        end = start + step
        lo = max(start, since)
        hi = min(end, horizon)
        if hi < lo:
            hi = lo  # after now: an empty interval, all zeros
        out.append(Bucket(label(start, granularity), start, lo, hi))
        start = end
    return out


def _ratio(values: dict[str, float]) -> float:
    views = values.get("views", 0)
    if not views:
        return 0.0
    return round(sum(values.get(k, 0) for k in _ENGAGED) / views, 4)


def aggregate(
    deltas: Iterable[tuple[datetime, Sequence[int]]],
    published: Iterable[datetime],
    *,
    since: datetime,
    until: datetime,
    now: datetime,
    granularity: str,
    metrics: Sequence[str],
    base_followers: int = 0,
) -> tuple[list[dict[str, object]], dict[str, object]]:
    """`deltas`: (sync instant, one int per SLOTS entry). `published`: publish instants of the
    synced posts in scope. Returns (series, totals) with `totals.post_count`."""
    bks = buckets(since, until, now, granularity)
    his = [b.hi for b in bks]
    sums = [[0] * len(SLOTS) for _ in bks]
    followers_before = 0
    n = len(SLOTS)
    for at, values in deltas:
        if at <= since:
            followers_before += values[n - 1]
            continue
        i = bisect.bisect_left(his, at)
        if i >= len(bks) or not (bks[i].lo < at <= bks[i].hi):
            continue  # after until / now
        row = sums[i]
        for k in range(n):
            row[k] += values[k]
    posts = [0] * len(bks)
    starts = [b.start for b in bks]
    post_count = 0
    for at in published:
        if not (since <= at < until) or at > now:
            continue
        post_count += 1
        i = bisect.bisect_right(starts, at) - 1
        if i >= 0:
            posts[i] += 1

    series: list[dict[str, object]] = []
    total = [0] * n
    followers = base_followers + followers_before
    for b, row, count in zip(bks, sums, posts, strict=True):
        values = dict(zip(SLOTS, row, strict=True))
        followers += values["followers_gained"]
        for k in range(n):
            total[k] += row[k]
        point: dict[str, object] = {"bucket": b.label}
        for m in metrics:
            point[m] = _value(m, values, count, followers if b.start < now else 0)
        series.append(point)
    tv = dict(zip(SLOTS, total, strict=True))
    totals: dict[str, object] = {m: _value(m, tv, post_count, followers) for m in metrics}
    totals["post_count"] = post_count
    return series, totals


def _value(metric: str, values: dict[str, int], posts: int, followers: int) -> object:
    if metric == "engagement_rate":
        return _ratio(values)  # type: ignore[arg-type]
    if metric == "followers":
        return followers
    if metric == "follower_delta":
        return values["followers_gained"]
    if metric == "posts_published":
        return posts
    return values[metric]
