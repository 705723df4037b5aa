"""`GET /v1/projects/:id/ads-metrics`: paid numbers of promoted creatives (seed 001 optimization loop)."""
from __future__ import annotations

import pytest

from tests.api.test_metrics_support import container, publish, social_account
from tests.support import Api

SUMMED = ("spend", "impressions", "clicks", "conversions")


def paid(api: Api, project: str, **params) -> dict:
    r = api.get(f"/v1/projects/{project}/ads-metrics", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def promote(api: Api, project: str, row_id: str, platform: str = "meta_ads", budget: int = 5000) -> dict:
    r = api.post("/_emulator/ads/promotions", json={"projectId": project, "adsContentId": row_id,
                                                    "platform": platform, "dailyBudgetCents": budget})
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.fixture(scope="module")
def running(client):
    """Three creatives promoted at 07:00 on 2026-05-11 (two Meta, one TikTok), then a week."""
    api = Api(client, "lp_test_ads_metrics")
    project = api.project()["id"]
    account = social_account(api, project, "tiktok", "warm")
    for i in range(3):
        publish(api, project, account, container_id=container(api, project, hook=f"Ad hook {i}"))
    api.advance(seconds=7 * 3600)
    rows = api.get(f"/v1/projects/{project}/ads-content").json()["items"]
    ads = [promote(api, project, rows[0]["adsContentId"]), promote(api, project, rows[1]["adsContentId"]),
           promote(api, project, rows[2]["adsContentId"], "tiktok", 3000)]
    api.advance(seconds=7 * 86400)
    return api, project, ads, rows


def test_no_ads_means_zeros(api: Api):
    project = api.project()["id"]
    body = paid(api, project, since="2026-05-01", until="2026-05-08")
    assert body["currency"] == "USD" and len(body["series"]) == 7
    assert all(b["spend"] == 0 for b in body["series"]) and body["totals"]["spend"] == 0
    assert body["totals"]["cpa"] is None
    grouped = paid(api, project, groupBy="ad")
    assert grouped["series"] == [] and grouped["totals"]["entity_count"] == 0


@pytest.mark.parametrize("granularity", ["day", "week"])
def test_totals_equal_the_sum_of_the_series(running, granularity):
    api, project, _, _ = running
    body = paid(api, project, since="2026-05-11T00:00:00Z", until="2026-05-19T00:00:00Z", granularity=granularity,
                metrics=["spend", "impressions", "clicks", "conversions", "cpa", "roas", "ctr"])
    for metric in SUMMED:
        assert body["totals"][metric] == pytest.approx(sum(b[metric] for b in body["series"]), abs=0.011), metric
    assert body["totals"]["spend"] > 0
    if body["totals"]["conversions"]:
        assert body["totals"]["cpa"] == round(body["totals"]["spend"] / body["totals"]["conversions"], 2)
    assert 0 < body["totals"]["ctr"] < 0.1


def test_daily_spend_follows_the_budgets(running):
    api, project, _, _ = running
    body = paid(api, project, since="2026-05-12", until="2026-05-15", metrics="spend")  # date-only accepted here
    assert body["window"]["since"].startswith("2026-05-12T00:00:00")
    for bucket in body["series"]:
        assert 0.85 * 130 <= bucket["spend"] <= 130  # $50 + $50 + $30 a day


def test_group_by_ad_for_the_optimization_loop(running):
    api, project, ads, _ = running
    body = paid(api, project, since="2026-05-11T00:00:00Z", until="2026-05-18T00:00:00Z", groupBy="ad",
                metrics=["spend", "conversions", "cpa"])
    assert body["groupBy"] == "ad" and body["totals"]["entity_count"] == 3
    assert {r["adId"] for r in body["series"]} == {a["adId"] for a in ads}
    spends = [r["spend"] for r in body["series"]]
    assert spends == sorted(spends, reverse=True)
    for row in body["series"]:
        assert set(row) == {"adId", "name", "platform", "spend", "conversions", "cpa"}
        assert "bucket" not in row
    worry = [r for r in body["series"] if r["spend"] > 50 and r["conversions"] == 0]  # seed 001's filter works
    assert isinstance(worry, list)
    by_platform = paid(api, project, groupBy="platform")
    assert sorted(r["platform"] for r in by_platform["series"]) == ["meta_ads", "tiktok_ads"]


def test_scopes_and_platform_filter(running):
    api, project, ads, _ = running
    one = paid(api, project, scope="ad", id=ads[0]["adId"], metrics="spend")
    everything = paid(api, project, metrics="spend")
    assert 0 < one["totals"]["spend"] < everything["totals"]["spend"]
    meta = paid(api, project, platforms="meta_ads", metrics="spend")["totals"]["spend"]
    tiktok = paid(api, project, platforms="tiktok", metrics="spend")["totals"]["spend"]
    assert meta + tiktok == pytest.approx(everything["totals"]["spend"], abs=0.3)  # per-bucket cents rounding
    campaign = paid(api, project, scope="campaign", id=ads[0]["campaignId"], metrics="spend")
    assert campaign["totals"]["spend"] == pytest.approx(meta, abs=0.3)  # both Meta ads share the campaign
    assert api.get(f"/v1/projects/{project}/ads-metrics", params={"scope": "ad", "id": "ad_nope"}).status_code == 404


def test_spend_is_visible_after_the_platforms_6_hour_sync(api: Api):
    project = api.project()["id"]
    publish(api, project, social_account(api, project), container_id=container(api, project))
    api.advance(seconds=7 * 3600)  # 07:00
    row = api.get(f"/v1/projects/{project}/ads-content").json()["items"][0]
    promote(api, project, row["adsContentId"])
    api.advance(seconds=4 * 3600)  # 11:00: the last Meta sync (06:00) predates the ad
    assert paid(api, project, metrics="spend")["totals"]["spend"] == 0
    api.advance(seconds=3600)  # 12:00 sync
    assert paid(api, project, metrics="spend")["totals"]["spend"] > 0


def test_promotions_show_on_the_creative_and_boost_its_score(running):
    api, project, ads, rows = running
    items = {r["adsContentId"]: r for r in api.get(f"/v1/projects/{project}/ads-content").json()["items"]}
    promoted = items[rows[0]["adsContentId"]]
    assert promoted["activePromotions"][0]["adId"] == ads[0]["adId"]
    assert promoted["activePromotions"][0]["platform"] == "meta_ads"
    assert promoted["organicScore"] > 7.0 - 8 / 6  # the ad boost outweighs a week of decay


@pytest.mark.parametrize("params, path", [
    ({"granularity": "hour"}, "granularity"), ({"metrics": "views"}, "metrics"), ({"scope": "keyword"}, "scope"),
    ({"groupBy": "creative"}, "groupBy"), ({"platforms": "snap_ads"}, "platforms"), ({"scope": "ad"}, "id"),
    ({"since": "2026-05-10T00:00:00Z", "until": "2026-05-01T00:00:00Z"}, "since"), ({"since": "soon"}, "since"),
])
def test_validation(api: Api, params, path):
    project = api.project()["id"]
    r = api.get(f"/v1/projects/{project}/ads-metrics", params=params)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["issues"][0]["path"] == path
