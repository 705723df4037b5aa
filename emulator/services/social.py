"""Social accounts connected through OAuth (sandbox: consent completes server-side).

Interface for other areas:
    await get_account(ctx, account_id) -> record   (404 for other tenants)
    await list_for_project(ctx, project_id) -> [record]
    is_healthy(account) -> bool
    REVOKED: hooks (ctx, account) -> canceled post count, run inside the revoke/release transaction
Records carry `data["temperaturePin"]` ("cold"|"warm"|"hot"|None) and `data["tokenError"]`
(str|None), set through `POST /_emulator/social-accounts/{id}`.
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from emulator import errors
from emulator.clock import iso, parse_instant
from emulator.context import Ctx
from emulator.fakes import onboarding as fakes
from emulator.ids import UUID_RE
from emulator.pagination import PageRequest
from emulator.services import projects
from emulator.store.docs import Docs

STATE_TTL = timedelta(minutes=10)
TOKEN_TTL = timedelta(days=30)
PLATFORMS = ("tiktok", "instagram")
DEFAULT_SCOPES = {
    "tiktok": ["user.info.basic", "video.upload", "video.publish", "video.list"],
    "instagram": ["instagram_business_basic", "instagram_business_content_publish",
                  "instagram_business_manage_comments"],
}
ERROR_CODES = ("ACCESS_DENIED", "STATE_EXPIRED", "PLATFORM_ERROR")
ERROR_MESSAGES = {
    "ACCESS_DENIED": "The user declined the consent screen.",
    "STATE_EXPIRED": "The OAuth state expired before consent completed (10 minutes).",
    "PLATFORM_ERROR": "The platform returned an error during the token exchange.",
}
PUBLIC_HIDDEN = ("id", "temperaturePin", "tokenError")

ACCOUNTS = Docs(
    "social_accounts",
    {
        "project_id": lambda r: r["projectId"],
        "platform": lambda r: r["platform"],
        "status": lambda r: r["status"],
        "created_at": lambda r: r["connectedAt"],
    },
    "Social account",
)
STATES = Docs(
    "oauth_states",
    {"project_id": lambda r: r["projectId"], "status": lambda r: r["status"], "created_at": lambda r: r["createdAt"]},
    "OAuth state",
)

RevokeHook = Callable[[Ctx, dict[str, Any]], Awaitable[int]]
REVOKED: list[RevokeHook] = []  # publishing cancels queued posts on the account; returns the count


# ---------------------------------------------------------------- interface for other areas

async def get_account(ctx: Ctx, account_id: str) -> dict[str, Any]:
    return await ACCOUNTS.require(ctx.db, ctx.tenant_id, account_id)


async def list_for_project(ctx: Ctx, project_id: str) -> list[dict[str, Any]]:
    return await ACCOUNTS.find(ctx.db, ctx.tenant_id, "project_id = ?", (project_id,), order="created_at, rowid")


def is_healthy(account: dict[str, Any]) -> bool:
    return account.get("status") == "connected" and not account.get("tokenError")


def public(account: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in account.items() if k not in PUBLIC_HIDDEN and not k.startswith("_")}


# ---------------------------------------------------------------- returnUrl allowlist

def check_return_url(ctx: Ctx, url: str, path: str = "returnUrl") -> None:
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        host, parts = "", None
    if parts is None or parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        raise errors.Validation(f"{path} must be an absolute http(s) URL.", path=path)
    allowed = ctx.tenant.settings.get("allowedReturnDomains")
    if allowed is None and ctx.emu.settings.return_url_allowlist:
        allowed = list(ctx.emu.settings.return_url_allowlist)
    local = host in ("localhost", "127.0.0.1")
    if allowed:
        ok = host in {d.lower() for d in allowed} and (parts.scheme == "https" or local)
    else:
        ok = parts.scheme == "https" or local
    if not ok:
        raise errors.ReturnUrlNotAllowed(
            f"returnUrl host {host!r} is not on this key's allowed return domains.",
            details={"returnUrl": url, "host": host, "allowedReturnDomains": allowed or ["*https", "localhost", "127.0.0.1"]},
        )


# ---------------------------------------------------------------- OAuth states

async def start_oauth(
    ctx: Ctx, project_id: str, *, platform: str, return_url: str, scopes: list[str] | None,
    usage_note: str | None, base_url: str, account: dict[str, Any] | None = None,
) -> dict[str, Any]:
    check_return_url(ctx, return_url)
    state_id = ctx.new_id("st")
    expires = ctx.now + STATE_TTL
    record = {
        "id": state_id,
        "state": state_id,
        "projectId": project_id,
        "platform": platform,
        "status": "pending",
        "returnUrl": return_url,
        "scopes": scopes or DEFAULT_SCOPES[platform],
        "usageNote": usage_note,
        "mode": "reauth" if account else "connect",
        "apiKeyId": ctx.api_key_id,
        "socialAccountId": account["id"] if account else None,
        "error": None,
        "createdAt": ctx.iso_now(),
        "expiresAt": iso(expires),
        "completedAt": None,
    }
    await STATES.insert(ctx.db, ctx.tenant_id, record)
    await ctx.record("transition", {"state": state_id, "to": "pending", "mode": record["mode"]}, type="oauth.started",
                     project_id=project_id)
    return {
        "authorizeUrl": f"{base_url.rstrip('/')}/_emulator/oauth/authorize?state={state_id}",
        "state": state_id,
        "expiresAt": record["expiresAt"],
    }


async def _expire_if_due(ctx: Ctx, state: dict[str, Any]) -> dict[str, Any]:
    if state["status"] == "pending" and ctx.now >= parse_instant(state["expiresAt"]):
        state["status"] = "failed"
        state["error"] = {"code": "STATE_EXPIRED", "message": ERROR_MESSAGES["STATE_EXPIRED"]}
        await STATES.save(ctx.db, ctx.tenant_id, state)
    return state


def status_body(state: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"state": state["state"], "status": state["status"], "expiresAt": state["expiresAt"],
                            "platform": state["platform"], "projectId": state["projectId"]}
    if state["status"] == "completed":
        body["socialAccountId"] = state["socialAccountId"]
    if state["status"] == "failed":
        body["error"] = state["error"]
    return body


async def oauth_status(ctx: Ctx, state_id: str, project_id: str | None = None) -> dict[str, Any]:
    state = await STATES.get(ctx.db, ctx.tenant_id, state_id)
    if state is None or (project_id is not None and state["projectId"] != project_id) or (
        state.get("apiKeyId") and ctx.api_key_id and state["apiKeyId"] != ctx.api_key_id  # key-scoped (docs)
    ):
        raise errors.NotFound(f"OAuth state {state_id} not found.")
    return status_body(await _expire_if_due(ctx, state))


async def tenant_of_state(db: Any, state_id: str) -> str | None:
    cur = await db.execute("SELECT tenant_id FROM oauth_states WHERE id = ?", (state_id,))
    row = await cur.fetchone()
    return row[0] if row else None


async def complete_oauth(ctx: Ctx, state_id: str, outcome: str = "success", error_code: str | None = None) -> dict[str, Any]:
    """Consent finished (sandbox: at once). Returns the state record."""
    state = await STATES.require(ctx.db, ctx.tenant_id, state_id)
    state = await _expire_if_due(ctx, state)
    if state["status"] != "pending":
        return state
    if outcome == "error":
        code = error_code if error_code in ERROR_CODES else "ACCESS_DENIED"
        state.update(status="failed", error={"code": code, "message": ERROR_MESSAGES[code]}, completedAt=ctx.iso_now())
        await STATES.save(ctx.db, ctx.tenant_id, state)
        await ctx.record("transition", {"state": state_id, "to": "failed", "code": code}, type="oauth.failed",
                         project_id=state["projectId"])
        return state
    if state["mode"] == "reauth":
        account = await ACCOUNTS.require(ctx.db, ctx.tenant_id, state["socialAccountId"])
        account.update(status="connected", tokenError=None, tokenExpiresAt=iso(ctx.now + TOKEN_TTL),
                       scopes=state["scopes"], reconnectedAt=ctx.iso_now())
        await ACCOUNTS.save(ctx.db, ctx.tenant_id, account)
    else:
        account = await connect(ctx, state["projectId"], state["platform"], scopes=state["scopes"])
    state.update(status="completed", socialAccountId=account["id"], completedAt=ctx.iso_now())
    await STATES.save(ctx.db, ctx.tenant_id, state)
    if state["mode"] == "reauth":
        await _emit_connected(ctx, account)
    return state


def redirect_url(state: dict[str, Any]) -> str:
    parts = urlsplit(state["returnUrl"])
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [("state", state["state"]), ("status", "success" if state["status"] == "completed" else "error")]
    if state["status"] == "failed":
        query.append(("layers_oauth_error", state["error"]["code"]))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


# ---------------------------------------------------------------- accounts

async def connect(
    ctx: Ctx, project_id: str, platform: str, *, handle: str | None = None, scopes: list[str] | None = None,
    leased: bool = False, extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    project = await projects.get(ctx, project_id)
    n = await ACCOUNTS.count(ctx.db, ctx.tenant_id, "project_id = ? AND platform = ?", (project["id"], platform)) + 1
    ident = fakes.social_identity(ctx.seed, project, platform, n)
    account_id = ctx.new_id("sa")
    account: dict[str, Any] = {
        "id": account_id,
        "socialAccountId": account_id,
        "projectId": project["id"],
        "platform": platform,
        "handle": handle or ident["handle"],
        "displayName": ident["displayName"] if not handle else handle,
        "avatarUrl": f"{fakes.CDN}/avatars/{account_id}.jpg",
        "status": "connected",
        "leased": leased,
        "scopes": scopes or DEFAULT_SCOPES[platform],
        "connectedAt": ctx.iso_now(),
        "tokenExpiresAt": iso(ctx.now + TOKEN_TTL),
        "disconnectedReason": None,
        "disconnectedAt": None,
        "temperaturePin": None,
        "tokenError": None,
        **(extra or {}),
    }
    await ACCOUNTS.insert(ctx.db, ctx.tenant_id, account)
    await _emit_connected(ctx, account)
    return account


async def _emit_connected(ctx: Ctx, account: dict[str, Any]) -> None:
    await ctx.emit(
        "social_account.connected",
        {"socialAccountId": account["id"], "platform": account["platform"], "displayName": account["displayName"],
         "connectedAt": account["connectedAt"], "projectId": account["projectId"], "leased": account["leased"]},
        project_id=account["projectId"],
    )


async def list_page(
    ctx: Ctx, project_id: str, page: PageRequest, *, platform: str | None, status: str | None, leased: bool | None
) -> tuple[list[dict[str, Any]], str | None]:
    where, params = ["project_id = ?"], [project_id]
    if platform:
        where.append("platform = ?")
        params.append(platform)
    if status:
        where.append("status = ?")
        params.append(status)
    if leased is not None:
        where.append("json_extract(data, '$.leased') = ?")
        params.append(1 if leased else 0)
    items, cursor = await ACCOUNTS.page(ctx.db, ctx.tenant_id, page, where=" AND ".join(where), params=params)
    return [public(a) for a in items], cursor


def check_id_shape(account_id: str, path: str = "socialAccountId", status: int | None = None) -> None:
    if not re.fullmatch(rf"sa_{UUID_RE}", account_id):
        raise errors.Validation(f"{path} must be a social account id (sa_<uuid>).", path=path, status=status)


async def disconnect(ctx: Ctx, account: dict[str, Any], reason: str) -> int:
    canceled = 0
    for hook in REVOKED:
        canceled += await hook(ctx, account)
    account.update(status="disconnected", disconnectedReason=reason, disconnectedAt=ctx.iso_now())
    await ACCOUNTS.save(ctx.db, ctx.tenant_id, account)
    return canceled


async def revoke(ctx: Ctx, account_id: str) -> dict[str, Any]:
    check_id_shape(account_id, "socialAccountId", status=400)
    account = await ACCOUNTS.get(ctx.db, ctx.tenant_id, account_id)
    if account is None or account["status"] == "disconnected":
        raise errors.NotFound(f"Social account {account_id} not found.")
    if account.get("leased"):
        raise errors.Conflict(
            f"Social account {account_id} is leased; release it with DELETE /v1/leased-accounts/{account_id}.",
            details={"socialAccountId": account_id, "leased": True},
        )
    canceled = await disconnect(ctx, account, "revoked_by_partner")
    body = {"socialAccountId": account_id, "status": "disconnected", "disconnectedReason": "revoked_by_partner",
            "canceledScheduledPosts": canceled, "disconnectedAt": account["disconnectedAt"]}
    await ctx.emit("social_account.revoked", {**body, "projectId": account["projectId"]}, project_id=account["projectId"])
    return body


async def reauth_target(ctx: Ctx, project_id: str, account_id: str) -> dict[str, Any]:
    check_id_shape(account_id)
    account = await ACCOUNTS.get(ctx.db, ctx.tenant_id, account_id)
    if account is None or account["projectId"] != project_id or account["status"] == "disconnected":
        raise errors.Validation(
            f"socialAccountId {account_id} is not a connected account of project {project_id}.", path="socialAccountId"
        )
    if account.get("leased"):
        raise errors.Conflict(f"Social account {account_id} is leased; Layers manages its tokens.",
                              details={"socialAccountId": account_id, "leased": True})
    return account


async def set_controls(ctx: Ctx, account_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """CONTRACT §6: pin the temperature and/or set or clear a token error."""
    account = await get_account(ctx, account_id)
    if "temperature" in changes:
        account["temperaturePin"] = changes["temperature"]
    if "tokenError" in changes:
        error = changes["tokenError"]
        account["tokenError"] = error
        if error and account["status"] == "connected":
            account["status"] = "reauth_required"
            await ACCOUNTS.save(ctx.db, ctx.tenant_id, account)
            await ctx.emit(
                "social_account.needs_reauth",
                {"socialAccountId": account["id"], "platform": account["platform"], "projectId": account["projectId"],
                 "status": "reauth_required", "reason": error},
                project_id=account["projectId"],
            )
        elif not error and account["status"] == "reauth_required":
            account["status"] = "connected"
    await ACCOUNTS.save(ctx.db, ctx.tenant_id, account)
    return account


# ---------------------------------------------------------------- health snapshot

RECOMMENDATIONS = {
    "new": "Fresh account: post once a day for the first two weeks to build a baseline.",
    "cold": "Reach is low: keep a steady daily cadence and lead with your strongest hooks.",
    "warm": "Momentum is building: two posts a day keeps the account warming up.",
    "hot": "The account is hot: three posts a day while engagement holds.",
}


async def health(ctx: Ctx, account_id: str) -> dict[str, Any]:
    """GET /v1/social-accounts/:id/health: the latest content-health snapshot, built on the
    distribution area's temperature snapshot (posts published in the trailing 14 days, or a pin)."""
    account = await get_account(ctx, account_id)
    from emulator.services import temperature

    snap = await temperature.snapshot(ctx, account)
    fresh = snap["source"] == "computed" and snap["publishedLast14Days"] == 0
    tier = "new" if fresh else snap["temperature"]
    base = {"new": 10, "cold": 30, "warm": 60, "hot": 85}[tier]
    score = min(100, base + min(snap["publishedLast14Days"], 14))
    return {
        "socialAccountId": account["id"], "score": score, "tier": tier, "isShadowbanned": False,
        "shadowbanSeverity": None, "recommendation": RECOMMENDATIONS[tier], "temperature": snap["temperature"],
        "healthy": is_healthy(account), "status": account["status"], "computedAt": snap["computedAt"],
    }
