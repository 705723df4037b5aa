"""Pure measurement logic: bucketing, scoring and the gate, paid accrual, optimizer rules,
creative selection."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.domain import creative_selection, metric_series, optimizer, paid, scoring

T0 = datetime(2026, 5, 11, tzinfo=UTC)
instants = st.integers(0, 14 * 24 * 60).map(lambda m: T0 + timedelta(minutes=m))
deltas = st.lists(st.tuples(instants, st.lists(st.integers(0, 500), min_size=9, max_size=9)), max_size=60)


@settings(deadline=None, max_examples=150)
@given(deltas, st.lists(instants, max_size=20), instants, instants, st.sampled_from(["hour", "day", "week"]))
def test_series_totals_are_the_sum_of_the_buckets(ds, published, a, b, granularity):
    since, until = sorted((a, b))
    if since == until:
        until = since + timedelta(minutes=1)
    now = T0 + timedelta(days=10)
    metrics = [*metric_series.COUNTER_METRICS, "follower_delta", "posts_published", "engagement_rate", "followers"]
    series, totals = metric_series.aggregate(sorted(ds, key=lambda d: d[0]), published, since=since, until=until,
                                             now=now, granularity=granularity, metrics=metrics, base_followers=100)
    assert len(series) == metric_series.bucket_count(since, until, granularity)
    for m in [*metric_series.COUNTER_METRICS, "follower_delta", "posts_published"]:
        assert totals[m] == sum(b[m] for b in series), m
    assert totals["posts_published"] == totals["post_count"]
    visible = [at for at, _ in ds if since < at <= min(until, now)]
    assert totals["views"] == sum(v[0] for at, v in ds if at in visible)


def test_week_buckets_start_on_monday():
    assert metric_series.natural_start(datetime(2026, 5, 14, 15, tzinfo=UTC), "week") == datetime(2026, 5, 11,
                                                                                                   tzinfo=UTC)


def test_generated_scores_decay_to_the_floor_and_ad_spend_boosts():
    assert scoring.generated_score(0) == 7.0
    assert scoring.generated_score(6) == 6.0
    assert scoring.generated_score(18) == 4.0
    assert scoring.generated_score(100) == 2.0
    assert scoring.generated_score(100, spend_30d=500) == 5.0  # floor 2 + full boost 3
    assert scoring.generated_score(0, spend_30d=1000) == 10.0


def test_the_gate():
    assert scoring.eligibility(7.0, None) == (True, None)
    assert scoring.eligibility(3.9, None) == (False, "below_threshold")
    assert scoring.eligibility(None, None) == (False, "unscored")
    assert scoring.eligibility(2.0, "include") == (True, None)
    assert scoring.eligibility(9.0, "exclude") == (False, "override_exclude")
    assert scoring.eligibility(9.0, "include", safety_failed=True) == (False, "safety_failed")
    assert scoring.eligibility(9.0, None, pool="manual") == (False, "opted_out")
    assert scoring.eligibility(1.0, "include", pool="manual") == (True, None)


def test_ugc_scores():
    posts = [scoring.UgcPost(f"p{i}", "creator", v, v // 10, v // 100, v // 200, 0, 1.0)
             for i, v in enumerate((30, 500, 2000, 8000))]
    scores = scoring.ugc_scores(posts)
    assert scores["p0"] == 0.0  # under 50 views
    assert 0 < scores["p1"] < scores["p3"] <= 10
    assert scoring.ugc_scores(posts[:2]) == {"p0": None, "p1": None}  # pool under 3 posts


@settings(deadline=None)
@given(st.integers(0, 20 * 24), st.integers(1, 48))
def test_paid_accrual_is_monotone_and_split_invariant(hours, cut):
    ad = paid.Ad("ad_1", "meta_ads", 50.0, T0)
    now = T0 + timedelta(days=30)
    end = T0 + timedelta(hours=hours)
    mid = T0 + timedelta(hours=min(hours, cut))
    whole = paid.accrued(0, ad, T0, end, now)
    parts = [paid.accrued(0, ad, T0, mid, now), paid.accrued(0, ad, mid, end, now)]
    for k in paid.SUMS:
        assert abs(whole[k] - parts[0][k] - parts[1][k]) < 1e-6
        assert whole[k] >= 0
    assert whole["spend"] <= 50.0 * hours / 24 + 1e-9


def test_paid_visibility_and_budget_changes():
    ad = paid.Ad("ad_1", "tiktok_ads", 20.0, T0)
    assert paid.last_sync("tiktok_ads", T0 + timedelta(hours=6, minutes=10)) == T0 + timedelta(minutes=15)
    assert paid.last_sync("tiktok_ads", T0 + timedelta(hours=6, minutes=15)) == T0 + timedelta(hours=6, minutes=15)
    raised = paid.Ad("ad_1", "tiktok_ads", 20.0, T0, budget_changes=((T0 + timedelta(days=1), 40.0),))
    now = T0 + timedelta(days=5)
    day1 = paid.accrued(0, ad, T0, T0 + timedelta(days=1), now)["spend"]
    assert paid.accrued(0, raised, T0, T0 + timedelta(days=1), now)["spend"] == day1
    assert paid.accrued(0, raised, T0 + timedelta(days=1), T0 + timedelta(days=2), now)["spend"] > 1.5 * day1


def stats(**kw):
    base = dict(id="ad", adset_id="s", platform="tiktok_ads", age_days=10, spend7=100, conversions7=10, spend30=300,
                conversions30=30, impressions7=10_000, frequency7=2.0, lifetime_conversions=40, total_spend=400)
    return optimizer.AdStats(**{**base, **kw})


def test_classification_rules():
    assert optimizer.classify(stats(age_days=2), 10) == "TOO_YOUNG"
    assert optimizer.classify(stats(platform="meta_ads", age_days=5, lifetime_conversions=3), 10) == "LEARNING_PHASE"
    assert optimizer.classify(stats(spend7=60, conversions7=0), 10) == "CRITICAL"
    assert optimizer.classify(stats(spend7=300, conversions7=10), 10) == "CRITICAL"  # CPA 30 > 2.5 x 10
    assert optimizer.classify(stats(frequency7=4, spend7=150, conversions7=10, spend30=300, conversions30=30),
                              20) == "FATIGUED"
    assert optimizer.classify(stats(spend7=50, conversions7=10), 10) == "TOP_PERFORMER"  # CPA 5: score 100
    assert optimizer.classify(stats(spend7=100, conversions7=10), 10) == "HEALTHY"  # score 50
    assert optimizer.classify(stats(spend7=200, conversions7=10), 10) == "UNDERPERFORMING"  # score 25


def test_pause_guardrails():
    assert optimizer.pause_guardrails(stats(), "HEALTHY", 3)[0] is False
    assert optimizer.pause_guardrails(stats(spend7=10), "CRITICAL", 3)[2].startswith("confidence")
    assert optimizer.pause_guardrails(stats(), "CRITICAL", 1)[2] == "last active ad in its adset"
    ok, passed, held = optimizer.pause_guardrails(stats(), "UNDERPERFORMING", 2)
    assert ok and held is None and "adset_not_emptied" in passed
    assert optimizer.budget_step(10_000) == 2500 and optimizer.budget_step(100_000) == 10_000


def test_creative_selection_fills_spare_slots_and_adds_a_wildcard():
    rows = [{"id": f"g{i}", "scoringPool": "generated", "organicScore": 9 - i} for i in range(6)]
    rows += [{"id": "u0", "scoringPool": "ugc", "organicScore": 8.5}]
    picked = creative_selection.select(rows, {"generated": 3, "ugc": 3, "manual": 3},
                                       lambda r: -r["organicScore"])
    ids = [r["id"] for r in picked]
    assert ids[:4] == ["g0", "g1", "g2", "u0"]
    assert set(ids) == {"g0", "g1", "g2", "g3", "g4", "g5", "u0"}  # 5 spare slots + the wildcard
    assert creative_selection.select([], {"generated": 3}, lambda r: 0) == []
