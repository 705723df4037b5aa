"""`GET /v1/projects/:id/metrics`: validation, scopes and ownership, bucket shapes."""
from __future__ import annotations

import pytest

from tests.api.test_metrics_support import container, org_id, publish, social_account
from tests.support import Api

SINCE = "2026-05-10T00:00:00Z"


def metrics(api: Api, project: str, **params) -> dict:
    r = api.get(f"/v1/projects/{project}/metrics", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def issue_path(r) -> str:
    assert r.status_code == 422, r.text
    body = r.json()["error"]
    assert body["code"] == "VALIDATION"
    return body["details"]["issues"][0]["path"]


@pytest.fixture
def posted(api: Api) -> tuple[Api, str, str, str]:
    project = api.project()["id"]
    account = social_account(api, project, "tiktok", "warm")
    pp = publish(api, project, account, container_id=container(api, project))
    api.advance(seconds=2 * 86400)
    return api, project, account, pp


@pytest.mark.parametrize("name", ["since", "until"])
def test_date_only_window_bounds_are_validation(posted, name):
    api, project, _, _ = posted
    params = {"scope": "project", "id": project, "since": SINCE, "until": "2026-05-13T00:00:00Z"}
    params[name] = "2026-05-10" if name == "since" else "2026-05-13"
    assert issue_path(api.get(f"/v1/projects/{project}/metrics", params=params)) == name


@pytest.mark.parametrize("metric", ["conversions", "spend", "roas", "cpa"])
def test_paid_metrics_are_refused_here(posted, metric):
    api, project, _, _ = posted
    r = api.get(f"/v1/projects/{project}/metrics", params={"scope": "project", "id": project, "metrics": metric})
    assert issue_path(r) == "metrics"
    assert "ads-metrics" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    "params, path",
    [
        ({"id": "x"}, "scope"),
        ({"scope": "campaign", "id": "x"}, "scope"),
        ({"scope": "project"}, "id"),
        ({"scope": "project", "id": "P", "metrics": "loves"}, "metrics"),
        ({"scope": "project", "id": "P", "granularity": "month"}, "granularity"),
        ({"scope": "project", "id": "P", "since": "2026-05-12T00:00:00Z", "until": "2026-05-12T00:00:00Z"}, "since"),
        ({"scope": "project", "id": "P", "since": "yesterday"}, "since"),
        ({"scope": "project", "id": "P", "granularity": "hour", "since": "2026-02-01T00:00:00Z"}, "granularity"),
    ],
)
def test_bad_queries_name_the_parameter(posted, params, path):
    api, project, _, _ = posted
    params = {k: (project if v == "P" else v) for k, v in params.items()}
    assert issue_path(api.get(f"/v1/projects/{project}/metrics", params=params)) == path


def test_offsets_are_accepted_and_normalized(posted):
    api, project, _, _ = posted
    body = metrics(api, project, scope="project", id=project, since="2026-05-10T02:00:00+02:00",
                   until="2026-05-12T00:00:00Z")
    assert body["window"]["since"].startswith("2026-05-10T00:00:00")
    assert body["window"]["since"].endswith("Z")


def test_default_bundles_and_window(posted):
    api, project, account, pp = posted
    post = metrics(api, project, scope="platform_post", id=pp)
    assert set(post["totals"]) == {"views", "likes", "comments", "shares", "saves", "reach", "impressions",
                                   "watch_time_ms", "engagement_rate", "post_count"}
    assert len(post["series"]) == 30  # now is midnight: 30 whole days back
    assert post["series"][0]["bucket"] == "2026-04-13"
    acct = metrics(api, project, scope="social_account", id=account)
    assert set(acct["totals"]) == {"views", "engagement_rate", "followers", "follower_delta", "posts_published",
                                   "post_count"}
    proj = metrics(api, project, scope="project", id=project)
    assert set(proj["totals"]) == {"views", "engagement_rate", "watch_time_ms", "posts_published", "post_count"}
    assert proj["window"]["until"] == api.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_post_count_always_present_even_when_not_requested(posted):
    api, project, _, _ = posted
    body = metrics(api, project, scope="project", id=project, metrics="views", since=SINCE)
    assert body["totals"]["post_count"] == 1
    assert set(body["series"][0]) == {"bucket", "views"}


