"""`GET /v1/projects/:id/top-performers`: ranking, gate, filters, blocks, validation."""
from __future__ import annotations

import pytest

from tests.api.test_metrics_support import container, publish, social_account
from tests.support import Api


def top(api: Api, project: str, **params) -> list[dict]:
    r = api.get(f"/v1/projects/{project}/top-performers", params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["metric"] == params["metric"] and body["window"] == params.get("window", "30d")
    return list(body["items"])


def assert_ranked(items: list[dict]) -> None:
    assert [i["rank"] for i in items] == list(range(1, len(items) + 1))
    values = [i["metricValue"] for i in items]
    assert values == sorted(values, reverse=True)


@pytest.fixture(scope="module")
def mixed(client):
    """Generated posts on TikTok and Instagram, one uploaded container, UGC posts; 3 days later."""
    api = Api(client, "lp_test_top_mixed")
    project = api.project()["id"]
    tiktok = social_account(api, project, "tiktok", "warm")
    insta = social_account(api, project, "instagram", "warm")
    for i in range(6):
        cid = container(api, project, hook=f"Hook number {i}")
        publish(api, project, tiktok if i % 2 else insta, "tiktok" if i % 2 else "instagram", container_id=cid)
        api.advance(seconds=4 * 3600)
    shared = container(api, project, hook="One container, two accounts")
    publish(api, project, tiktok, "tiktok", container_id=shared)
    publish(api, project, insta, "instagram", container_id=shared)
    uploaded = container(api, project, hook="Uploaded clip", uploaded=True)
    publish(api, project, tiktok, "tiktok", container_id=uploaded)
    for views in (20, 3000, 9000, 400):
        r = api.post("/_emulator/platform-posts", json={"projectId": project, "platform": "tiktok", "views": views,
                                                         "likes": views // 10, "comments": views // 100,
                                                         "title": f"UGC {views}"})
        assert r.status_code == 200, r.text
    api.advance(seconds=3 * 86400)
    return api, project, shared, uploaded


def test_fresh_project_has_no_items(api: Api):
    project = api.project()["id"]
    for metric in ("views", "engagement_rate", "conversions", "roas", "watch_time_ms"):
        assert top(api, project, metric=metric) == []
    assert top(api, project, metric="views", includeIneligible="true") == []


def test_nothing_ranks_before_the_first_sync_and_scoring(api: Api):
    project = api.project()["id"]
    account = social_account(api, project, "tiktok", "hot")
    publish(api, project, account, container_id=container(api, project))
    assert top(api, project, metric="views", includeIneligible="true") == []  # not synced yet
    api.advance(seconds=1800)
    assert len(top(api, project, metric="views", includeIneligible="true")) == 1
    assert top(api, project, metric="views") == []  # unscored: the gate keeps it out
    api.advance(seconds=6 * 3600)  # a scoring tick passed
    assert len(top(api, project, metric="views")) == 1


@pytest.mark.parametrize("metric", ["views", "engagement_rate", "watch_time_ms"])
def test_rankings_are_sorted_with_contiguous_ranks(mixed, metric):
    api, project, _, _ = mixed
    items = top(api, project, metric=metric, includeIneligible="true")
    assert len(items) >= 8
    assert_ranked(items)
    key = {"views": "views", "engagement_rate": "engagementRate", "watch_time_ms": "watchTimeMs"}[metric]
    assert all(i["metricValue"] == i["organic"][key] for i in items)


def test_row_shape(mixed):
    api, project, shared, _ = mixed
    items = top(api, project, metric="views", includeIneligible="true", limit=100)
    row = next(i for i in items if i["sourceId"] == shared)
    assert set(row) == {"rank", "sourceType", "sourceId", "platformPostId", "adsContentId", "title", "thumbnailUrl",
                        "metricValue", "organic", "paid"}
    assert row["sourceType"] == "content_container"
    assert row["organic"]["platforms"] == ["instagram", "tiktok"]  # two posts summed
    assert row["platformPostId"].startswith("pp_")
    assert row["adsContentId"] is None and row["paid"] is None  # never promoted
    ugc = [i for i in items if i["sourceType"] == "platform_post"]
    assert ugc and all(i["sourceId"] is None for i in ugc)


def test_source_type_and_platform_filters(mixed):
    api, project, _, uploaded = mixed
    generated = top(api, project, metric="views", includeIneligible="true", sourceType="content_container")
    assert generated and all(i["sourceType"] == "content_container" for i in generated)
    manual = top(api, project, metric="views", includeIneligible="true", sourceType="manual")
    assert [i["sourceId"] for i in manual] == [uploaded]
    both = top(api, project, metric="views", includeIneligible="true", sourceType=["manual", "platform_post"])
    assert {i["sourceType"] for i in both} == {"manual", "platform_post"}
    insta = top(api, project, metric="views", includeIneligible="true", platform="instagram")
    assert insta and all("instagram" in i["organic"]["platforms"] for i in insta)
    assert top(api, project, metric="views", includeIneligible="true", platform="youtube") == []
    assert_ranked(insta)


def test_the_gate_drops_unscored_excluded_and_thin_creatives(mixed):
    api, project, _, uploaded = mixed
    everything = top(api, project, metric="views", includeIneligible="true", limit=100)
    gated = top(api, project, metric="views", limit=100)
    assert_ranked(gated)
    assert len(gated) < len(everything)
    assert uploaded not in {i["sourceId"] for i in gated}  # manual pool: opted out unless included
    assert "UGC 20" not in {i["title"] for i in gated}  # under 50 views scores 0


def test_limit_and_window(mixed):
    api, project, _, _ = mixed
    assert len(top(api, project, metric="views", includeIneligible="true", limit=2)) == 2
    assert top(api, project, metric="views", includeIneligible="true", window="7d")
    api.advance(seconds=8 * 86400)
    assert top(api, project, metric="views", includeIneligible="true", window="7d") == []
    assert top(api, project, metric="views", includeIneligible="true", window="90d")


def test_paid_axes_rank_only_promoted_creatives(api: Api):
    project = api.project()["id"]
    account = social_account(api, project, "tiktok", "warm")
    cids = [container(api, project, hook=f"Paid {i}") for i in range(3)]
    for cid in cids:
        publish(api, project, account, container_id=cid)
    api.advance(seconds=7 * 3600)
    assert top(api, project, metric="roas") == []
    rows = api.get(f"/v1/projects/{project}/ads-content").json()["items"]
    for row in rows[:2]:
        r = api.post("/_emulator/ads/promotions", json={"projectId": project, "adsContentId": row["adsContentId"],
                                                        "platform": "meta_ads", "dailyBudgetCents": 5000})
        assert r.status_code == 200, r.text
    api.advance(seconds=3 * 86400)
    for metric in ("roas", "conversions"):
        items = top(api, project, metric=metric)
        assert len(items) == 2
        assert_ranked(items)
        for item in items:
            assert item["adsContentId"].startswith("adc_")
            assert item["paid"]["platforms"] == ["meta_ads"] and item["paid"]["spend"] > 0
            assert item["metricValue"] == item["paid"][metric]
    meta = top(api, project, metric="views", platform="meta_ads")
    assert len(meta) == 2


@pytest.mark.parametrize("params, path", [
    ({}, "metric"),
    ({"metric": "likes"}, "metric"),
    ({"metric": "views", "window": "14d"}, "window"),
    ({"metric": "views", "sourceType": "ugc"}, "sourceType"),
    ({"metric": "views", "platform": "twitter"}, "platform"),
    ({"metric": "views", "limit": "0"}, "limit"),
    ({"metric": "views", "limit": "101"}, "limit"),
    ({"metric": "views", "includeIneligible": "maybe"}, "includeIneligible"),
])
def test_validation(api: Api, params, path):
    project = api.project()["id"]
    r = api.get(f"/v1/projects/{project}/top-performers", params=params)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["issues"][0]["path"] == path


def test_other_tenants_project_is_not_found(api: Api, client):
    project = api.project()["id"]
    r = Api(client, "lp_test_top_stranger").get(f"/v1/projects/{project}/top-performers", params={"metric": "views"})
    assert r.status_code == 404
