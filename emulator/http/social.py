"""Social accounts: OAuth connect (sandbox consent page on the emulator), status polling at both
documented paths, list, reauth, revoke; control routes for account health and shortcuts."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

from pydantic import Field
from starlette.requests import Request
from starlette.responses import RedirectResponse

from emulator import errors
from emulator.context import Ctx
from emulator.http import query as q
from emulator.http.api import Body, Call, Route, StrictBody
from emulator.http.fields import text
from emulator.pagination import page_request
from emulator.services import projects, social

Platform = Literal["tiktok", "instagram"]
Scope = text(1, 64)


@asynccontextmanager
async def tenant_ctx(request: Request, tenant_id: str) -> AsyncIterator[Ctx]:
    """A Ctx for a key-less route (consent page, presigned upload) whose URL names the tenant:
    settles due work first, runs in one transaction, then runs after-commit work."""
    emu = request.app.state.emulator
    async with emu.store.read() as db:
        tenant = await emu.tenants.get(db, tenant_id)
    if tenant is None:
        raise errors.NotFound("Unknown or expired link.")
    async with tenant.lock:
        await emu.engine.settle(tenant, tenant.now())
        async with emu.store.tx() as db:
            ctx = Ctx(emu, tenant, tenant.now(), db)
            yield ctx
        for fn in ctx.after_commit:
            await fn()


class OAuthUrl(Body):
    platform: Platform
    returnUrl: text(1, 2048)  # type: ignore[valid-type]
    scopes: list[Scope] | None = Field(default=None, max_length=32)  # type: ignore[valid-type]
    usageNote: text(0, 1024) | None = None  # type: ignore[valid-type]


class ReauthUrl(StrictBody):
    socialAccountId: text(1, 64)  # type: ignore[valid-type]
    returnUrl: text(1, 2048)  # type: ignore[valid-type]
    scopes: list[Scope] | None = Field(default=None, max_length=32)  # type: ignore[valid-type]
    usageNote: text(0, 1024) | None = None  # type: ignore[valid-type]


def _base(call: Call) -> str:
    return str(call.request.base_url)


async def oauth_url(call: Call) -> dict[str, Any]:
    body: OAuthUrl = call.body
    project = await projects.get_active(call.ctx, call.params["projectId"])
    return await social.start_oauth(
        call.ctx, project["id"], platform=body.platform, return_url=body.returnUrl, scopes=body.scopes,
        usage_note=body.usageNote, base_url=_base(call),
    )


async def reauth_url(call: Call) -> dict[str, Any]:
    body: ReauthUrl = call.body
    project = await projects.get_active(call.ctx, call.params["projectId"])
    social.check_return_url(call.ctx, body.returnUrl)
    account = await social.reauth_target(call.ctx, project["id"], body.socialAccountId)
    return await social.start_oauth(
        call.ctx, project["id"], platform=account["platform"], return_url=body.returnUrl, scopes=body.scopes,
        usage_note=body.usageNote, base_url=_base(call), account=account,
    )


async def oauth_status(call: Call) -> dict[str, Any]:
    return await social.oauth_status(call.ctx, call.params["state"])


async def project_oauth_status(call: Call) -> dict[str, Any]:
    project = await projects.get(call.ctx, call.params["projectId"])
    state = call.query.get("state")
    if not state:
        raise errors.Validation("state is required.", path="state")
    return await social.oauth_status(call.ctx, state, project_id=project["id"])


async def authorize(call: Call) -> RedirectResponse:
    """The sandbox consent page: consent completes at once and the browser goes back to
    returnUrl. `?outcome=error[&errorCode=ACCESS_DENIED|PLATFORM_ERROR]` simulates a refusal."""
    state_id = call.query.get("state") or ""
    outcome = call.query.get("outcome") or "success"
    if outcome not in ("success", "error"):
        raise errors.Validation("outcome must be success or error.", path="outcome")
    emu = call.request.app.state.emulator
    async with emu.store.read() as db:
        tenant_id = await social.tenant_of_state(db, state_id)
    if tenant_id is None:
        raise errors.NotFound(f"OAuth state {state_id!r} not found.")
    async with tenant_ctx(call.request, tenant_id) as ctx:
        state = await social.complete_oauth(ctx, state_id, outcome, call.query.get("errorCode"))
    return RedirectResponse(social.redirect_url(state), status_code=302)


async def list_accounts(call: Call) -> dict[str, Any]:
    project = await projects.get(call.ctx, call.params["projectId"])
    page = page_request(call.query, default=50, maximum=200)
    platform = q.enum(call.query, "platform", social.PLATFORMS)
    status = q.enum(call.query, "status", ("connected", "reauth_required", "disconnected"))
    leased = q.boolean(call.query, "leased") if call.query.get("leased") else None
    items, cursor = await social.list_page(call.ctx, project["id"], page, platform=platform, status=status, leased=leased)
    return {"items": items, "nextCursor": cursor}


async def revoke(call: Call) -> dict[str, Any]:
    return await social.revoke(call.ctx, call.params["socialAccountId"])


async def account_health(call: Call) -> dict[str, Any]:
    return await social.health(call.ctx, call.params["socialAccountId"])


# ---------------------------------------------------------------- control routes

class AccountControls(Body):
    temperature: Literal["cold", "warm", "hot"] | None = None
    tokenError: text(1, 1024) | None = None  # type: ignore[valid-type]


def control_view(account: dict[str, Any]) -> dict[str, Any]:
    return {**social.public(account), "temperaturePin": account.get("temperaturePin"),
            "tokenError": account.get("tokenError"), "healthy": social.is_healthy(account)}


async def account_controls(call: Call) -> dict[str, Any]:
    changes = {k: getattr(call.body, k) for k in call.sent if k in ("temperature", "tokenError")}
    if not changes:
        raise errors.Validation("Send temperature and/or tokenError.", path="")
    return control_view(await social.set_controls(call.ctx, call.params["socialAccountId"], changes))


class ConnectShortcut(Body):
    platform: Platform
    handle: text(1, 64) | None = None  # type: ignore[valid-type]


async def connect_shortcut(call: Call) -> dict[str, Any]:
    body: ConnectShortcut = call.body
    project = await projects.get_active(call.ctx, call.params["projectId"])
    account = await social.connect(call.ctx, project["id"], body.platform, handle=body.handle)
    return control_view(account)


class ForceOAuth(Body):
    outcome: Literal["success", "error"]
    errorCode: Literal["ACCESS_DENIED", "STATE_EXPIRED", "PLATFORM_ERROR"] | None = None


async def force_oauth(call: Call) -> dict[str, Any]:
    body: ForceOAuth = call.body
    await social.oauth_status(call.ctx, call.params["state"])  # 404 for other tenants
    state = await social.complete_oauth(call.ctx, call.params["state"], body.outcome, body.errorCode)
    return social.status_body(state)


class Allowlist(Body):
    domains: list[text(1, 253)] | None  # type: ignore[valid-type]


async def return_url_allowlist(call: Call) -> dict[str, Any]:
    """Exact-host allowlist for this tenant's returnUrls (null = back to the open default)."""
    domains = call.body.domains
    call.ctx.tenant.set_setting("allowedReturnDomains", [d.lower() for d in domains] if domains is not None else None)
    return {"allowedReturnDomains": call.ctx.tenant.settings.get("allowedReturnDomains")}


