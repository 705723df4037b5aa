"""Properties of the synthetic organic performance model (emulator/domain/performance.py)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from statistics import median

from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.domain import performance as perf

platforms = st.sampled_from(["tiktok", "instagram"])
temps = st.sampled_from(["cold", "warm", "hot"])
formats = st.sampled_from(["video", "slideshow", "image"])
post_ids = st.text("0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=4, max_size=26).map(lambda s: "pp_" + s)
hooks = st.one_of(st.none(), st.text(max_size=40))
inputs = st.builds(
    perf.PostInputs, seed=st.integers(0, 2**32), post_id=post_ids, account_id=st.just("sa_1"),
    platform=platforms, temperature=temps, format=formats, hook=hooks,
)
hours = st.floats(min_value=0, max_value=24 * 120, allow_nan=False)


@settings(deadline=None)
@given(inputs, hours, hours)
def test_cumulative_counters_never_decrease(inp, a, b):
    p = perf.profile(inp)
    lo, hi = sorted((a, b))
    before, after = perf.cumulative(p, lo), perf.cumulative(p, hi)
    for key in perf.COUNTERS:
        assert after[key] >= before[key] >= 0, key


@settings(deadline=None)
@given(inputs, hours)
def test_engagements_bounded_by_views(inp, t):
    m = perf.metrics_at(inp, t)
    for key in ("likes", "comments", "shares", "saves", "reach"):
        assert m[key] <= m["views"], key
    assert m["impressions"] >= m["views"]
    assert m["likes"] + m["comments"] + m["shares"] + m["saves"] <= m["views"]
    assert 0 <= m["engagement_rate"] <= 0.31
    if m["views"] == 0:
        assert m["engagement_rate"] == 0


@settings(deadline=None)
@given(inputs, hours)
def test_same_inputs_same_numbers(inp, t):
    again = perf.PostInputs(**inp.__dict__)
    assert perf.metrics_at(inp, t) == perf.metrics_at(again, t)


@settings(deadline=None)
@given(inputs)
def test_nothing_before_publish_and_images_have_no_watch_time(inp):
    assert all(v == 0 for v in perf.cumulative(perf.profile(inp), 0).values())
    if inp.format == "image":
        assert perf.cumulative(perf.profile(inp), 48)["watch_time_ms"] == 0


def test_growth_is_front_loaded_and_flattens():
    inp = perf.PostInputs(0, "pp_A", "sa_1", "tiktok", "warm")
    p = perf.profile(inp)
    day1 = perf.cumulative(p, 24)["views"]
    day2 = perf.cumulative(p, 48)["views"] - day1
    day7 = perf.cumulative(p, 168)["views"] - perf.cumulative(p, 144)["views"]
    assert day1 > day2 > day7 >= 0


def test_most_posts_ordinary_a_few_breakouts():
    profiles = [perf.profile(perf.PostInputs(7, f"pp_{i}", "sa_1", "tiktok", "warm")) for i in range(2000)]
    views = sorted(p.lifetime_views for p in profiles)
    mid = median(views)
    assert 900 <= mid <= 2500  # around the warm TikTok base of 1,500
    breakouts = sum(p.breakout for p in profiles)
    assert 30 <= breakouts <= 130  # ~4 %
    assert views[-1] > 20 * mid  # a heavy right tail
    assert sum(v > 5 * mid for v in views) < 0.08 * len(views)


def test_temperature_and_platform_order_the_medians():
    def med(platform, temp):
        return median(
            perf.profile(perf.PostInputs(1, f"pp_{i}", "sa", platform, temp)).lifetime_views for i in range(400)
        )

    assert med("tiktok", "cold") < med("tiktok", "warm") < med("tiktok", "hot")
    assert med("instagram", "hot") < med("tiktok", "hot")


def test_seed_changes_numbers():
    a = perf.profile(perf.PostInputs(1, "pp_X", "sa", "tiktok", "warm"))
    b = perf.profile(perf.PostInputs(2, "pp_X", "sa", "tiktok", "warm"))
    assert a != b


def test_hook_lift_is_shared_by_posts_with_the_same_hook():
    lift = perf.z(0, "hook", perf.normalize_hook("Stop scrolling!"))
    assert lift == perf.z(0, "hook", perf.normalize_hook("stop   SCROLLING"))


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1)).map(lambda d: d.replace(tzinfo=UTC)))
def test_sync_ticks_follow_the_cadence(published):
    first = perf.first_sync(published)
    assert first >= published and first - published < timedelta(minutes=30)
    assert first.minute in (0, 30) and first.second == 0 and first.microsecond == 0
    tick, seen = first, [first]
    while True:
        nxt = perf.next_sync(published, tick)
        if nxt is None:
            break
        assert nxt > tick
        age = tick - published
        if age < timedelta(hours=72):
            assert nxt - tick == timedelta(minutes=30)
        else:
            assert nxt - tick <= timedelta(days=1)
        seen.append(nxt)
        tick = nxt
    assert seen[-1] - published <= timedelta(days=90)
    assert seen[-1] - published > timedelta(days=88)


@settings(max_examples=150)
@given(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1)).map(lambda d: d.replace(tzinfo=UTC)),
    st.lists(st.integers(-3_600, 95 * 86_400), min_size=1, max_size=25),
    st.data(),
)
def test_last_sync_is_the_latest_tick_of_the_walked_schedule(published, offsets, data):
    """Reads compute a post's numbers at `last_sync(published, at)` instead of reading stored
    snapshots: that instant must be exactly the latest tick `first_sync` / `next_sync` reach."""
    ticks = [perf.first_sync(published)]
    while (nxt := perf.next_sync(published, ticks[-1])) is not None:
        ticks.append(nxt)
    probes = [published + timedelta(seconds=s) for s in offsets]
    tick = data.draw(st.sampled_from(ticks))  # the edges: exactly on a tick and just before it
    probes += [tick, tick - timedelta(microseconds=1)]
    for at in probes:
        expected = max((t for t in ticks if t <= at), default=None)
        assert perf.last_sync(published, at) == expected, at
