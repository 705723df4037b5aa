"""Organic scoring of creatives and the ads eligibility gate: pure (spec measurement.md §6).

- generated / manual pools: min(10, max(2, 7 - ageDays / 6) + adBoost), adBoost = min(3, spend30 / 33.3).
- ugc pool: posts under 50 views hold 0; the pool is scored only with >= 3 posts; otherwise
  clamp[0, 10](8.5 * (0.45 q + 0.25 r + 0.30 o) + 1.5 * max(0, 1 - ageDays / 90)) with q the
  percentile of weighted ER, r the percentile of views, o the outperformance against the
  creator's median views.
- eligible <=> (score >= 4 or override include) and override != exclude and not safetyFailed;
  the manual pool is opted out of ads enrollment: eligible only with include.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

THRESHOLD = 4.0
UGC_MIN_VIEWS = 50
UGC_MIN_POOL = 3
SCORING_VERSION = "emu-1"


def generated_score(age_days: float, spend_30d: float = 0.0) -> float:
    boost = min(3.0, max(0.0, spend_30d) / 33.3)
    # decay stops at the floor of 2; the ad boost sits on top (full boost: never under 5)
    return round(min(10.0, max(2.0, 7.0 - max(0.0, age_days) / 6.0) + boost), 2)


@dataclass(frozen=True)
class UgcPost:
    key: str
    creator: str
    views: int
    likes: int
    comments: int
    shares: int
    saves: int
    age_days: float


def weighted_er(p: UgcPost) -> float:
    if p.views <= 0:
        return 0.0
    return (p.likes + 3 * p.comments + 5 * p.shares + 6 * p.saves) / p.views


def percentile(value: float, population: Sequence[float]) -> float:
    n = len(population)
    if n < 2:
        return 0.5
    below = sum(1 for v in population if v < value)
    ties = sum(1 for v in population if v == value)
    return min(1.0, max(0.0, (below + 0.5 * (ties - 1)) / (n - 1)))


def ugc_scores(posts: Sequence[UgcPost]) -> dict[str, float | None]:
    """Scores of a project's UGC pool, keyed by post key (None: the pool is too small)."""
    if len(posts) < UGC_MIN_POOL:
        return {p.key: None for p in posts}
    ers = [weighted_er(p) for p in posts]
    views = [float(p.views) for p in posts]
    by_creator: dict[str, list[int]] = {}
    for p in posts:
        by_creator.setdefault(p.creator, []).append(p.views)
    out: dict[str, float | None] = {}
    for p, er in zip(posts, ers, strict=True):
        if p.views < UGC_MIN_VIEWS:
            out[p.key] = 0.0
            continue
        q = percentile(er, ers)
        r = percentile(float(p.views), views)
        med = median(by_creator[p.creator]) or 1
        ratio = max(p.views, 1) / max(med, 1)
        o = min(1.0, max(0.0, (math.log2(ratio) + 2) / 4))
        fresh = 1.5 * max(0.0, 1 - p.age_days / 90)
        out[p.key] = round(min(10.0, max(0.0, 8.5 * (0.45 * q + 0.25 * r + 0.30 * o) + fresh)), 2)
    return out


def eligibility(
    score: float | None, override: str | None, safety_failed: bool = False, pool: str = "generated"
) -> tuple[bool, str | None]:
    """(eligible, ineligibleReason)."""
    if safety_failed:
        return False, "safety_failed"
    if override == "exclude":
        return False, "override_exclude"
    if override == "include":
        return True, None
    if pool == "manual":
        return False, "opted_out"
    if score is None:
        return False, "unscored"
    if score < THRESHOLD:
        return False, "below_threshold"
    return True, None