def test_entities_outside_the_project_are_not_found(posted):
    api, project, account, pp = posted
    other = api.project(name="Other App")["id"]
    other_account = social_account(api, other)
    other_pp = publish(api, other, other_account)
    api.advance(seconds=1800)
    cases = [
        ("platform_post", other_pp), ("platform_post", "pp_nope"), ("social_account", other_account),
        ("project", other), ("project_layer", "pl_nope"), ("organization", "org_someone_else"),
    ]
    for scope, entity in cases:
        r = api.get(f"/v1/projects/{project}/metrics", params={"scope": scope, "id": entity})
        assert r.status_code == 404, (scope, r.text)
        assert r.json()["error"]["code"] == "NOT_FOUND"
    # the same entities are fine through their own project
    assert metrics(api, other, scope="platform_post", id=other_pp)["totals"]["post_count"] == 1


def test_another_tenants_project_is_not_found(posted, client):
    api, project, _, _ = posted
    stranger = Api(client, "lp_test_metrics_stranger")
    r = stranger.get(f"/v1/projects/{project}/metrics", params={"scope": "project", "id": project})
    assert r.status_code == 404


def test_organization_scope_sums_every_project(posted):
    api, project, _, _ = posted
    other = api.project(name="Second App")["id"]
    publish(api, other, social_account(api, other, "instagram", "hot"))
    api.advance(seconds=86400)
    org = metrics(api, project, scope="organization", id=org_id(api), since=SINCE)
    one = metrics(api, project, scope="project", id=project, since=SINCE)
    two = metrics(api, other, scope="project", id=other, since=SINCE)
    assert org["totals"]["views"] == one["totals"]["views"] + two["totals"]["views"]
    assert org["totals"]["post_count"] == 2


def test_day_week_and_hour_bucket_labels(posted):
    api, project, _, _ = posted
    day = metrics(api, project, scope="project", id=project, since="2026-05-10T12:00:00Z",
                  until="2026-05-13T00:00:00Z")
    assert [b["bucket"] for b in day["series"]] == ["2026-05-10", "2026-05-11", "2026-05-12"]
    week = metrics(api, project, scope="project", id=project, granularity="week", since="2026-05-06T00:00:00Z",
                   until="2026-05-20T00:00:00Z")
    assert [b["bucket"] for b in week["series"]] == ["2026-05-04", "2026-05-11", "2026-05-18"]  # Mondays
    hour = metrics(api, project, scope="project", id=project, granularity="hour", since="2026-05-11T00:30:00Z",
                   until="2026-05-11T03:00:00Z")
    assert [b["bucket"] for b in hour["series"]] == [
        "2026-05-11T00:00:00.000Z", "2026-05-11T01:00:00.000Z", "2026-05-11T02:00:00.000Z"]


def test_buckets_after_now_are_zero(posted):
    api, project, _, _ = posted
    body = metrics(api, project, scope="project", id=project, since=SINCE, until="2026-05-20T00:00:00Z")
    future = [b for b in body["series"] if b["bucket"] >= "2026-05-13"]
    assert future and all(b["views"] == 0 and b["posts_published"] == 0 for b in future)


def test_project_scope_leaves_out_ugc_creator_posts(posted):
    api, project, _, _ = posted
    before = metrics(api, project, scope="project", id=project, since=SINCE)["totals"]
    r = api.post("/_emulator/platform-posts", json={"projectId": project, "platform": "instagram", "views": 5000,
                                                     "likes": 400, "ugc": True,
                                                     "publishedAt": "2026-05-01T00:00:00Z"})
    assert r.status_code == 200, r.text
    api.advance(seconds=86400)
    after = metrics(api, project, scope="project", id=project, since=SINCE)["totals"]
    assert after["post_count"] == before["post_count"]
    ugc = metrics(api, project, scope="platform_post", id=r.json()["id"], since="2026-04-30T00:00:00Z")["totals"]
    assert 4990 <= ugc["views"] <= 5000 and 390 <= ugc["likes"] <= 400


def test_project_layer_scope_counts_that_layers_posts(posted):
    api, project, account, _ = posted
    in_layer = publish(api, project, account, layer_id="pl_01TESTLAYER0000000000000000")
    api.advance(seconds=86400)
    body = metrics(api, project, scope="project_layer", id="pl_01TESTLAYER0000000000000000", since=SINCE)
    assert body["totals"]["post_count"] == 1
    single = metrics(api, project, scope="platform_post", id=in_layer, since=SINCE)
    assert body["totals"]["views"] == single["totals"]["views"]


def test_social_account_followers_grow_from_a_base(posted):
    api, project, account, _ = posted
    body = metrics(api, project, scope="social_account", id=account, since=SINCE)
    gauges = [b["followers"] for b in body["series"] if b["bucket"] <= "2026-05-12"]
    assert gauges == sorted(gauges) and gauges[0] > 0
    assert body["totals"]["followers"] == gauges[-1]
    assert body["totals"]["follower_delta"] == sum(b["follower_delta"] for b in body["series"])
