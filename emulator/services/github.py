"""The GitHub App installation (one per organization) and the repos it sees. Sandbox: the
install page is on the emulator and redirects back with a deterministic installation id."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from emulator import errors
from emulator.clock import iso, parse_instant
from emulator.context import Ctx
from emulator.fakes import onboarding as fakes
from emulator.ids import stable_int
from emulator.pagination import PageRequest, encode_cursor
from emulator.services import social
from emulator.store.docs import Docs

STATE_TTL = timedelta(minutes=15)
INSTALLATIONS = Docs("github_installations", {"created_at": lambda r: r["registeredAt"]}, "GitHub installation")


def installation_id_for(seed: int, tenant_id: str) -> int:
    return 10_000_000 + stable_int(seed, "github-installation", tenant_id) % 90_000_000


async def install_url(ctx: Ctx, return_url: str, state: str | None, base_url: str) -> dict[str, Any]:
    social.check_return_url(ctx, return_url)
    state = state or ctx.new_id("st")
    expires = iso(ctx.now + STATE_TTL)
    states = dict(ctx.tenant.settings.get("githubInstallStates") or {})
    states = {k: v for k, v in states.items() if parse_instant(v["expiresAt"]) > ctx.now}
    states[state] = {"expiresAt": expires, "returnUrl": return_url}
    ctx.tenant.set_setting("githubInstallStates", states)
    url = f"{base_url.rstrip('/')}/_emulator/github/install?org={ctx.tenant_id}&state={state}"
    return {"authUrl": url, "installUrl": url, "state": state, "expiresAt": expires}


def redirect_for(ctx: Ctx, state: str) -> str:
    """The install page: where GitHub sends the browser after the App is installed."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    entry = (ctx.tenant.settings.get("githubInstallStates") or {}).get(state)
    if entry is None:
        raise errors.NotFound("Unknown install state.")
    parts = urlsplit(entry["returnUrl"])
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [("installation_id", str(installation_id_for(ctx.seed, ctx.tenant_id))), ("state", state)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


async def register(ctx: Ctx, installation_id: int, state: str) -> dict[str, Any]:
    entry = (ctx.tenant.settings.get("githubInstallStates") or {}).get(state)
    if entry is None or parse_instant(entry["expiresAt"]) <= ctx.now:
        raise errors.Validation("state does not match an unexpired install-url state.", path="state")
    existing = await INSTALLATIONS.get(ctx.db, ctx.tenant_id, ctx.tenant_id)
    if existing is not None and existing["installationId"] == installation_id and existing["status"] == "active":
        return existing
    login = f"org-{ctx.tenant_id[4:12]}"
    record = {
        "id": ctx.tenant_id, "installationId": installation_id,
        "githubAccount": {"login": login, "type": "Organization"}, "orgLogin": login, "status": "active",
        "registeredAt": ctx.iso_now(), "lastVerifiedAt": ctx.iso_now(),
    }
    if existing is None:
        await INSTALLATIONS.insert(ctx.db, ctx.tenant_id, record)
    else:
        await INSTALLATIONS.save(ctx.db, ctx.tenant_id, record)
    return record


def public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "id"}


async def get(ctx: Ctx) -> dict[str, Any]:
    record = await INSTALLATIONS.get(ctx.db, ctx.tenant_id, ctx.tenant_id)
    if record is None:
        raise errors.NotFound("No GitHub installation is registered for this organization.")
    record["lastVerifiedAt"] = ctx.iso_now()
    return record


async def active(ctx: Ctx) -> dict[str, Any] | None:
    record = await INSTALLATIONS.get(ctx.db, ctx.tenant_id, ctx.tenant_id)
    return record if record is not None and record["status"] == "active" else None


async def set_status(ctx: Ctx, status: str) -> dict[str, Any]:
    record = await get(ctx)
    record["status"] = status
    await INSTALLATIONS.save(ctx.db, ctx.tenant_id, record)
    return record


def _repos(login: str) -> list[dict[str, Any]]:
    out = []
    for i, ext in enumerate(sorted(fakes.extractions().values(), key=lambda e: e.get("repoFullName", ""))):
        full = ext.get("repoFullName")
        if not full:
            continue
        language = {"ios": "Swift", "android": "Kotlin", "web": "TypeScript", "react-native": "TypeScript",
                    "flutter": "Dart", "expo": "TypeScript"}.get((ext.get("platforms") or ["web"])[0], "TypeScript")
        out.append({"repoId": 500_000_000 + stable_int("repo", full) % 400_000_000, "fullName": full,
                    "owner": full.split("/")[0], "private": i % 3 != 0, "defaultBranch": "main",
                    "language": language, "primaryLanguage": language, "htmlUrl": f"https://github.com/{full}"})
    return out


async def repos(ctx: Ctx, page: PageRequest, search: str | None) -> tuple[list[dict[str, Any]], str | None]:
    record = await active(ctx)
    if record is None:
        raise errors.Validation("No active GitHub installation; install the Layers GitHub App first.", path="")
    items = _repos(record["orgLogin"])
    if search:
        items = [r for r in items if search.lower() in r["fullName"].lower()]
    offset = int((page.cursor or {}).get("o", 0)) if page.cursor else 0
    chunk = items[offset: offset + page.limit]
    cursor = encode_cursor({"o": offset + page.limit}) if offset + page.limit < len(items) else None
    return chunk, cursor
