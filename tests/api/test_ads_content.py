"""`/v1/projects/:id/ads-content`: rows, scoring and decay on the 6-hour ticks, the gate, overrides."""
from __future__ import annotations

import pytest

from tests.api.test_metrics_support import container, publish, social_account
from tests.support import Api


def rows(api: Api, project: str, **params) -> list[dict]:
    r = api.get(f"/v1/projects/{project}/ads-content", params=params)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def patch(api: Api, project: str, row_id: str, body: dict):
    return api.patch(f"/v1/projects/{project}/ads-content/{row_id}", json=body)


@pytest.fixture
def generated(api: Api) -> tuple[Api, str, str]:
    """One generated post published at 00:00 and synced at 00:00 (no scoring yet)."""
    project = api.project()["id"]
    publish(api, project, social_account(api, project, "tiktok", "warm"), container_id=container(api, project))
    api.advance(seconds=60)
    return api, project, rows(api, project)[0]["adsContentId"]


def test_a_synced_post_gets_an_unscored_row(generated):
    api, project, _ = generated
    [row] = rows(api, project)
    assert row["adsContentId"].startswith("adc_")
    assert row["sourceType"] == "content_container" and row["scoringPool"] == "generated"
    assert row["organicScore"] is None and row["scoredAt"] is None
    assert row["eligible"] is False and row["ineligibleReason"] == "unscored"
    assert row["override"] is None and row["activePromotions"] == [] and row["safetyFailed"] is False


def test_scores_land_on_the_6_hour_ticks_and_decay(generated):
    api, project, _ = generated
    api.advance(seconds=6 * 3600 - 120)  # 05:59
    assert rows(api, project)[0]["organicScore"] is None
    api.advance(seconds=60)  # 06:00 scoring tick
    first = rows(api, project)[0]
    assert first["organicScore"] == pytest.approx(7.0 - 0.25 / 6, abs=0.01)
    assert first["eligible"] is True and first["scoringVersion"] == "emu-1"
    assert first["scoredAt"].startswith("2026-05-11T06:00:00")
    api.advance(seconds=5 * 3600)  # 11:00: still the 06:00 score
    assert rows(api, project)[0]["organicScore"] == first["organicScore"]
    api.advance(seconds=12 * 86400)  # day 12
    later = rows(api, project)[0]
    assert later["organicScore"] < first["organicScore"] - 1.5
    api.advance(seconds=9 * 86400)  # past ~18 days: under the 4.0 gate
    old = rows(api, project)[0]
    assert old["organicScore"] < 4.0 and old["eligible"] is False
    assert old["ineligibleReason"] == "below_threshold"
    api.advance(seconds=30 * 86400)
    assert rows(api, project)[0]["organicScore"] == 2.0  # the floor


def test_include_keeps_a_decayed_creative_eligible(generated):
    api, project, row_id = generated
    api.advance(seconds=25 * 86400)
    assert rows(api, project)[0]["eligible"] is False
    r = patch(api, project, row_id, {"override": "include", "note": "Customer favourite"})
    assert r.status_code == 200, r.text
    assert r.json()["override"] == "include" and r.json()["eligible"] is True
    assert r.json()["overrideNote"] == "Customer favourite"
    api.advance(seconds=6 * 3600)
    assert rows(api, project)[0]["eligible"] is True
    cleared = patch(api, project, row_id, {"override": None}).json()
    assert cleared["override"] is None and cleared["eligible"] is False


def test_exclude_removes_at_once_and_top_performers_follow(generated):
    api, project, row_id = generated
    api.advance(seconds=6 * 3600)
    assert len(api.get(f"/v1/projects/{project}/top-performers", params={"metric": "views"}).json()["items"]) == 1
    r = patch(api, project, row_id, {"override": "exclude"})
    assert r.json()["eligible"] is False and r.json()["ineligibleReason"] == "override_exclude"
    assert api.get(f"/v1/projects/{project}/top-performers", params={"metric": "views"}).json()["items"] == []
    assert rows(api, project, eligible="false")[0]["adsContentId"] == row_id


