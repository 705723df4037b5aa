"""Who a generation is made for: influencers, social accounts and app media as other areas
store them (read straight from their tables, so this works whatever their services look like),
and the documented actor rules (socialAccountId and/or influencerId)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator import errors
from emulator.context import Ctx
from emulator.ids import normalize_id
from emulator.store import codec

LIVE_INFLUENCER = ("pending", "training", "ready")


@dataclass
class Actor:
    influencer: dict[str, Any] | None
    account: dict[str, Any] | None
    layer_id: str | None

    @property
    def influencer_id(self) -> str | None:
        return _inf_id(self.influencer) if self.influencer else None

    @property
    def account_id(self) -> str | None:
        return (self.account.get("socialAccountId") or self.account.get("id")) if self.account else None


def _inf_id(record: dict[str, Any]) -> str:
    return str(record.get("influencerId") or record.get("id"))


def _deleted(record: dict[str, Any]) -> bool:
    return record.get("status") == "deleted" or bool(record.get("deletedAt"))


async def _row(ctx: Ctx, table: str, id_: str) -> dict[str, Any] | None:
    cur = await ctx.db.execute(f"SELECT data FROM {table} WHERE id = ? AND tenant_id = ?", (id_, ctx.tenant_id))
    row = await cur.fetchone()
    return codec.loads(row[0]) if row else None


async def influencer(ctx: Ctx, project_id: str, influencer_id: str, field: str = "influencerId") -> dict[str, Any]:
    record = await _row(ctx, "influencers", influencer_id)
    if record is None or _deleted(record) or record.get("projectId") not in (None, project_id):
        raise errors.NotFound(f"Influencer {influencer_id} not found in this project.", details={"field": field})
    return record


async def account(ctx: Ctx, project_id: str, account_id: str) -> dict[str, Any]:
    record = await _row(ctx, "social_accounts", normalize_id("sa", account_id))
    if record is None or record.get("projectId") not in (None, project_id):
        raise errors.NotFound(f"Social account {account_id} not found in this project.",
                              details={"field": "socialAccountId"})
    return record


async def default_influencer(ctx: Ctx, project_id: str) -> dict[str, Any] | None:
    """The project's first ready influencer, else its first live one (oldest first)."""
    rows = await ctx.db.execute_fetchall(
        "SELECT data FROM influencers WHERE tenant_id = ? AND project_id = ? ORDER BY created_at, rowid",
        (ctx.tenant_id, project_id),
    )
    live = [r for r in (codec.loads(x[0]) for x in rows) if not _deleted(r) and r.get("status") in LIVE_INFLUENCER]
    ready = [r for r in live if r.get("status") == "ready"]
    return (ready or live or [None])[0]


async def _wired_influencer(ctx: Ctx, project_id: str, account_id: str) -> tuple[dict[str, Any] | None, str | None]:
    """account → a project layer bound to it → its `customInfluencerId` (when layers exist)."""
    rows = await ctx.db.execute_fetchall(  # the project's few layers; sorted here, so the
        "SELECT id, data, created_at FROM project_layers WHERE tenant_id = ? AND project_id = ?",  # project index serves it
        (ctx.tenant_id, project_id),
    )
    for layer_id, data, _ in sorted(rows, key=lambda r: (r[2], r[0])):
        layer = codec.loads(data)
        config = layer.get("config") or {}
        if layer.get("projectId") != project_id or layer.get("status") not in (None, "active"):
            continue
        social = config.get("social") if isinstance(config.get("social"), dict) else {}
        bound = {config.get("socialAccountId"), social.get("socialAccountId"), *(config.get("socialAccountIds") or [])}
        if account_id in bound:
            inf_id = config.get("customInfluencerId") or social.get("customInfluencerId")
            inf = await _row(ctx, "influencers", inf_id) if inf_id else None
            return (inf if inf and not _deleted(inf) else None), layer_id
    return None, None


async def resolve(
    ctx: Ctx, project_id: str, *, social_account_id: str | None, influencer_id: str | None, required: bool,
) -> Actor:
    """Builder page rules: account → wired influencer (anchored to that layer); influencerId alone →
    layerless; both → anchor via the account, voice from influencerId; neither → layerless
    project voice (builder) or 422 (remixes, ugc)."""
    if required and not social_account_id and not influencer_id:
        raise errors.Validation(
            "One of socialAccountId or influencerId is required for this format.",
            issues=[{"path": "socialAccountId", "message": "socialAccountId or influencerId is required"},
                    {"path": "influencerId", "message": "socialAccountId or influencerId is required"}],
        )
    acct = await account(ctx, project_id, social_account_id) if social_account_id else None
    inf = await influencer(ctx, project_id, influencer_id) if influencer_id else None
    layer_id = None
    if acct is not None:
        wired, layer_id = await _wired_influencer(ctx, project_id, str(acct.get("socialAccountId") or acct.get("id")))
        if inf is None:
            inf = wired or await default_influencer(ctx, project_id)
            if inf is None:
                raise errors.Validation(
                    "No influencer is wired to this social account and the project has none; create one first.",
                    path="socialAccountId", extra={"code": "NO_ACTOR"},
                )
    return Actor(inf, acct, layer_id)


def voice(project: dict[str, Any], actor: Actor | None) -> tuple[str, str]:
    inf = actor.influencer if actor else None
    brand = (inf or {}).get("brandVoice") or project.get("brandVoice") or "authentic"
    lang = (inf or {}).get("language") or project.get("primaryLanguage") or "en"
    return brand, lang


async def app_demo(ctx: Ctx, project_id: str, media_id: str | None) -> dict[str, Any] | None:
    """The app-demo media row to use (the given `mediaId`, else the project's first `app-demo`);
    None when there is none. A `mediaId` that does not exist → 404."""
    found = await ctx.db.execute_fetchall(
        "SELECT data FROM media WHERE tenant_id = ? AND project_id = ? ORDER BY created_at, id", (ctx.tenant_id, project_id)
    )
    mine = [r for r in (codec.loads(x[0]) for x in found) if not r.get("deletedAt") and r.get("_status", "active") == "active"]

    def is_demo(r: dict[str, Any]) -> bool:
        return r.get("role") == "app-demo" or r.get("kind") in ("demo-video", "app-demo")

    if media_id:
        match = next((r for r in mine if media_id in (r.get("id"), r.get("mediaId"))), None)
        if match is None:
            raise errors.NotFound(f"Media {media_id} not found in this project.", details={"field": "mediaId"})
        return match if is_demo(match) else None
    return next((r for r in mine if is_demo(r)), None)
