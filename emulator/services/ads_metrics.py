"""Promoted creatives (synthetic ads) and `GET /v1/projects/:id/ads-metrics`.

A promotion is one ad carrying one ads-content creative on one ads platform, in its own adset
and campaign under the project's synthetic ad account for that platform. Promotions are
created by the ad manager layers' content refresh (or `POST /_emulator/ads/promotions`) and
paused by the optimizer. Paid numbers come from `domain.paid` and are visible up to the
platform's last 6-hourly ads sync.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from emulator import errors
from emulator.clock import iso, parse_instant
from emulator.context import Ctx
from emulator.domain import metric_series as ms
from emulator.domain import paid
from emulator.ids import uuid_from
from emulator.store.docs import Docs

PROMOS = Docs(
    "ad_promotions",
    {
        "project_id": lambda r: r["projectId"],
        "ads_content_id": lambda r: r["adsContentId"],
        "platform": lambda r: r["platform"],
        "status": lambda r: r["status"],
        "created_at": lambda r: r["createdAt"],
    },
    "Ad",
)
SCOPES = ("ad", "adset", "campaign", "ad_account", "project")
GROUP_BY = {"ad": "adId", "adset": "adsetId", "campaign": "campaignId", "ad_account": "adAccountId",
            "platform": "platform"}
METRICS = ("spend", "impressions", "clicks", "conversions", "cpa", "cpc", "cpm", "ctr", "roas", "reach", "frequency")
DEFAULT_METRICS = ("spend", "impressions", "clicks", "conversions", "cpa", "roas")
PLATFORM_ALIASES = {"meta": "meta_ads", "tiktok": "tiktok_ads", "apple": "apple_ads"}
DEFAULT_DAILY_BUDGET_CENTS = 2000


def platform_name(value: str) -> str | None:
    value = PLATFORM_ALIASES.get(value, value)
    return value if value in paid.PLATFORMS else None


def _ad(record: dict[str, Any]) -> paid.Ad:
    return paid.Ad(
        id=record["id"], platform=record["platform"], daily_budget=record.get("initialDailyBudgetCents", record["dailyBudgetCents"]) / 100,
        started_at=parse_instant(record["startedAt"]),
        paused_at=parse_instant(record["pausedAt"]) if record.get("pausedAt") else None,
        budget_changes=tuple((parse_instant(c["at"]), c["dailyBudgetCents"] / 100)
                             for c in record.get("budgetChanges") or []),
    )


def campaign_id(ctx: Ctx, project_id: str, platform: str) -> str:
    return "cmp_" + uuid_from(ctx.seed, ctx.tenant_id, project_id, platform, "campaign")


async def promote(
    ctx: Ctx, project_id: str, ads_content_id: str, platform: str, daily_budget_cents: int | None = None,
    layer_id: str | None = None,
) -> dict[str, Any]:
    ad_id = ctx.new_id("ad")
    account_id = "adacct_" + uuid_from(ctx.seed, ctx.tenant_id, project_id, platform, "account")
    record = {
        "id": ad_id,
        "adId": ad_id,
        "projectId": project_id,
        "adsContentId": ads_content_id,
        "platform": platform,
        "status": "active",
        "dailyBudgetCents": daily_budget_cents or DEFAULT_DAILY_BUDGET_CENTS,
        "initialDailyBudgetCents": daily_budget_cents or DEFAULT_DAILY_BUDGET_CENTS,
        "adAccountId": account_id,
        "campaignId": campaign_id(ctx, project_id, platform),
        "adsetId": "adset_" + uuid_from(ctx.seed, ctx.tenant_id, project_id, platform, layer_id, "adset"),
        "name": f"{platform.split('_')[0].title()} ad {ad_id[-6:]}",
        "layerId": layer_id,
        "startedAt": ctx.iso_now(),
        "pausedAt": None,
        "createdAt": ctx.iso_now(),
    }
    await PROMOS.insert(ctx.db, ctx.tenant_id, record)
    return record


async def set_budget(ctx: Ctx, record: dict[str, Any], cents: int) -> dict[str, Any]:
    record["dailyBudgetCents"] = cents
    record.setdefault("budgetChanges", []).append({"at": ctx.iso_now(), "dailyBudgetCents": cents})
    await PROMOS.save(ctx.db, ctx.tenant_id, record)
    return record


async def pause(ctx: Ctx, record: dict[str, Any], reason: str) -> dict[str, Any]:
    record.update(status="paused", pausedAt=ctx.iso_now(), pauseReason=reason)
    await PROMOS.save(ctx.db, ctx.tenant_id, record)
    return record


async def promotions(ctx: Ctx, project_id: str | None = None, *, active_only: bool = False) -> list[dict[str, Any]]:
    where, params = "1=1", []
    if project_id:
        where, params = "project_id = ?", [project_id]
    if active_only:
        where += " AND status = 'active'"
    return await PROMOS.find(ctx.db, ctx.tenant_id, where, params, order="created_at, id")


async def _for_contents(ctx: Ctx, ids: list[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    return await PROMOS.find(ctx.db, ctx.tenant_id, f"ads_content_id IN ({','.join('?' for _ in ids)})", ids,
                             order="created_at, id")


async def active_promotions(ctx: Ctx, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in await _for_contents(ctx, ids):
        if r["status"] != "active":
            continue
        out.setdefault(r["adsContentId"], []).append(
            {"adId": r["id"], "platform": r["platform"], "campaignId": r["campaignId"], "adsetId": r["adsetId"],
             "status": r["status"]})
    return out


async def spend_for_content(ctx: Ctx, ads_content_id: str, start: datetime, end: datetime) -> float:
    total = 0.0
    for r in await _for_contents(ctx, [ads_content_id]):
        total += paid.accrued(ctx.seed, _ad(r), start, end, ctx.now)["spend"]
    return total


async def paid_blocks(ctx: Ctx, ids: list[str], start: datetime, end: datetime) -> dict[str, dict[str, Any]]:
    """Top-performers `paid` block per promoted creative: {spend, conversions, cpa, roas, platforms}."""
    sums: dict[str, dict[str, float]] = {}
    plats: dict[str, set[str]] = {}
    for r in await _for_contents(ctx, ids):
        acc = paid.accrued(ctx.seed, _ad(r), start, end, ctx.now)
        bucket = sums.setdefault(r["adsContentId"], dict.fromkeys(paid.SUMS, 0.0))
        for k in paid.SUMS:
            bucket[k] += acc[k]
        plats.setdefault(r["adsContentId"], set()).add(r["platform"])
    out = {}
    for key, raw in sums.items():
        values = paid.rounded(raw)
        ratios = paid.derived(values)
        out[key] = {"spend": values["spend"], "conversions": values["conversions"], "cpa": ratios["cpa"],
                    "roas": ratios["roas"], "platforms": sorted(plats[key])}
    return out


@dataclass(frozen=True)
class Query:
    scope: str
    id: str
    metrics: tuple[str, ...]
    platforms: tuple[str, ...]
    since: datetime
    until: datetime
    granularity: str
    group_by: str | None


def _select(records: list[dict[str, Any]], q: Query, project_id: str) -> list[dict[str, Any]]:
    if q.scope == "project":
        if q.id != project_id:
            raise errors.NotFound(f"project {q.id} not found.")
        chosen = records
    else:
        field = GROUP_BY[q.scope]
        chosen = [r for r in records if r[field] == q.id]
        if not chosen:
            raise errors.NotFound(f"{q.scope} {q.id} not found in project {project_id}.")
    if q.platforms:
        chosen = [r for r in chosen if r["platform"] in q.platforms]
    return chosen


def _point(values: dict[str, float], metrics: tuple[str, ...]) -> dict[str, Any]:
    ratios = paid.derived(values)
    return {m: values[m] if m in values else ratios[m] for m in metrics}


async def read(ctx: Ctx, project_id: str, q: Query) -> dict[str, Any]:
    records = _select(await promotions(ctx, project_id), q, project_id)
    body: dict[str, Any] = {
        "scope": q.scope, "id": q.id,
        "window": {"since": iso(q.since), "until": iso(q.until), "granularity": q.granularity},
        "currency": "USD",
    }
    if q.group_by:
        field = GROUP_BY[q.group_by]
        groups: dict[str, list[dict[str, Any]]] = {}
        for r in records:
            groups.setdefault(r[field], []).append(r)
        rows, totals = [], dict.fromkeys(paid.SUMS, 0.0)
        for key, members in groups.items():
            raw = dict.fromkeys(paid.SUMS, 0.0)
            for r in members:
                acc = paid.accrued(ctx.seed, _ad(r), q.since, q.until, ctx.now)
                for k in paid.SUMS:
                    raw[k] += acc[k]
            values = paid.rounded(raw)
            for k in paid.SUMS:
                totals[k] += values[k]
            row = {field: key, "name": members[0]["name"] if q.group_by == "ad" else key,
                   "platform": members[0]["platform"], **_point(values, q.metrics)}
            rows.append((values["spend"], key, row))
        rows.sort(key=lambda t: (-t[0], t[1]))
        body["groupBy"] = q.group_by
        body["series"] = [r for _, _, r in rows]
        totals = {k: round(v, 2) for k, v in totals.items()}
        body["totals"] = {**_point(totals, q.metrics), "entity_count": len(rows)}
        return body
    series, totals = [], dict.fromkeys(paid.SUMS, 0.0)
    for b in ms.buckets(q.since, q.until, ctx.now, q.granularity):
        raw = dict.fromkeys(paid.SUMS, 0.0)
        if b.hi > b.lo:
            for r in records:
                acc = paid.accrued(ctx.seed, _ad(r), b.lo, b.hi, ctx.now)
                for k in paid.SUMS:
                    raw[k] += acc[k]
        values = paid.rounded(raw)
        for k in paid.SUMS:
            totals[k] += values[k]
        series.append({"bucket": b.label, **_point(values, q.metrics)})
    body["series"] = series
    body["totals"] = _point({k: round(v, 2) for k, v in totals.items()}, q.metrics)
    return body