TAGS = ("social",)
CTL = ("control",)
ROUTES = [
    Route("POST", "/v1/projects/{projectId}/social/oauth-url", oauth_url, scope="social:write", body=OAuthUrl,
          idempotent=False, summary="Start an OAuth connect", tags=TAGS),
    Route("POST", "/v1/projects/{projectId}/social/reauth-url", reauth_url, scope="social:write", body=ReauthUrl,
          idempotent=False, summary="Start an OAuth re-consent for an account", tags=TAGS),
    Route("GET", "/v1/social/oauth-status/{state}", oauth_status, scope="social:read",
          summary="Poll an OAuth state", tags=TAGS),
    Route("GET", "/v1/projects/{projectId}/social/oauth-status", project_oauth_status, scope="social:read",
          query=("state",), summary="Poll an OAuth state (project path)", tags=TAGS),
    Route("GET", "/v1/projects/{projectId}/social-accounts", list_accounts, scope="social:read",
          query=("platform", "status", "leased", "cursor", "limit"), summary="List social accounts", tags=TAGS),
    Route("DELETE", "/v1/social-accounts/{socialAccountId}", revoke, scope="social:write",
          summary="Revoke a social account", audit="social_account.revoked", tags=TAGS),
    Route("GET", "/v1/social-accounts/{socialAccountId}/health", account_health, scope="social:read",
          summary="Content-health snapshot of an account", tags=TAGS),
    Route("GET", "/_emulator/oauth/authorize", authorize, auth=False, klass=None, query=("state", "outcome", "errorCode"),
          summary="Sandbox OAuth consent page (redirects to returnUrl)", tags=CTL),
    Route("POST", "/_emulator/oauth/{state}", force_oauth, klass=None, body=ForceOAuth, idempotent=False,
          summary="Complete or fail an OAuth state now", tags=CTL),
    Route("POST", "/_emulator/social-accounts/{socialAccountId}", account_controls, klass=None, body=AccountControls,
          idempotent=False, summary="Pin temperature / set or clear a token error", tags=CTL),
    Route("POST", "/_emulator/projects/{projectId}/social-accounts", connect_shortcut, klass=None,
          body=ConnectShortcut, idempotent=False, summary="Connect a social account in one call", tags=CTL),
    Route("POST", "/_emulator/return-url-allowlist", return_url_allowlist, klass=None, body=Allowlist,
          idempotent=False, summary="Set the tenant's allowed return domains", tags=CTL),
]
