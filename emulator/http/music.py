"""`GET /v1/tiktok-music`: the current trending-music catalog (50 tracks, refreshed every 12 h)."""
from __future__ import annotations

from typing import Any

from emulator.http.api import Call, Route
from emulator.services import music


async def list_music(call: Call) -> dict[str, Any]:
    base = str(call.request.base_url)
    tracks = [music.absolute(t, base) for t in music.catalog(call.ctx.seed, call.ctx.now)]
    return {"tracks": tracks, "total": len(tracks)}


ROUTES = [
    Route("GET", "/v1/tiktok-music", list_music, scope="publish:read",
          summary="Trending TikTok tracks to pick tiktokMusic.trackId from", tags=("publishing",)),
]
