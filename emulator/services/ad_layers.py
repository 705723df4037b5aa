"""Meta / TikTok ad manager layers on distribution's command table and runs (spec measurement.md
§8-§9, distribution.md §4): `content-refresh` (*/15), `ad-optimize` (0 */6, the per-layer cron
override applies), `ad-optimize-watchdog` (0 */2) and the executable `disable-underperforming`.

Registered into the layer machinery at import (additive: templates, command bodies, a WORK
probe so idle content-refresh fires create no run, the `command.<id>` fire timers and ticker
cadences). Until `layers.install` validates per template, ad layers are installed through
`POST /_emulator/ad-layers` (`install`); every other layer route (get, list, execute, runs,
retry) then works on them unchanged.

Decisions respect the creative overrides: an `exclude`d (or safety-failed) creative is pruned
from running ads at the next content refresh and never pushed; `include` keeps a creative
selectable whatever its score. Organic scores never decide pauses of running ads.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from emulator import errors, ticker
from emulator.clock import parse_instant
from emulator.context import Ctx
from emulator.domain import optimizer as opt
from emulator.domain import creative_selection as selection
from emulator.domain import paid
from emulator.engine import timer
from emulator.services import ads_content, ads_metrics, ads_pending, commands, layers, projects, runs
from emulator.services import layer_config as lc

META, TIKTOK = "meta-ads-manager", "tiktok-ad-manager"
PLATFORM = {META: "meta_ads", TIKTOK: "tiktok_ads"}
COMMANDS = (
    lc.Command("initialize", "ads-manager-initialize", "internal"),
    lc.Command("content-refresh", "ads-content-refresh", "scheduled", "*/15 * * * *"),
    lc.Command("ad-optimize", "ads-optimize", "scheduled", "0 */6 * * *", True),
    lc.Command("ad-optimize-watchdog", "ads-optimize-watchdog", "scheduled", "0 */2 * * *"),
    lc.Command("disable-underperforming", "ads-disable-underperforming", "executable"),
)
DEFAULTS = {"dailyBudgetCents": 2000, "maxCreativesPerAdset": 10, "maxNewCreatives": 3, "targetCpa": None,
            "generatedSlots": 3, "ugcSlots": 3, "manualSlots": 3}
TEMPLATES = {
    META: lc.Template(META, "Meta Ads Manager", "1.0.0", COMMANDS, {}),
    TIKTOK: lc.Template(TIKTOK, "TikTok Ad Manager", "1.0.0", COMMANDS, {}),
}


def validate_config(config: Any) -> dict[str, Any]:
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise errors.Validation("config must be an object.", path="config")
    out = {**DEFAULTS, **config}
    bounds = {"dailyBudgetCents": (100, 10_000_000), "maxCreativesPerAdset": (1, 50), "maxNewCreatives": (0, 50),
              "generatedSlots": (0, 50), "ugcSlots": (0, 50), "manualSlots": (0, 50)}
    for key, (lo, hi) in bounds.items():
        value = out[key]
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            raise errors.Validation(f"config.{key} must be an integer between {lo} and {hi}.", path=f"config.{key}")
    authority = out.get("authority")
    if authority is not None:
        if not isinstance(authority, dict):
            raise errors.Validation("config.authority must be an object.", path="config.authority")
        for axis, mode in authority.items():
            if axis not in ads_pending.AXES or mode not in ads_pending.MODES:
                raise errors.Validation("config.authority axes are creative, tactical, structural; modes off, draft,"
                                        " auto.", path=f"config.authority.{axis}")
    cpa = out["targetCpa"]
    if cpa is not None and (isinstance(cpa, bool) or not isinstance(cpa, (int, float)) or cpa <= 0):
        raise errors.Validation("config.targetCpa must be a positive number (USD) or null.", path="config.targetCpa")
    return out


async def install(ctx: Ctx, project_id: str, template_id: str, config: Any, cron: str | None) -> dict[str, Any]:
    if template_id not in TEMPLATES:
        raise errors.Validation(f"templateId must be one of {', '.join(TEMPLATES)}.", path="templateId")
    project = await projects.get_active(ctx, project_id)
    schedule = lc.validate_schedule({"cron": cron} if cron else None)
    tpl = TEMPLATES[template_id]
    now = ctx.iso_now()
    layer = {"id": ctx.new_id("pl"), "projectId": project["id"], "templateId": tpl.id, "name": tpl.name,
             "version": tpl.version, "status": "active", "config": validate_config(config), "schedule": schedule,
             "configVersion": 1, "createdAt": now, "updatedAt": now, "deletedAt": None}
    await layers.LAYERS.insert(ctx.db, ctx.tenant_id, layer)
    await ctx.record("state", {"projectLayerId": layer["id"], "templateId": tpl.id}, type="layer.installed",
                     project_id=layer["projectId"])
    await commands._start_counting(ctx, layer)
    run = runs.new_run(ctx, layer, "initialize", "ads-manager-initialize", "install", {})
    await runs.insert(ctx, run)
    await runs.execute(ctx, run, layer, _initialize)
    await commands._arm(ctx, layer)
    return layer


async def _initialize(ctx: Ctx, layer: dict[str, Any], params: dict[str, Any], rec: runs.Recorder) -> dict[str, Any]:
    return await rec.activity("loadAdAccount", {"platform": PLATFORM[layer["templateId"]]}, _account(ctx, layer))


def _account(ctx: Ctx, layer: dict[str, Any]) -> Any:
    async def fn() -> dict[str, Any]:
        from emulator.ids import uuid_from

        platform = PLATFORM[layer["templateId"]]
        return {"adAccountId": "adacct_" + uuid_from(ctx.seed, ctx.tenant_id, layer["projectId"], platform, "account"),
                "platform": platform, "currency": "USD"}

    return fn


# ------------------------------------------------------------------ the ads of a layer

async def _ads(ctx: Ctx, layer: dict[str, Any]) -> list[dict[str, Any]]:
    platform = PLATFORM[layer["templateId"]]
    return [p for p in await ads_metrics.promotions(ctx, layer["projectId"], active_only=True)
            if p["platform"] == platform and p.get("layerId") in (None, layer["id"])]


def _stats(ctx: Ctx, promo: dict[str, Any]) -> opt.AdStats:
    ad = ads_metrics._ad(promo)
    now = ctx.now
    week = paid.accrued(ctx.seed, ad, now - timedelta(days=7), now, now)
    month = paid.accrued(ctx.seed, ad, now - timedelta(days=30), now, now)
    life = paid.accrued(ctx.seed, ad, ad.started_at, now, now)
    return opt.AdStats(
        id=promo["id"], adset_id=promo["adsetId"], platform=promo["platform"],
        age_days=(now - parse_instant(promo["startedAt"])).total_seconds() / 86400,
        spend7=week["spend"], conversions7=int(week["conversions"]), spend30=month["spend"],
        conversions30=int(month["conversions"]), impressions7=week["impressions"],
        frequency7=week["impressions"] / week["reach"] if week["reach"] else 0.0,
        lifetime_conversions=int(life["conversions"]), total_spend=life["spend"],
    )


def _decision(ctx: Ctx, action: str, promo: dict[str, Any], s: opt.AdStats | None, state: str | None,
              reason: str, guardrails: list[str], reference: float | None) -> dict[str, Any]:
    inputs = None
    if s is not None:
        mine = opt.cpa(s.spend7, s.conversions7)
        inputs = {"spend7d": round(s.spend7, 2), "conversions7d": s.conversions7,
                  "cpa7d": round(mine, 2) if mine else None, "targetCpa": round(reference, 2) if reference else None,
                  "frequency": round(s.frequency7, 2), "ageDays": round(s.age_days, 1)}
    return {"decisionId": ctx.new_id("dec"), "at": ctx.iso_now(), "action": action, "entityType": "ad",
            "entityId": promo["id"], "entityName": promo["name"], "adsContentId": promo.get("adsContentId"),
            "inputs": inputs, "state": state, "reason": reason, "guardrails": guardrails, "replacement": None,
            "dispatch": "auto"}


async def _announce(ctx: Ctx, layer: dict[str, Any], rec: runs.Recorder, d: dict[str, Any], action_type: str,
                    status: str = "dispatched") -> None:
    verdict = ctx.new_id("ver") if status == "dispatched" else None
    d["verdictId"] = verdict
    await ctx.emit("ads.decision", {
        "projectId": layer["projectId"], "platform": PLATFORM[layer["templateId"]], "runId": rec.run["runId"],
        "projectLayerId": layer["id"], "decisionId": d["decisionId"], "actionType": action_type,
        "entityId": d["entityId"], "status": status, "verdictId": verdict, "reason": d["reason"],
        **({"pendingId": d["pendingId"]} if d.get("pendingId") else {}),
    }, project_id=layer["projectId"])


async def _act(ctx: Ctx, layer: dict[str, Any], rec: runs.Recorder, d: dict[str, Any], promo: dict[str, Any],
               action_type: str, current: dict[str, Any], new: dict[str, Any], apply: Any,
               announce: bool = True) -> str:
    """Pass the authority gate: dispatch now (auto), queue a pending action (draft) or drop (off)."""
    dispatch, pending = await ads_pending.gate(
        ctx, layer, promo, action_type, rationale=d["reason"], current=current, new=new,
        detail={"action": action_type, "entityId": promo.get("id"), **new}, decision_id=d["decisionId"])
    d["dispatch"] = dispatch
    if dispatch == "auto":
        await apply()
        if announce:
            await _announce(ctx, layer, rec, d, action_type)
    elif dispatch == "queued" and pending is not None:
        d["pendingId"] = pending["pendingId"]
        await _announce(ctx, layer, rec, d, action_type, "pending")
    return dispatch


def _creative_target(ctx: Ctx, layer: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """A not-yet-created ad of creative `row`: what the gate and a pending push name."""
    platform = PLATFORM[layer["templateId"]]
    return {"id": row["id"], "adsContentId": row["id"], "platform": platform, "name": row.get("title") or row["id"],
            "campaignId": ads_metrics.campaign_id(ctx, layer["projectId"], platform)}


def _reference(layer: dict[str, Any], stats: list[opt.AdStats]) -> float | None:
    target = layer["config"].get("targetCpa")
    return float(target) if target else opt.pool_cpa(stats)


# ------------------------------------------------------------------ creative selection (§9.3)

async def _candidates(ctx: Ctx, layer: dict[str, Any], running: list[dict[str, Any]]) -> list[dict[str, Any]]:
    platform = PLATFORM[layer["templateId"]]
    # a creative runs at most once per platform: one whose ad was paused is not pushed again
    live = {p["adsContentId"] for p in running} | {
        p["adsContentId"] for p in await ads_metrics.promotions(ctx, layer["projectId"]) if p["platform"] == platform}
    eligible = [r for r in await ads_content.eligible_rows(ctx, layer["projectId"]) if r["id"] not in live]
    cfg = layer["config"]
    slots = {"generated": cfg["generatedSlots"], "ugc": cfg["ugcSlots"], "manual": cfg["manualSlots"]}
    return selection.select(eligible, slots, ads_content.SORTS["score_desc"])


async def _refresh_plan(ctx: Ctx, layer: dict[str, Any], max_new: int | None = None) -> dict[str, Any]:
    running = await _ads(ctx, layer)
    await ads_content.catch_up(ctx, layer["projectId"])
    rows = {r["id"]: r for r in await ads_content.ADS.find(ctx.db, ctx.tenant_id, "project_id = ?", [layer["projectId"]])}
    stats = [_stats(ctx, p) for p in running]
    reference = _reference(layer, stats)
    per_adset: dict[str, int] = {}
    for p in running:
        per_adset[p["adsetId"]] = per_adset.get(p["adsetId"], 0) + 1
    disable: list[tuple[dict[str, Any], opt.AdStats, str, str]] = []
    for promo, s in zip(running, stats, strict=True):
        row = rows.get(promo["adsContentId"]) or {}
        if row.get("override") == "exclude" or row.get("safetyFailed"):
            disable.append((promo, s, "PRUNED", "creative excluded by override" if row.get("override") == "exclude"
                            else "creative failed safety"))
            per_adset[promo["adsetId"]] -= 1
            continue
        state = opt.classify(s, reference)
        stale = s.age_days > 30 and s.impressions7 == 0 and s.total_spend == 0
        if (state in ("UNDERPERFORMING", "FATIGUED") and s.age_days >= opt.MIN_AGE_DAYS
                and s.total_spend >= opt.MIN_SPEND_TO_DISABLE and per_adset[promo["adsetId"]] > 1) or stale:
            disable.append((promo, s, state, f"{state.lower()} ad switched off by content refresh"))
            per_adset[promo["adsetId"]] -= 1
    waiting = await ads_pending.open_keys(ctx, layer["projectId"], PLATFORM[layer["templateId"]])
    disable = [d for d in disable if ("prune_creative", d[0]["id"]) not in waiting]
    remaining = [p for p in running if p["id"] not in {d[0]["id"] for d in disable}]
    room = max(0, layer["config"]["maxCreativesPerAdset"] - len(remaining))
    limit = layer["config"]["maxNewCreatives"] if max_new is None else max_new
    fresh = [r for r in await _candidates(ctx, layer, running) if ("push_creative", r["id"]) not in waiting]
    push = fresh[: min(room, limit)]
    return {"disable": disable, "push": push, "reference": reference}


async def has_refresh_work(ctx: Ctx, layer: dict[str, Any]) -> bool:
    plan = await _refresh_plan(ctx, layer)
    return bool(plan["disable"] or plan["push"])


async def _disable(ctx: Ctx, layer: dict[str, Any], rec: runs.Recorder, plan: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for promo, s, state, reason in plan["disable"]:
        d = _decision(ctx, "PAUSE", promo, s, state, reason, ["min_spend_5", "adset_not_emptied"], plan["reference"])

        async def apply(promo: dict[str, Any] = promo, reason: str = reason) -> None:
            await ads_metrics.pause(ctx, promo, reason)

        # the content-refresh disable step follows the creative axis
        await _act(ctx, layer, rec, d, promo, "prune_creative", {"status": "active"}, {"status": "paused"}, apply)
        out.append(d)
    return out


async def run_content_refresh(ctx: Ctx, layer: dict[str, Any], params: dict[str, Any],
                              rec: runs.Recorder) -> dict[str, Any]:
    max_new = params.get("maxNewCreatives")
    if max_new is not None and (isinstance(max_new, bool) or not isinstance(max_new, int) or max_new < 0):
        raise runs.CommandFailed("INVALID_PARAMETERS", "maxNewCreatives must be a non-negative integer.")
    plan = await _refresh_plan(ctx, layer, max_new)

    async def disable_step() -> dict[str, Any]:
        return {"decisions": await _disable(ctx, layer, rec, plan)}

    disabled = await rec.activity("disableUnderperforming", {"candidates": len(plan["disable"])}, disable_step)
    rec.begin("selectCreatives", {"eligible": len(plan["push"])})
    rec.end({"selected": [r["id"] for r in plan["push"]]})
    launched = []
    rec.begin("launch", {"count": len(plan["push"])})
    queued = []
    for row in plan["push"]:
        target = _creative_target(ctx, layer, row)
        d = _decision(ctx, "PUSH", target, None, None, "eligible creative loaded into the ad set", [], None)
        made: list[dict[str, Any]] = []

        async def apply(row: dict[str, Any] = row, made: list[dict[str, Any]] = made) -> None:
            made.append(await ads_metrics.promote(ctx, layer["projectId"], row["id"], PLATFORM[layer["templateId"]],
                                                  layer["config"]["dailyBudgetCents"], layer["id"]))

        dispatch = await _act(ctx, layer, rec, d, target, "push_creative", {}, {"adsContentId": row["id"]}, apply,
                              announce=False)
        if made:
            launched.append({"adId": made[0]["id"], "adsContentId": row["id"], "scoringPool": row["scoringPool"],
                             "organicScore": row.get("organicScore")})
        elif dispatch == "queued":
            queued.append({"adsContentId": row["id"], "pendingId": d.get("pendingId")})
    rec.end({"launched": launched, "queued": queued})
    return {"disabled": disabled["decisions"], "launched": launched, "queued": queued}


async def run_disable_underperforming(ctx: Ctx, layer: dict[str, Any], params: dict[str, Any],
                                      rec: runs.Recorder) -> dict[str, Any]:
    plan = await _refresh_plan(ctx, layer, 0)
    decisions = await _disable(ctx, layer, rec, plan)
    return {"disabled": decisions}


async def _optimize(ctx: Ctx, layer: dict[str, Any], params: dict[str, Any], rec: runs.Recorder,
                    watchdog: bool) -> dict[str, Any]:
    dry = bool(params.get("dryRun"))
    if not dry and not watchdog:  # approved pending actions land at the optimizer's tick
        dispatched = await ads_pending.dispatch_approved(ctx, layer, PLATFORM[layer["templateId"]])
        if dispatched:
            rec.begin("dispatchApproved", {"count": len(dispatched)})
            rec.end({"dispatched": [p["pendingId"] for p in dispatched]})
    running = await _ads(ctx, layer)
    stats = [_stats(ctx, p) for p in running]
    reference = _reference(layer, stats)
    per_adset: dict[str, int] = {}
    for p in running:
        per_adset[p["adsetId"]] = per_adset.get(p["adsetId"], 0) + 1
    rec.begin("classify", {"ads": len(running), "referenceCpa": round(reference, 2) if reference else None})
    states = [opt.classify(s, reference) for s in stats]
    rec.end({"states": {p["id"]: st for p, st in zip(running, states, strict=True)}})
    decisions: list[dict[str, Any]] = []
    pauses = actions = 0
    spare = await _candidates(ctx, layer, running)
    rec.begin("decide", {"dryRun": dry, "watchdog": watchdog})
    for promo, s, state in zip(running, stats, states, strict=True):
        if watchdog and state != "CRITICAL":
            continue
        ok, passed, held = opt.pause_guardrails(s, state, per_adset[promo["adsetId"]])
        if state in opt.PAUSABLE and ok and pauses < opt.MAX_PAUSES and actions < opt.MAX_ACTIONS:
            d = _decision(ctx, "PAUSE", promo, s, state, f"{state.lower()}: CPA against the reference", passed,
                          reference)
            pauses += 1
            actions += 1
            per_adset[promo["adsetId"]] -= 1
            if not dry:
                async def pause(promo: dict[str, Any] = promo, d: dict[str, Any] = d) -> None:
                    await ads_metrics.pause(ctx, promo, d["reason"])

                if await _act(ctx, layer, rec, d, promo, "pause_ad", {"status": "active"}, {"status": "paused"},
                              pause) == "auto" and spare:
                    row = spare.pop(0)
                    target = _creative_target(ctx, layer, row)
                    made: list[dict[str, Any]] = []

                    async def push(row: dict[str, Any] = row, made: list[dict[str, Any]] = made) -> None:
                        made.append(await ads_metrics.promote(ctx, layer["projectId"], row["id"], promo["platform"],
                                                              layer["config"]["dailyBudgetCents"], layer["id"]))

                    await _act(ctx, layer, rec, dict(d), target, "replace_creative", {"adId": promo["id"]},
                               {"adsContentId": row["id"]}, push, announce=False)
                    if made:
                        d["action"] = "REPLACE"
                        d["replacement"] = {"adsContentId": row["id"], "adId": made[0]["id"],
                                            "organicScore": row.get("organicScore")}
            decisions.append(d)
            continue
        cooled = all(parse_instant(c["at"]) <= ctx.now - timedelta(hours=48) for c in promo.get("budgetChanges") or [])
        if (not watchdog and state == "TOP_PERFORMER" and s.impressions7 >= opt.MIN_IMPRESSIONS_FOR_BUDGET
                and cooled and actions < opt.MAX_ACTIONS):
            step = opt.budget_step(promo["dailyBudgetCents"])
            d = _decision(ctx, "SCALE_UP", promo, s, state, f"top performer: budget +{step / 100:.2f} USD a day",
                          ["min_impressions_100", "budget_step", "cooldown_48h"], reference)
            target_cents = promo["dailyBudgetCents"] + step
            d["budget"] = {"fromCents": promo["dailyBudgetCents"], "toCents": target_cents}
            actions += 1
            if not dry:
                async def scale(promo: dict[str, Any] = promo, cents: int = target_cents) -> None:
                    await ads_metrics.set_budget(ctx, promo, cents)

                await _act(ctx, layer, rec, d, promo, "update_budget",
                           {"dailyBudgetCents": promo["dailyBudgetCents"]}, {"dailyBudgetCents": target_cents}, scale)
            decisions.append(d)
            continue
        decisions.append(_decision(ctx, "HOLD", promo, s, state, held or "within tolerance", passed, reference))
    rec.end({"decisions": len(decisions)})
    counts = {"evaluated": len(running),
              "paused": sum(1 for d in decisions if d["action"] in ("PAUSE", "REPLACE") and d["dispatch"] == "auto"),
              "budgetChanges": sum(1 for d in decisions if d["action"] == "SCALE_UP" and d["dispatch"] == "auto"),
              "held": sum(1 for d in decisions if d["action"] == "HOLD"),
              "queued": sum(1 for d in decisions if d["dispatch"] == "queued"),
              "denied": sum(1 for d in decisions if d["dispatch"] == "denied")}
    return {"dryRun": dry, "counts": counts, "decisions": decisions}


async def run_ad_optimize(ctx: Ctx, layer: dict[str, Any], params: dict[str, Any], rec: runs.Recorder) -> dict[str, Any]:
    return await _optimize(ctx, layer, params, rec, watchdog=False)


async def run_watchdog(ctx: Ctx, layer: dict[str, Any], params: dict[str, Any], rec: runs.Recorder) -> dict[str, Any]:
    return await _optimize(ctx, layer, params, rec, watchdog=True)


# ------------------------------------------------------------------ registration (additive)

def register() -> None:
    for tpl in TEMPLATES.values():
        lc.TEMPLATES.setdefault(tpl.id, tpl)
        lc.INSTALLERS.setdefault(tpl.id, install)  # POST /api/project-layers delegates here
        lc.VALIDATORS.setdefault(tpl.id, validate_config)  # PATCH validates the merged config
        commands.BODIES.setdefault(f"{tpl.id}:initialize", _initialize)  # never the social planner
    commands.BODIES.setdefault("content-refresh", run_content_refresh)
    commands.BODIES.setdefault("ad-optimize", run_ad_optimize)
    commands.BODIES.setdefault("ad-optimize-watchdog", run_watchdog)
    commands.BODIES.setdefault("disable-underperforming", run_disable_underperforming)
    commands.WORK.setdefault("content-refresh", has_refresh_work)
    for command in COMMANDS:
        if command.cron is not None:
            ticker.cadence(command.id, command.cron)
            timer(f"command.{command.id}")(commands._fire_handler(command.id))


register()
