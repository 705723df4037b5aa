"""Account temperature: the health snapshot the planner reads (distribution.md §5.12).

Rule (emulator choice, deterministic): count the account's posts that went live (internal
status `posted`; drafts and hand-offs excluded) with `publishedAt` in the trailing 14 days up
to now: fewer than 7 → `cold`, 7 to 20 → `warm`, 21 or more → `hot`. A fresh account is `cold`.
A pin set through `POST /_emulator/social-accounts/{id}` (`data["temperaturePin"]`) wins over
the computed value until it is cleared with null. A token error (`data["tokenError"]`) marks
the account unhealthy whatever its temperature.

`snapshot(ctx, account)` is what the planner's `loadHealthSnapshot` activity outputs; other
areas (the health route) may call it too.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from emulator.context import Ctx
from emulator.domain.slots import TEMPERATURES

WINDOW = timedelta(days=14)
WARM_AT = 7
HOT_AT = 21


def from_count(published: int) -> str:
    """The temperature for a number of posts published in the trailing window."""
    if published >= HOT_AT:
        return "hot"
    if published >= WARM_AT:
        return "warm"
    return "cold"


async def published_recently(ctx: Ctx, account_id: str) -> int:
    since = ctx.now - WINDOW
    cur = await ctx.db.execute(
        "SELECT COUNT(*) FROM scheduled_posts WHERE tenant_id = ? AND social_account_id = ? AND status = 'posted'"
        " AND json_extract(data, '$.publishedAt') > ? AND json_extract(data, '$.publishedAt') <= ?",
        (ctx.tenant_id, account_id, _text(since), _text(ctx.now)),
    )
    row = await cur.fetchone()
    return int(row[0]) if row else 0


def _text(moment: Any) -> str:
    from emulator.clock import iso

    text = iso(moment)
    assert text is not None
    return text


async def snapshot(ctx: Ctx, account: dict[str, Any]) -> dict[str, Any]:
    count = await published_recently(ctx, account["id"])
    computed = from_count(count)
    pin = account.get("temperaturePin")
    pinned = pin in TEMPERATURES
    return {
        "socialAccountId": account["id"],
        "temperature": pin if pinned else computed,
        "computedTemperature": computed,
        "source": "pinned" if pinned else "computed",
        "publishedLast14Days": count,
        "thresholds": {"warm": WARM_AT, "hot": HOT_AT, "windowDays": WINDOW.days},
        "healthy": not account.get("tokenError") and account.get("status") == "connected",
        "tokenError": account.get("tokenError"),
        "computedAt": ctx.iso_now(),
    }
