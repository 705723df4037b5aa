"""`/_emulator/...`: the emulator's own control API (CONTRACT §4): clock, advance,
keys, reset, events, and the knobs tests turn (rate limits, credits metering, job outcomes)."""
from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from emulator import errors, jobs
from emulator.clock import db_time, iso, parse_duration, parse_instant
from emulator.http import query as q
from emulator.http.api import Body, Call, Reply, Route
from emulator.pagination import page_request
from emulator.services import credits
from emulator.store.docs import log_page


async def clock(call: Call) -> dict[str, Any]:
    assert call.principal is not None
    tenant = call.principal.tenant
    return {"now": iso(tenant.now()), "mode": tenant.clock.mode}


class Advance(Body):
    seconds: int | float | None = None
    duration: str | None = None
    to: str | None = None

    @model_validator(mode="after")
    def one_of(self) -> Advance:
        given = [k for k in ("seconds", "duration", "to") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("send exactly one of seconds, duration or to")
        if self.seconds is not None and self.seconds < 0:
            raise ValueError("seconds must not be negative: time never moves backwards")
        return self


async def advance(call: Call) -> dict[str, Any]:
    assert call.principal is not None
    tenant = call.principal.tenant
    body: Advance = call.body
    now = tenant.now()
    try:
        if body.seconds is not None:
            target = now + timedelta(seconds=float(body.seconds))
        elif body.duration is not None:
            target = now + parse_duration(body.duration)
        else:
            target = parse_instant(body.to or "")
    except ValueError as exc:
        raise errors.Validation(str(exc), path="duration" if body.duration else "to") from None
    if target < now:
        raise errors.Validation(
            f"'to' is before the tenant's now ({iso(now)}): time never moves backwards.", path="to"
        )
    ran = await _advance(call, target)
    return {"now": iso(tenant.now()), "ran": dict(sorted(ran.items()))}


async def _advance(call: Call, target: Any) -> Any:
    assert call.principal is not None
    emu = call.request.app.state.emulator
    ran = await emu.engine.advance(call.principal.tenant, target)
    async with emu.store.tx() as db:
        from emulator.context import Ctx

        ctx = Ctx(emu, call.principal.tenant, call.principal.tenant.now(), db, call.principal.key_id)
        await ctx.record("clock", {"to": iso(target), "ran": dict(ran)}, type="clock.advanced")
    return ran


HOSTNAME = re.compile(r"(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*")


class MintKey(Body):
    start: str | None = None
    scopes: list[str] | None = None
    name: str | None = None
    allowedReturnDomains: Annotated[list[Annotated[str, Field(min_length=1, max_length=253)]], Field(max_length=50)] | None = None


async def mint_key(call: Call) -> dict[str, Any]:
    emu = call.request.app.state.emulator
    body: MintKey | None = call.body
    start = None
    if body is not None and body.start:
        try:
            start = parse_instant(body.start)
        except ValueError as exc:
            raise errors.Validation(str(exc), path="start") from None
    if body is not None and body.scopes is not None and not body.scopes:
        raise errors.Validation("scopes must hold at least one scope.", path="scopes")
    domains = None
    if body is not None and body.allowedReturnDomains is not None:
        domains = [d.strip().lower() for d in body.allowedReturnDomains]
        for i, d in enumerate(domains):
            if not HOSTNAME.fullmatch(d):
                raise errors.Validation(f"{d!r} is not a host name (no scheme, port or path).",
                                        path=f"allowedReturnDomains.{i}")
    async with emu.store.tx() as db:
        key, tenant, record = await emu.keys.mint(
            db, start=start, scopes=body.scopes if body else None, name=(body.name if body and body.name else "Minted key")
        )
        if domains is not None:  # exact-host matching for returnUrl from now on (onboarding §7.2)
            tenant.set_setting("allowedReturnDomains", domains)
    out = {"apiKey": key, "organizationId": tenant.id, "apiKeyId": record["id"], "now": iso(tenant.now())}
    if domains is not None:
        out["allowedReturnDomains"] = domains
    return out


class Reset(Body):
    all: bool = False


async def reset(call: Call) -> dict[str, Any]:
    emu = call.request.app.state.emulator
    assert call.principal is not None
    tenant = call.principal.tenant
    body: Reset = call.body
    async with tenant.lock:
        async with emu.store.tx() as db:
            tables = await emu.store.tables_with_tenant(db)
            if body.all:
                for table in tables:
                    await db.execute(f"DELETE FROM {table}")
                await db.execute("DELETE FROM tenants")
                await db.execute("DELETE FROM retired_credentials")
                await db.execute("DELETE FROM meta")
                emu.tenants.forget()
                emu.rate_limiter.clear()
                return {"reset": "all"}
            keep = ("api_keys",)
            for table in tables:
                if table not in keep:
                    await db.execute(f"DELETE FROM {table} WHERE tenant_id = ?", (tenant.id,))
            tenant.ids.counter = 0
            tenant.ids.dirty = True
            tenant.settings.clear()
            tenant.settings_dirty = True
            if tenant.clock.mode == "virtual" and tenant.clock_start is not None:
                tenant.clock.virtual_now = tenant.clock_start
            else:
                tenant.clock.offset = timedelta(0)
            tenant.clock_dirty = True
            tenant.changed()
            emu.rate_limiter.clear([call.principal.key_id])
    return {"reset": tenant.id, "now": iso(tenant.now())}


async def events(call: Call) -> dict[str, Any]:
    ctx = call.ctx
    page = page_request(call.query, default=100, maximum=1000)
    where, params = ["tenant_id = ?"], [ctx.tenant_id]
    since = q.instant(call.query, "since")
    if since is not None:
        where.append("at >= ?")
        params.append(db_time(since))
    kinds = q.listing(call.query, "kind")
    if kinds:
        where.append(f"kind IN ({','.join('?' for _ in kinds)})")
        params.extend(kinds)
    types = q.listing(call.query, "type")
    if types:
        where.append(f"type IN ({','.join('?' for _ in types)})")
        params.extend(types)
    rows, cursor = await log_page(
        ctx.db, "events", page, columns="id, at, kind, type, project_id, data", where=where, params=params,
        newest_first=False,
    )
    items = [
        {"id": r[1], "at": r[2], "kind": r[3], "type": r[4], "projectId": r[5], "data": json.loads(r[6])}
        for r in rows
    ]
    return {"items": items, "nextCursor": cursor}


class RateLimits(Body):
    enabled: bool
    tier: Literal["standard", "pilot", "partner", "sandbox"] = "sandbox"


async def rate_limits(call: Call) -> dict[str, Any]:
    body: RateLimits = call.body
    call.ctx.tenant.set_setting("rateLimits", {"enabled": body.enabled, "tier": body.tier})
    return {"enabled": body.enabled, "tier": body.tier}


class CreditsConfig(Body):
    metered: bool | None = None
    prepaidBalance: int | None = None
    includedThisPeriod: int | None = None


async def credits_config(call: Call) -> dict[str, Any]:
    body: CreditsConfig = call.body
    credits.configure(call.ctx, metered=body.metered, prepaid=body.prepaidBalance, included=body.includedThisPeriod)
    return await credits.wallet(call.ctx)


class Outcome(Body):
    outcome: Literal["complete", "fail", "stuck", "natural"]
    afterSeconds: int | float | None = None
    errorCode: str | None = None
    errorMessage: str | None = None


class KindOutcome(Outcome):
    kind: str


async def job_outcome(call: Call) -> dict[str, Any]:
    body: Outcome = call.body
    job = await jobs.get(call.ctx, call.params["jobId"])
    if job["status"] != "running":
        raise errors.Conflict(f"Job {job['jobId']} is already {job['status']}.")
    if body.outcome == "natural":
        raise errors.Validation("'natural' applies to kinds only.", path="outcome")
    await jobs.force(call.ctx, job, body.model_dump(exclude_none=True))
    return jobs.envelope(job)


async def kind_outcome(call: Call) -> dict[str, Any]:
    body: KindOutcome = call.body
    if body.kind not in jobs.KINDS:
        raise errors.Validation(f"Unknown job kind {body.kind!r}; known: {', '.join(sorted(jobs.KINDS))}.", path="kind")
    outcomes = dict(call.ctx.tenant.settings.get("jobOutcomes") or {})
    if body.outcome == "natural":
        outcomes.pop(body.kind, None)
    else:
        outcomes[body.kind] = body.model_dump(exclude_none=True, exclude={"kind"})
    call.ctx.tenant.set_setting("jobOutcomes", outcomes)
    return {"jobOutcomes": outcomes}


async def server_errors(call: Call) -> dict[str, Any]:
    emu = call.request.app.state.emulator
    return {
        "items": [
            {"requestId": e.request_id, "method": e.method, "path": e.path, "error": repr(e.error), "traceback": e.traceback}
            for e in emu.server_errors
        ]
    }


CTL = ("control",)
ROUTES = [
    Route("GET", "/_emulator/clock", clock, klass=None, raw=True, summary="The tenant clock", tags=CTL),
    Route("POST", "/_emulator/clock/advance", advance, klass=None, raw=True, body=Advance, idempotent=False,
          summary="Advance the tenant clock, running all due work", tags=CTL),
    Route("POST", "/_emulator/keys", mint_key, auth=False, klass=None, body=MintKey, idempotent=False,
          summary="Mint a key and tenant", tags=CTL),
    Route("POST", "/_emulator/reset", reset, klass=None, raw=True, body=Reset, idempotent=False,
          summary="Wipe the caller's tenant (or everything)", tags=CTL),
    Route("GET", "/_emulator/events", events, klass=None, summary="The tenant timeline",
          query=("since", "kind", "type", "cursor", "limit"), tags=CTL),
    Route("POST", "/_emulator/rate-limits", rate_limits, klass=None, body=RateLimits, idempotent=False,
          summary="Switch rate limiting for the tenant", tags=CTL),
    Route("POST", "/_emulator/credits", credits_config, klass=None, body=CreditsConfig, idempotent=False,
          summary="Meter credits for the tenant", tags=CTL),
    Route("POST", "/_emulator/jobs/{jobId}/outcome", job_outcome, klass=None, body=Outcome, idempotent=False,
          summary="Force the outcome of one job", tags=CTL),
    Route("POST", "/_emulator/job-outcomes", kind_outcome, klass=None, body=KindOutcome, idempotent=False,
          summary="Force outcomes for future jobs of a kind", tags=CTL),
    Route("GET", "/_emulator/server-errors", server_errors, auth=False, klass=None,
          summary="Unexpected exceptions seen by this server", tags=CTL),
]
_ = Reply
