"""The ads optimizer's classification and guardrails: pure (spec measurement.md §8.3, §8.4).

First match wins: TOO_YOUNG (< 3 days), LEARNING_PHASE (Meta, < 7 days and < 10 lifetime
conversions), CRITICAL (7-day spend over $50 with no conversions, or 7-day CPA beyond 2.5x the
reference CPA), FATIGUED (frequency >= 3.5, CPA up 30 % against 30 days, >= $20 spent), then a
performance score `50 x reference CPA / CPA` (0 without conversions): >= 80 TOP_PERFORMER,
>= 50 HEALTHY, else UNDERPERFORMING. The reference CPA is the layer's `targetCpa` or the pool's.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PAUSABLE = ("CRITICAL", "UNDERPERFORMING", "FATIGUED")
NEVER_PAUSE = ("TOO_YOUNG", "LEARNING_PHASE", "TOP_PERFORMER", "HEALTHY")
MIN_AGE_DAYS = 3
MIN_CONFIDENCE = 0.5
MAX_PAUSES = 20
MAX_ACTIONS = 40
MIN_IMPRESSIONS_FOR_BUDGET = 100
MIN_SPEND_TO_DISABLE = 5.0
BUDGET_STEP = 0.25  # of the current budget, within the 50 % / $100 guardrail


@dataclass(frozen=True)
class AdStats:
    id: str
    adset_id: str
    platform: str
    age_days: float
    spend7: float
    conversions7: float
    spend30: float
    conversions30: float
    impressions7: float
    frequency7: float
    lifetime_conversions: float
    total_spend: float


def cpa(spend: float, conversions: float) -> float | None:
    return spend / conversions if conversions >= 1 else None


def pool_cpa(stats: Sequence[AdStats]) -> float | None:
    return cpa(sum(s.spend7 for s in stats), sum(s.conversions7 for s in stats))


def performance_score(s: AdStats, reference: float | None) -> float:
    mine = cpa(s.spend7, s.conversions7)
    if mine is None or reference is None:
        return 0.0
    return max(0.0, min(100.0, 50.0 * reference / mine))


def classify(s: AdStats, reference: float | None) -> str:
    if s.age_days < MIN_AGE_DAYS:
        return "TOO_YOUNG"
    if s.platform == "meta_ads" and s.age_days < 7 and s.lifetime_conversions < 10:
        return "LEARNING_PHASE"
    mine = cpa(s.spend7, s.conversions7)
    if (s.spend7 > 50 and s.conversions7 < 1) or (mine is not None and reference and mine > 2.5 * reference):
        return "CRITICAL"
    month = cpa(s.spend30, s.conversions30)
    if s.frequency7 >= 3.5 and mine is not None and month and mine >= 1.3 * month and s.spend7 >= 20:
        return "FATIGUED"
    score = performance_score(s, reference)
    if score >= 80:
        return "TOP_PERFORMER"
    if score >= 50:
        return "HEALTHY"
    return "UNDERPERFORMING"


def confidence(s: AdStats) -> float:
    return min(1.0, s.spend7 / 50.0)


def pause_guardrails(s: AdStats, state: str, active_in_adset: int) -> tuple[bool, list[str], str | None]:
    """(allowed, guardrails passed, reason held)."""
    passed: list[str] = []
    if state not in PAUSABLE:
        return False, passed, f"state {state} is never paused"
    if s.age_days < MIN_AGE_DAYS:
        return False, passed, f"only {s.age_days:.1f} days old"
    passed.append("min_age_3d")
    if confidence(s) < MIN_CONFIDENCE:
        return False, passed, f"confidence {confidence(s):.2f} under {MIN_CONFIDENCE}"
    passed.append("confidence")
    if active_in_adset <= 1:
        return False, passed, "last active ad in its adset"
    passed.append("adset_not_emptied")
    return True, passed, None


def budget_step(current_cents: int) -> int:
    """A scale-up step within the guardrail (<= 50 % of current, <= $100)."""
    return int(min(current_cents * BUDGET_STEP, current_cents * 0.5, 10_000))
