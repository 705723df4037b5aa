"""Source recommendations (portfolio and live search) and the hooks bank: free, synchronous,
drawn from the fixture catalogue by `emulator.fakes.content`."""
from __future__ import annotations

from typing import Any

from emulator import errors, media
from emulator.context import Ctx
from emulator.fakes import content as fake
from emulator.services import approval

MAX_ITEMS = 20  # seed 003: "up to 20 candidates", whatever limit says


def thumbnail(ctx: Ctx, tiktok_id: str) -> str:
    return media.url(media.token(ctx.seed, "public", "tiktok"), f"src-{tiktok_id}-thumb.png")


def recommendations(ctx: Ctx, project: dict[str, Any], *, keyword: str | None, kind: str, limit: int) -> dict[str, Any]:
    n = min(limit, MAX_ITEMS)
    if keyword:
        picked, source = fake.live_search(ctx.seed, keyword, kind, n), "live_search"
    else:
        picked, source = fake.portfolio(ctx.seed, project, kind, n), "portfolio"
    items = [fake.source_item(s, thumbnail(ctx, s["tiktokId"])) for s in picked]
    return {"items": items, "source": source, "keyword": keyword, "kind": kind, "nextCursor": None}


async def hooks(ctx: Ctx, project: dict[str, Any]) -> dict[str, Any]:
    missing = [f for f in ("appName", "appDescription") if not project.get(f)]
    if missing:
        raise errors.Validation(
            f"The hooks bank needs the project's {' and '.join(missing)}; set it with PATCH /v1/projects/:id.",
            issues=[{"path": f, "message": "required on the project"} for f in missing],
            extra={"missingFields": missing},
        )
    row = await approval.state(ctx, project["id"])
    call_no = int(row.get("hooksCalls") or 0)
    row["hooksCalls"] = call_no + 1
    await approval.save_row(ctx, row)
    return {
        "hooks": fake.hooks_bank(ctx.seed, project, call_no),
        "brandVoice": project.get("brandVoice") or "authentic",
        "language": project.get("primaryLanguage") or "en",
    }
