"""Ads measurement: `/v1/projects/:id/ads-content` (list, PATCH override), `/ads-metrics`,
`/recommendations` (list, PATCH), and `POST /_emulator/ads/promotions` (promote a creative)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from emulator import errors
from emulator.domain import metric_series as ms
from emulator.http import query as q
from emulator.http.api import Body, Call, Reply, Route
from emulator.http.metrics import many, window
from emulator.services import ad_layers, ad_runs, ads_content, ads_metrics, projects, recommendations

POOLS = ("generated", "ugc", "manual")
SORTS = tuple(ads_content.SORTS)


def _number(call: Call, name: str, lo: float, hi: float, default: float) -> float:
    raw = call.query.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise errors.Validation(f"{name} must be a number between {lo:g} and {hi:g}.", path=name) from None
    if not lo <= value <= hi:
        raise errors.Validation(f"{name} must be between {lo:g} and {hi:g}.", path=name)
    return value


async def list_ads_content(call: Call) -> dict[str, Any]:
    project_id = call.params["projectId"]
    await projects.get(call.ctx, project_id)
    pools = many(call, "scoringPool")
    if any(p not in POOLS for p in pools):
        raise errors.Validation(f"scoringPool must be among {', '.join(POOLS)}.", path="scoringPool")
    min_score = _number(call, "minScore", 0, 10, 0)
    override = q.enum(call.query, "override", ("include", "exclude", "none"))
    eligible = q.boolean(call.query, "eligible") if call.query.get("eligible") not in (None, "") else None
    sort = q.enum(call.query, "sort", SORTS, "score_desc")
    limit = q.integer(call.query, "limit", 1, 200, 50)
    assert sort is not None and limit is not None
    return await ads_content.list_rows(
        call.ctx, project_id, pools=pools, min_score=min_score, override=override, eligible=eligible, sort=sort,
        cursor=call.query.get("cursor"), limit=limit,
    )


class PatchAdsContent(Body):
    override: Literal["include", "exclude"] | None
    note: str | None = Field(default=None, max_length=280)


async def patch_ads_content(call: Call) -> dict[str, Any]:
    if "override" not in call.sent:
        raise errors.Validation("override is required (include, exclude or null).", path="override")
    body: PatchAdsContent = call.body
    return await ads_content.patch(call.ctx, call.params["projectId"], call.params["id"], body.override, body.note,
                                   "note" in call.sent)


async def get_ads_metrics(call: Call) -> dict[str, Any]:
    project_id = call.params["projectId"]
    await projects.get(call.ctx, project_id)
    scope = q.enum(call.query, "scope", ads_metrics.SCOPES, "project")
    assert scope is not None
    entity = call.query.get("id") or (project_id if scope == "project" else None)
    if not entity:
        raise errors.Validation("id is required for this scope.", path="id")
    names = many(call, "metrics") or list(ads_metrics.DEFAULT_METRICS)
    unknown = [n for n in names if n not in ads_metrics.METRICS]
    if unknown:
        raise errors.Validation(f"Unknown metric '{unknown[0]}'; one of {', '.join(ads_metrics.METRICS)}.",
                                path="metrics")
    platforms = []
    for p in many(call, "platforms") + many(call, "platform"):
        name = ads_metrics.platform_name(p)
        if name is None:
            raise errors.Validation("platforms must be among meta_ads, tiktok_ads, apple_ads.", path="platforms")
        platforms.append(name)
    granularity = q.enum(call.query, "granularity", ("day", "week"), "day")
    group_by = q.enum(call.query, "groupBy", tuple(ads_metrics.GROUP_BY))
    since, until = window(call, date_only_ok=True)
    assert granularity is not None
    if ms.bucket_count(since, until, granularity) > ms.MAX_BUCKETS:
        raise errors.Validation("The window holds too many buckets.", path="granularity")
    query = ads_metrics.Query(scope, entity, tuple(dict.fromkeys(names)), tuple(platforms), since, until,
                              granularity, group_by)
    return await ads_metrics.read(call.ctx, project_id, query)


async def list_recommendations(call: Call) -> dict[str, Any]:
    project_id = call.params["projectId"]
    await projects.get(call.ctx, project_id)
    kinds = many(call, "kind")
    if any(k not in recommendations.KINDS for k in kinds):
        raise errors.Validation(f"kind must be among {', '.join(recommendations.KINDS)}.", path="kind")
    statuses = many(call, "status")
    if any(s not in recommendations.STATUSES for s in statuses):
        raise errors.Validation(f"status must be among {', '.join(recommendations.STATUSES)}.", path="status")
    min_conf = _number(call, "minConfidence", 0, 1, 0)
    sort = q.enum(call.query, "sort", ("confidence_desc", "created_desc"), "confidence_desc")
    limit = q.integer(call.query, "limit", 1, 100, 25)
    assert sort is not None and limit is not None
    return await recommendations.list_page(
        call.ctx, project_id, kinds=kinds, statuses=statuses or ["open"], min_confidence=min_conf, sort=sort,
        cursor=call.query.get("cursor"), limit=limit,
    )


class PatchRecommendation(Body):
    status: Literal["open", "acknowledged", "dismissed", "acted_on"]
    note: str | None = Field(default=None, max_length=1024)


async def patch_recommendation(call: Call) -> dict[str, Any]:
    body: PatchRecommendation = call.body
    await projects.get(call.ctx, call.params["projectId"])
    return await recommendations.set_status(call.ctx, call.params["projectId"], call.params["recommendationId"],
                                            body.status, body.note)


class Promote(Body):
    projectId: str
    adsContentId: str
    platform: str = "meta_ads"
    dailyBudgetCents: int = Field(default=ads_metrics.DEFAULT_DAILY_BUDGET_CENTS, ge=100, le=10_000_000)


async def promote(call: Call) -> dict[str, Any]:
    body: Promote = call.body
    platform = ads_metrics.platform_name(body.platform)
    if platform is None:
        raise errors.Validation("platform must be meta_ads, tiktok_ads or apple_ads.", path="platform")
    await projects.get(call.ctx, body.projectId)
    row = await ads_content.get_row(call.ctx, body.projectId, body.adsContentId)
    return await ads_metrics.promote(call.ctx, body.projectId, row["id"], platform, body.dailyBudgetCents)


class Safety(Body):
    safetyFailed: bool


async def set_safety(call: Call) -> dict[str, Any]:
    return await ads_content.set_safety(call.ctx, call.params["id"], call.body.safetyFailed)


class Pause(Body):
    reason: str = "manual"


async def pause(call: Call) -> dict[str, Any]:
    record = await ads_metrics.PROMOS.require(call.ctx.db, call.ctx.tenant_id, call.params["adId"])
    return await ads_metrics.pause(call.ctx, record, call.body.reason)


class InstallAdLayer(Body):
    projectId: str
    templateId: str
    config: dict[str, Any] | None = None
    schedule: dict[str, Any] | None = None


async def install_ad_layer(call: Call) -> Reply:
    body: InstallAdLayer = call.body
    cron = (body.schedule or {}).get("cron")
    layer = await ad_layers.install(call.ctx, body.projectId, body.templateId, body.config, cron)
    return Reply({k: v for k, v in layer.items() if not k.startswith("_")}, 201)


class OptimizerRun(Body):
    layerId: str
    platform: str
    dryRun: bool = False


def _platform(value: str, path: str) -> str:
    name = ads_metrics.platform_name(value)
    if name is None:
        raise errors.Validation(f"{path} must be meta_ads, tiktok_ads or apple_ads.", path=path)
    if name not in ad_runs.TEMPLATE_OF:
        raise errors.Validation(f"{name} has no ad manager layer in the emulator (Meta and TikTok only).", path=path)
    return name


async def optimizer_run(call: Call) -> Reply:
    body: OptimizerRun = call.body
    await projects.get_active(call.ctx, call.params["projectId"])
    platform = _platform(body.platform, "platform")
    out = await ad_runs.start_optimizer(call.ctx, call.params["projectId"], body.layerId, platform, body.dryRun)
    return Reply(out, 202)


async def get_optimizer_run(call: Call) -> dict[str, Any]:
    await projects.get(call.ctx, call.params["projectId"])
    return await ad_runs.get_optimizer_run(call.ctx, call.params["projectId"], call.params["runId"])


class ContentRefresh(Body):
    layerId: str
    maxNewCreatives: int | None = Field(default=None, ge=0, le=50)


async def content_refresh(call: Call) -> Reply:
    body: ContentRefresh = call.body
    await projects.get_active(call.ctx, call.params["projectId"])
    platform = _platform(call.params["platform"], "platform")
    out = await ad_runs.start_refresh(call.ctx, call.params["projectId"], body.layerId, platform, body.maxNewCreatives)
    return Reply(out, 202)


TAGS = ("ads",)
ROUTES = [
    Route("GET", "/v1/projects/{projectId}/ads-content", list_ads_content, scope="metrics:read",
          summary="Scored creatives (ads content)",
          query=("scoringPool", "minScore", "override", "eligible", "sort", "cursor", "limit"), tags=TAGS),
    Route("PATCH", "/v1/projects/{projectId}/ads-content/{id}", patch_ads_content, scope="ads:write",
          body=PatchAdsContent, summary="Override a creative's eligibility", audit="ads_content.updated", tags=TAGS),
    Route("GET", "/v1/projects/{projectId}/ads-metrics", get_ads_metrics, scope="metrics:read",
          summary="Paid metrics of promoted creatives",
          query=("scope", "id", "metrics", "platforms", "since", "until", "granularity", "groupBy"), tags=TAGS),
    Route("GET", "/v1/projects/{projectId}/recommendations", list_recommendations, scope="metrics:read",
          summary="Agent-ready recommendations",
          query=("kind", "status", "minConfidence", "sort", "cursor", "limit"), tags=TAGS),
    Route("PATCH", "/v1/projects/{projectId}/recommendations/{recommendationId}", patch_recommendation,
          scope="metrics:read", body=PatchRecommendation, summary="Acknowledge, dismiss or act on a recommendation",
          audit="recommendation.updated", tags=TAGS),
    Route("POST", "/v1/projects/{projectId}/ads/optimizer/run", optimizer_run, scope="ads:write:optimizer_trigger",
          body=OptimizerRun, klass="long-running", status=202, summary="Run the ads optimizer (job)",
          audit="ads.optimizer.run", tags=TAGS),
    Route("GET", "/v1/projects/{projectId}/ads/optimizer/runs/{runId}", get_optimizer_run, scope="ads:read",
          summary="An optimizer run", tags=TAGS),
    Route("POST", "/v1/projects/{projectId}/ads/{platform}/content-refresh", content_refresh,
          scope="ads:write:creative", body=ContentRefresh, klass="long-running", status=202,
          summary="Refresh an ads layer's creatives (job)", audit="ads.content_refresh", tags=TAGS),
    Route("POST", "/_emulator/ads/promotions", promote, klass=None, body=Promote, idempotent=False,
          summary="Promote a creative as a synthetic ad (emulator control)", tags=("emulator",)),
    Route("POST", "/_emulator/ads-content/{id}", set_safety, klass=None, body=Safety, idempotent=False,
          summary="Fail or pass a creative's safety check (emulator control)", tags=("emulator",)),
    Route("POST", "/_emulator/ad-layers", install_ad_layer, klass=None, body=InstallAdLayer, idempotent=False,
          status=201, summary="Install a Meta / TikTok ad manager layer (emulator control)", tags=("emulator",)),
    Route("POST", "/_emulator/ads/promotions/{adId}/pause", pause, klass=None, body=Pause, idempotent=False,
          summary="Pause a synthetic ad (emulator control)", tags=("emulator",)),
]
