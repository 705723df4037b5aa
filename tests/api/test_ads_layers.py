"""Meta / TikTok ad manager layers: content-refresh (15 min), ad-optimize (6 h), watchdog (2 h),
on the distribution layer's runs; overrides respected; `ads.decision` events."""
from __future__ import annotations

import pytest

from tests.api.test_metrics_support import container, publish, social_account
from tests.support import Api


def install(api: Api, project: str, template: str = "meta-ads-manager", **config) -> dict:
    r = api.post("/api/project-layers", json={"projectId": project, "templateId": template, "config": config})
    assert r.status_code == 201, r.text
    return dict(r.json())


def runs(api: Api, layer: str, **params) -> list[dict]:
    out: list[dict] = []
    cursor = None
    while True:
        r = api.get(f"/api/project-layers/{layer}/runs",
                    params={"limit": 200, **params, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        out += r.json()["items"]
        cursor = r.json()["nextCursor"]
        if not cursor:
            return out


def creatives(api: Api, project: str) -> dict[str, dict]:
    items = api.get(f"/v1/projects/{project}/ads-content", params={"limit": 200}).json()["items"]
    return {r["adsContentId"]: r for r in items}


def scored_project(api: Api, n: int = 4) -> str:
    """`n` generated posts, synced and scored (eligible) by 06:00."""
    project = api.project()["id"]
    account = social_account(api, project, "tiktok", "warm")
    for i in range(n):
        publish(api, project, account, container_id=container(api, project, hook=f"Creative {i}"))
    api.advance(seconds=6 * 3600)
    return project


def test_install_records_an_initialize_run(api: Api):
    project = api.project()["id"]
    layer = install(api, project, "tiktok-ad-manager")
    assert layer["id"].startswith("pl_") and layer["templateId"] == "tiktok-ad-manager"
    assert layer["config"]["maxCreativesPerAdset"] == 10
    got = api.get(f"/api/project-layers/{layer['id']}").json()
    assert got["templateId"] == "tiktok-ad-manager" and got["status"] == "active"
    [run] = runs(api, layer["id"])
    assert run["commandId"] == "initialize" and run["trigger"] == "install" and run["status"] == "completed"


@pytest.mark.parametrize("body, path", [
    ({"templateId": "google-ads-manager"}, "templateId"),
    ({"templateId": "meta-ads-manager", "config": {"dailyBudgetCents": 5}}, "config.dailyBudgetCents"),
    ({"templateId": "meta-ads-manager", "config": {"targetCpa": -3}}, "config.targetCpa"),
])
def test_install_validation(api: Api, body, path):
    project = api.project()["id"]
    r = api.post("/api/project-layers", json={"projectId": project, **body})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == path


def test_content_refresh_promotes_eligible_creatives_every_15_minutes(api: Api):
    project = scored_project(api)
    layer = install(api, project, maxNewCreatives=2)
    api.advance(seconds=15 * 60)
    refreshes = runs(api, layer["id"], commandId="content-refresh")
    assert len(refreshes) == 1 and refreshes[0]["trigger"] == "scheduled"
    assert len(refreshes[0]["output"]["launched"]) == 2
    assert refreshes[0]["startedAt"].startswith("2026-05-11T06:15:00")
    api.advance(seconds=15 * 60)
    assert len(runs(api, layer["id"], commandId="content-refresh")) == 2  # two more creatives
    api.advance(seconds=3600)  # nothing left to push: idle fires create no run
    assert len(runs(api, layer["id"], commandId="content-refresh")) == 2
    promoted = [r for r in creatives(api, project).values() if r["activePromotions"]]
    assert len(promoted) == 4 and all(r["activePromotions"][0]["platform"] == "meta_ads" for r in promoted)


def test_excluded_creatives_are_pruned_and_never_pushed(api: Api):
    project = scored_project(api, 2)
    layer = install(api, project)
    api.advance(seconds=15 * 60)
    rows = creatives(api, project)
    target = next(r for r in rows.values() if r["activePromotions"])
    r = api.patch(f"/v1/projects/{project}/ads-content/{target['adsContentId']}", json={"override": "exclude"})
    assert r.status_code == 200
    api.advance(seconds=15 * 60)
    assert creatives(api, project)[target["adsContentId"]]["activePromotions"] == []
    decisions = [e["data"] for e in api.events(type="ads.decision")]
    assert any(d["actionType"] == "prune_creative" and d["projectLayerId"] == layer["id"] for d in decisions)
    api.advance(seconds=3600)
    assert creatives(api, project)[target["adsContentId"]]["activePromotions"] == []


def test_included_manual_creatives_are_pushed(api: Api):
    project = api.project()["id"]
    publish(api, project, social_account(api, project), container_id=container(api, project, uploaded=True))
    api.advance(seconds=6 * 3600)
    [row] = creatives(api, project).values()
    layer = install(api, project)
    api.advance(seconds=15 * 60)
    assert runs(api, layer["id"], commandId="content-refresh") == []  # opted out: nothing to push
    api.patch(f"/v1/projects/{project}/ads-content/{row['adsContentId']}", json={"override": "include"})
    api.advance(seconds=15 * 60)
    assert creatives(api, project)[row["adsContentId"]]["activePromotions"]


DAYS = 10


@pytest.fixture(scope="module")
def optimized(client):
    api = Api(client, "lp_test_ad_optimize")
    project = scored_project(api, 8)
    layer = install(api, project, maxNewCreatives=10, dailyBudgetCents=3000)
    api.advance(seconds=DAYS * 86400)
    return api, project, layer


def test_ad_optimize_runs_every_6_hours_with_decisions(optimized):
    api, _, layer = optimized
    passes = runs(api, layer["id"], commandId="ad-optimize")
    starts = sorted(r["startedAt"][11:16] for r in passes)
    assert set(starts) == {"00:00", "06:00", "12:00", "18:00"}
    assert len(passes) == DAYS * 4
    latest = max(passes, key=lambda r: r["startedAt"])
    out = latest["output"]
    assert out["counts"]["evaluated"] >= 1
    for d in out["decisions"]:
        assert d["action"] in ("PAUSE", "REPLACE", "SCALE_UP", "HOLD")
        assert d["entityType"] == "ad" and d["decisionId"] and d["state"]
        assert set(d["inputs"]) == {"spend7d", "conversions7d", "cpa7d", "targetCpa", "frequency", "ageDays"}
    young = min(passes, key=lambda r: r["startedAt"])["output"]["decisions"]
    assert all(d["action"] == "HOLD" for d in young)  # nothing moves in the first days


def test_material_decisions_emit_ads_decision(optimized):
    api, project, layer = optimized
    all_decisions = [d for r in runs(api, layer["id"], commandId="ad-optimize") for d in r["output"]["decisions"]]
    material = [d for d in all_decisions if d["action"] != "HOLD"]
    events = [e["data"] for e in api.events(type="ads.decision") if e["data"]["projectLayerId"] == layer["id"]]
    optimizer_events = [e for e in events if e["actionType"] in ("pause_ad", "update_budget")]
    assert len(material) >= 1
    assert {d["decisionId"] for d in material} <= {e["decisionId"] for e in optimizer_events}
    for e in events:
        assert e["projectId"] == project and e["platform"] == "meta_ads" and e["status"] == "dispatched"
        assert e["verdictId"].startswith("ver_")


def test_watchdog_runs_every_2_hours(optimized):
    api, _, layer = optimized
    watch = runs(api, layer["id"], commandId="ad-optimize-watchdog")
    assert len(watch) == DAYS * 12
    for r in watch:
        assert all(d["state"] == "CRITICAL" for d in r["output"]["decisions"])


def test_manual_dry_run_dispatches_nothing(optimized):
    api, project, layer = optimized
    before = len(api.events(type="ads.decision"))
    r = api.post(f"/api/project-layers/{layer['id']}/execute",
                 json={"commandId": "ad-optimize", "parameters": {"dryRun": True}})
    assert r.status_code == 202, r.text
    api.advance(seconds=1)
    run = api.get(f"/api/runs/{r.json()['runId']}").json()
    assert run["trigger"] == "manual" and run["output"]["dryRun"] is True
    assert len(api.events(type="ads.decision")) == before


def test_disable_underperforming_is_executable(optimized):
    api, _, layer = optimized
    r = api.post(f"/api/project-layers/{layer['id']}/execute", json={"commandId": "disable-underperforming"})
    assert r.status_code == 202
    api.advance(seconds=1)
    assert api.get(f"/api/runs/{r.json()['runId']}").json()["status"] == "completed"


def test_paid_numbers_flow_into_ads_metrics_and_top_performers(optimized):
    api, project, _ = optimized
    body = api.get(f"/v1/projects/{project}/ads-metrics", params={"groupBy": "ad"}).json()
    assert body["totals"]["entity_count"] >= 8 and body["totals"]["spend"] > 0
    items = api.get(f"/v1/projects/{project}/top-performers", params={"metric": "roas"}).json()["items"]
    assert items and [i["rank"] for i in items] == list(range(1, len(items) + 1))


def test_ad_layers_install_and_patch_through_the_layer_routes(api: Api):
    project = api.project()["id"]
    layer = install(api, project, template="tiktok-ad-manager")
    assert layer["templateId"] == "tiktok-ad-manager" and layer["status"] == "active"
    listed = api.get("/api/project-layers", params={"projectId": project, "templateIds": "tiktok-ad-manager"}).json()
    assert [item["id"] for item in listed["items"]] == [layer["id"]]
    bad = api.patch(f"/api/project-layers/{layer['id']}", json={"config": {"dailyBudgetCents": 5}})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"]["issues"][0]["path"] == "config.dailyBudgetCents"
    install_runs = runs(api, layer["id"], commandId="initialize")
    assert len(install_runs) == 1 and install_runs[0]["status"] == "completed"
