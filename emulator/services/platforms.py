"""The fake TikTok and Instagram: what the publisher "calls". Deterministic external ids and
URLs, platform posts (`pp_…`) for published content, and fault injection for tests.

Faults (control route `POST /_emulator/platforms/{platform}/faults`): `failNext` N makes the
next N publish calls to that platform of the tenant answer `status` (5xx = transient, retried
by the publisher up to 3 attempts; 4xx = permanent rejection) with `code`. Stored in the tenant
settings so they survive restarts; `failNext: 0` clears.
"""
from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from emulator.context import Ctx
from emulator.ids import stable_int
from emulator.store.docs import Docs

PLATFORMS = ("tiktok", "instagram")
SETTING = "platformFaults"

PLATFORM_POSTS = Docs(
    "platform_posts",
    {
        "project_id": lambda r: r["projectId"],
        "social_account_id": lambda r: r["socialAccountId"],
        "platform": lambda r: r["platform"],
        "external_id": lambda r: r["externalId"],
        "published_at": lambda r: r["publishedAt"],
        "created_at": lambda r: r["createdAt"],
    },
    "Platform post",
)

_SHORTCODE = string.ascii_letters + string.digits + "-_"


@dataclass(frozen=True)
class Answer:
    ok: bool
    status: int = 200
    code: str | None = None
    message: str | None = None

    @property
    def transient(self) -> bool:
        return not self.ok and self.status >= 500


def faults(ctx: Ctx) -> dict[str, Any]:
    return dict(ctx.tenant.settings.get(SETTING) or {})


def set_faults(ctx: Ctx, platform: str, fail_next: int, status: int, code: str | None, message: str | None) -> dict[str, Any]:
    current = faults(ctx)
    if fail_next <= 0:
        current.pop(platform, None)
    else:
        current[platform] = {"failNext": fail_next, "status": status, "code": code, "message": message}
    ctx.tenant.set_setting(SETTING, current or None)
    return fault_view(ctx, platform)


def fault_view(ctx: Ctx, platform: str) -> dict[str, Any]:
    entry = faults(ctx).get(platform)
    return {
        "platform": platform,
        "failNext": int(entry["failNext"]) if entry else 0,
        "status": entry["status"] if entry else None,
        "code": entry["code"] if entry else None,
    }


def call(ctx: Ctx, platform: str) -> Answer:
    """One publish call to the platform: consumes one injected fault if any is pending."""
    current = faults(ctx)
    entry = current.get(platform)
    if not entry or int(entry.get("failNext", 0)) <= 0:
        return Answer(True)
    entry = dict(entry)
    entry["failNext"] = int(entry["failNext"]) - 1
    if entry["failNext"] <= 0:
        current.pop(platform, None)
    else:
        current[platform] = entry
    ctx.tenant.set_setting(SETTING, current or None)
    status = int(entry.get("status") or 500)
    default_code = "PLATFORM_ERROR" if status >= 500 else "PLATFORM_REJECTED"
    name = "TikTok" if platform == "tiktok" else "Instagram"
    message = entry.get("message") or (
        f"{name} answered {status}" + (" (temporary outage)" if status >= 500 else " (post refused)")
    )
    return Answer(False, status, entry.get("code") or default_code, message)


def handle_of(account: dict[str, Any]) -> str:
    for key in ("handle", "username", "displayName"):
        value = account.get(key)
        if isinstance(value, str) and value.strip():
            cleaned = "".join(c for c in value.strip().lstrip("@") if c.isalnum() or c in "._")
            if cleaned:
                return cleaned.lower()
    return f"user{stable_int('handle', account.get('id')) % 10**8}"


def external_ids(ctx: Ctx, platform: str, account: dict[str, Any], post_id: str) -> tuple[str, str]:
    """(externalId, externalUrl) for a post: a pure function of seed, tenant and post id."""
    n = stable_int(ctx.seed, ctx.tenant_id, platform, post_id)
    if platform == "tiktok":
        video_id = str(7 * 10**18 + n % 10**18)
        return video_id, f"https://www.tiktok.com/@{handle_of(account)}/video/{video_id}"
    media_id = str(17 * 10**15 + n % 10**15)
    code_n, chars = stable_int(ctx.seed, ctx.tenant_id, "shortcode", post_id), []
    for _ in range(11):
        chars.append(_SHORTCODE[code_n % 64])
        code_n //= 64
    return media_id, f"https://www.instagram.com/p/{''.join(chars)}/"


async def create_post(ctx: Ctx, row: dict[str, Any], account: dict[str, Any], media_kind: str | None,
                      caption: str | None) -> dict[str, Any]:
    """The platform post behind a published scheduled post."""
    post = {
        "id": ctx.new_id("pp"),
        "projectId": row["projectId"],
        "socialAccountId": row["socialAccountId"],
        "platform": row["platform"],
        "externalId": row["externalId"],
        "externalUrl": row["externalUrl"],
        "publishedAt": row["publishedAt"],
        "containerId": row.get("containerId"),
        "scheduledPostId": row["id"],
        "layerId": row.get("layerId"),
        "mediaKind": media_kind,
        "caption": caption,
        "source": "layers",
        "createdAt": ctx.iso_now(),
    }
    await PLATFORM_POSTS.insert(ctx.db, ctx.tenant_id, post)
    return post


async def posts_of_project(ctx: Ctx, project_id: str) -> list[dict[str, Any]]:
    return await PLATFORM_POSTS.find(ctx.db, ctx.tenant_id, "project_id = ?", [project_id], order="published_at, id")