def test_bare_ids_are_accepted(generated):
    api, project, row_id = generated
    r = patch(api, project, row_id.removeprefix("adc_"), {"override": "include"})
    assert r.status_code == 200 and r.json()["adsContentId"] == row_id


def test_override_changes_are_audited_with_the_note(generated):
    api, project, row_id = generated
    patch(api, project, row_id, {"override": "exclude", "note": "Asked to stop promoting"})
    items = api.get("/v1/audit-log", params={"eventType": "ads_content.override_changed"}).json()["items"]
    assert items[0]["data"]["note"] == "Asked to stop promoting"
    assert items[0]["data"]["override"] == "exclude" and items[0]["project_id"] == project


@pytest.mark.parametrize("body, path", [
    ({"override": "maybe"}, "override"),
    ({}, "override"),
    ({"override": "include", "note": "x" * 281}, "note"),
])
def test_patch_validation(generated, body, path):
    api, project, row_id = generated
    r = patch(api, project, row_id, body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["issues"][0]["path"] == path


def test_unknown_or_foreign_rows_are_not_found(generated, client):
    api, project, row_id = generated
    assert patch(api, project, "adc_01NOPE0000000000000000000", {"override": "include"}).status_code == 404
    other = api.project(name="Other App")["id"]
    assert patch(api, other, row_id, {"override": "include"}).status_code == 404
    stranger = Api(client, "lp_test_adc_stranger")
    assert stranger.patch(f"/v1/projects/{project}/ads-content/{row_id}", json={"override": None}).status_code == 404


def test_pools_gate_and_filters(api: Api):
    project = api.project()["id"]
    account = social_account(api, project, "tiktok", "warm")
    publish(api, project, account, container_id=container(api, project, uploaded=True, hook="Uploaded"))
    container(api, project, hook="Never published")  # completed, not published: gets a row at scoring
    for views in (10, 800, 5000, 20000):
        api.post("/_emulator/platform-posts", json={"projectId": project, "platform": "tiktok", "views": views,
                                                    "likes": views // 12, "shares": views // 90,
                                                    "publishedAt": "2026-05-10T00:00:00Z"})
    api.advance(seconds=6 * 3600)
    everything = rows(api, project, limit=200)
    pools = sorted(r["scoringPool"] for r in everything)
    assert pools == ["generated", "manual", "ugc", "ugc", "ugc", "ugc"]
    manual = rows(api, project, scoringPool="manual")[0]
    assert manual["eligible"] is False and manual["ineligibleReason"] == "opted_out"
    ugc = rows(api, project, scoringPool="ugc", sort="score_asc")
    assert ugc[0]["organicScore"] == 0 and ugc[0]["ineligibleReason"] == "below_threshold"
    assert [r["organicScore"] for r in ugc] == sorted(r["organicScore"] for r in ugc)
    assert all(0 <= r["organicScore"] <= 10 for r in ugc)
    high = rows(api, project, minScore="4")
    assert high and all(r["organicScore"] >= 4 for r in high)
    by_score = rows(api, project)
    scores = [r["organicScore"] for r in by_score if r["organicScore"] is not None]
    assert scores == sorted(scores, reverse=True)
    patch(api, project, manual["adsContentId"], {"override": "include"})
    assert [r["adsContentId"] for r in rows(api, project, override="include")] == [manual["adsContentId"]]
    assert len(rows(api, project, override="none")) == len(everything) - 1
    assert all(r["eligible"] for r in rows(api, project, eligible="true"))


def test_small_ugc_pools_are_not_scored(api: Api):
    project = api.project()["id"]
    for views in (900, 3000):
        api.post("/_emulator/platform-posts", json={"projectId": project, "platform": "instagram", "views": views,
                                                    "publishedAt": "2026-05-10T00:00:00Z"})
    api.advance(seconds=6 * 3600)
    assert [r["organicScore"] for r in rows(api, project)] == [None, None]


def test_pagination_and_forged_cursors(api: Api):
    project = api.project()["id"]
    for i in range(5):
        container(api, project, hook=f"Clip {i}")
    api.advance(seconds=6 * 3600)
    first = api.get(f"/v1/projects/{project}/ads-content", params={"limit": 2}).json()
    assert len(first["items"]) == 2 and first["nextCursor"]
    second = api.get(f"/v1/projects/{project}/ads-content", params={"limit": 2, "cursor": first["nextCursor"]}).json()
    assert {r["adsContentId"] for r in second["items"]}.isdisjoint({r["adsContentId"] for r in first["items"]})
    forged = api.get(f"/v1/projects/{project}/ads-content", params={"limit": 2, "cursor": "not-a-cursor"}).json()
    assert forged["items"] == first["items"]


@pytest.mark.parametrize("params, path", [
    ({"scoringPool": "paid"}, "scoringPool"), ({"minScore": "11"}, "minScore"), ({"override": "all"}, "override"),
    ({"sort": "newest"}, "sort"), ({"limit": "201"}, "limit"), ({"eligible": "perhaps"}, "eligible"),
])
def test_list_validation(api: Api, params, path):
    project = api.project()["id"]
    r = api.get(f"/v1/projects/{project}/ads-content", params=params)
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == path


def test_safety_failures_cannot_be_overridden(generated):
    api, project, row_id = generated
    api.advance(seconds=6 * 3600)
    r = api.post(f"/_emulator/ads-content/{row_id}", json={"safetyFailed": True})
    assert r.status_code == 200, r.text
    assert r.json()["eligible"] is False and r.json()["ineligibleReason"] == "safety_failed"
    included = patch(api, project, row_id, {"override": "include"}).json()
    assert included["override"] == "include" and included["eligible"] is False  # stored, still ineligible
    api.advance(seconds=6 * 3600)
    assert rows(api, project)[0]["organicScore"] == 0


def _three_weeks(api: Api, read_along: bool) -> dict:
    """Generated and UGC posts over three weeks with a promotion running since day 1; with
    `read_along` the creatives, recommendations and top performers are read after every step."""
    project = api.project()["id"]
    account = social_account(api, project, "tiktok", "warm")
    ugc = {"projectId": project, "platform": "tiktok", "publishedAt": "2026-05-10T00:00:00Z"}
    for views in (900, 4000, 15000):
        api.post("/_emulator/platform-posts", json={**ugc, "views": views, "likes": views // 10})
    promoted = None
    for step in range(21 * 4):  # 6-hour steps; the hours are off the ticks on purpose
        if step % 3 == 0 and step < 40:
            hook = "Stop scrolling" if step % 2 else "Three apps in one"
            publish(api, project, account, container_id=container(api, project, hook=hook))
        api.advance(seconds=6 * 3600 - 7 * 60 if step % 2 else 6 * 3600 + 7 * 60)
        if promoted is None and step == 4:
            first = rows(api, project, sort="score_desc")[0]
            promoted = api.post("/_emulator/ads/promotions",
                                json={"projectId": project, "adsContentId": first["adsContentId"]}).json()
        if read_along:
            rows(api, project)
            api.get(f"/v1/projects/{project}/recommendations")
            api.get(f"/v1/projects/{project}/top-performers")
    recs = api.get(f"/v1/projects/{project}/recommendations", params={"status": "open"}).json()["items"]
    return {"creatives": rows(api, project, limit=200, sort="scored_at_desc"), "recommendations": recs}


def test_scoring_runs_give_the_same_results_whether_read_along_or_only_at_the_end():
    """Scoring runs are replayed on demand (ads_content.catch_up): reading after every step
    and reading only at the end must see the same creatives, scores and recommendations."""
    from tests.support import emulator_client, new_key

    with emulator_client() as a, emulator_client() as b:
        eager = _three_weeks(Api(a, "lp_test_same_world"), read_along=True)
        lazy = _three_weeks(Api(b, "lp_test_same_world"), read_along=False)
    assert len(eager["creatives"]) >= 16
    assert {r["scoringPool"] for r in eager["creatives"]} == {"generated", "ugc"}
    assert any(r["kind"] == "refresh_fatigued" for r in eager["recommendations"])
    assert eager == lazy
