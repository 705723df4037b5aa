"""Synthetic paid performance of a promoted creative (one ad): pure (spec measurement.md §11.4).

A full UTC day of an active ad spends `dailyBudget x (0.85 + 0.15 u(ad, date, "pace"))`; CPM,
CTR, conversion rate and order value are per-ad lognormal draws around platform bases; CTR
fatigues after two weeks. Partial days accrue linearly. Ads metrics sync every 6 h,
staggered per platform (Meta +0, TikTok +15 min, Apple +30 min): reads see what accrued up to
the platform's last sync.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from emulator.domain.performance import u, z

PLATFORMS = ("meta_ads", "tiktok_ads", "apple_ads")
CPM = {"meta_ads": 9.00, "tiktok_ads": 6.50, "apple_ads": 4.00}
CTR = {"meta_ads": 0.012, "tiktok_ads": 0.010, "apple_ads": 0.06}
CVR = {"meta_ads": 0.08, "tiktok_ads": 0.08, "apple_ads": 0.5}
STAGGER = {"meta_ads": timedelta(0), "tiktok_ads": timedelta(minutes=15), "apple_ads": timedelta(minutes=30)}
SUMS = ("spend", "impressions", "reach", "clicks", "conversions", "revenue")


@dataclass(frozen=True)
class Ad:
    id: str
    platform: str
    daily_budget: float  # USD, from `started_at`
    started_at: datetime
    paused_at: datetime | None = None
    budget_changes: tuple[tuple[datetime, float], ...] = ()  # (from, USD a day), in time order

    def budget_at(self, at: datetime) -> float:
        budget = self.daily_budget
        for since, value in self.budget_changes:
            if since <= at:
                budget = value
        return budget


def last_sync(platform: str, now: datetime) -> datetime:
    """The platform's last ads-metrics sync at or before `now`."""
    shifted = now - STAGGER.get(platform, timedelta(0))
    base = shifted.replace(minute=0, second=0, microsecond=0)
    tick = base.replace(hour=(base.hour // 6) * 6)
    return tick + STAGGER.get(platform, timedelta(0))


@functools.lru_cache(maxsize=16384)
def _draws(seed: int, ad_id: str, platform: str) -> tuple[float, float, float, float]:
    """The ad's fixed draws: CPM, base CTR, conversion rate, order value."""
    return (CPM[platform] * math.exp(0.25 * z(seed, ad_id, "cpm")),
            CTR[platform] * math.exp(0.4 * z(seed, ad_id, "ctr")),
            min(1.0, CVR[platform] * math.exp(0.5 * z(seed, ad_id, "cvr"))),
            4.50 * math.exp(0.3 * z(seed, ad_id, "aov")))


@functools.lru_cache(maxsize=131072)
def _pace(seed: int, ad_id: str, key: str) -> float:
    return 0.85 + 0.15 * u(seed, ad_id, key, "pace")


def day_values(seed: int, ad: Ad, day: datetime, budget: float | None = None) -> dict[str, float]:
    """Full-day values of `ad` on the UTC day starting at `day` (at `budget` USD a day)."""
    key = day.strftime("%Y-%m-%d")
    age = max(0.0, (day - ad.started_at).total_seconds() / 86400)
    cpm, base_ctr, cvr, aov = _draws(seed, ad.id, ad.platform)
    spend = (ad.daily_budget if budget is None else budget) * _pace(seed, ad.id, key)
    impressions = spend / cpm * 1000
    frequency = min(6.0, 1.2 + 0.08 * age)
    ctr = base_ctr * max(0.5, 1 - 0.01 * max(0.0, age - 14))
    clicks = impressions * ctr
    conversions = clicks * cvr
    revenue = conversions * aov
    return {"spend": spend, "impressions": impressions, "reach": impressions / frequency, "clicks": clicks,
            "conversions": conversions, "revenue": revenue}


def accrued(seed: int, ad: Ad, start: datetime, end: datetime, now: datetime) -> dict[str, float]:
    """Raw (unrounded) sums of `ad` over `[start, end)`, as visible at `now`."""
    horizon = min(end, last_sync(ad.platform, now))
    lo = max(start, ad.started_at)
    hi = min(horizon, ad.paused_at) if ad.paused_at else horizon
    out = dict.fromkeys(SUMS, 0.0)
    if hi <= lo:
        return out
    cuts = sorted({lo, hi, *(at for at, _ in ad.budget_changes if lo < at < hi)})
    for seg_lo, seg_hi in zip(cuts, cuts[1:]):
        budget = ad.budget_at(seg_lo)
        day = seg_lo.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        while day < seg_hi:
            nxt = day + timedelta(days=1)
            overlap = (min(nxt, seg_hi) - max(day, seg_lo)).total_seconds() / 86400
            if overlap > 0:
                values = day_values(seed, ad, day, budget)
                for k in SUMS:
                    out[k] += values[k] * overlap
            day = nxt
    return out


def derived(sums: dict[str, float]) -> dict[str, float | None]:
    """Ratios recomputed from sums (spec §7.2)."""
    spend, imp, clicks = sums.get("spend", 0), sums.get("impressions", 0), sums.get("clicks", 0)
    conv, reach, revenue = sums.get("conversions", 0), sums.get("reach", 0), sums.get("revenue", 0)
    return {
        "cpa": round(spend / conv, 2) if conv else None,
        "cpc": round(spend / clicks, 2) if clicks else None,
        "cpm": round(spend / imp * 1000, 2) if imp else None,
        "ctr": round(clicks / imp, 4) if imp else None,
        "roas": round(revenue / spend, 2) if spend else None,
        "frequency": round(imp / reach, 2) if reach else None,
    }


def rounded(sums: dict[str, float]) -> dict[str, float]:
    return {
        "spend": round(sums.get("spend", 0.0), 2),
        "impressions": math.floor(sums.get("impressions", 0.0)),
        "reach": math.floor(sums.get("reach", 0.0)),
        "clicks": math.floor(sums.get("clicks", 0.0)),
        "conversions": math.floor(sums.get("conversions", 0.0)),
        "revenue": round(sums.get("revenue", 0.0), 2),
    }
