"""`GET /v1/tiktok-music`: a seeded catalog of 50 tracks drawn from `fixtures/tiktok_music.json`,
re-drawn at every 00:00 and 12:00 UTC boundary (the docs' 12-hour refresh cron).

Pure apart from the fixture read: the catalog depends only on (seed, window start)."""
from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from emulator.data import fixture
from emulator.ids import stable_int

CATALOG_SIZE = 50
TRACK_FIELDS = (
    "id", "title", "author", "album", "duration", "previewUrl", "coverUrl", "language", "userCount",
    "isCommerceMusic",
)


def window_start(now: datetime) -> datetime:
    now = now.astimezone(UTC)
    return now.replace(hour=0 if now.hour < 12 else 12, minute=0, second=0, microsecond=0)


def _all_tracks() -> list[dict[str, Any]]:
    data = fixture("tiktok_music.json")
    return list(data["tracks"] if isinstance(data, dict) else data)


@cache
def fixture_ids() -> frozenset[str]:
    """Every track the fixture knows (whose preview and cover the emulator serves)."""
    return frozenset(str(t["id"]) for t in _all_tracks())


def catalog(seed: int, now: datetime) -> list[dict[str, Any]]:
    """The tracks on offer at `now`, most used first (ties by id)."""
    start = window_start(now).strftime("%Y-%m-%dT%H")
    tracks = _all_tracks()
    ranked = sorted(tracks, key=lambda t: stable_int(seed, "tiktok-music", start, t["id"]))
    chosen = ranked[:CATALOG_SIZE]
    out = []
    for t in chosen:
        track = {k: t.get(k) for k in TRACK_FIELDS}
        # usage drifts a little between refreshes (deterministic per window)
        drift = stable_int(seed, "tiktok-music-uses", start, t["id"]) % 2001 - 1000  # ±10 %
        track["userCount"] = max(0, int(t.get("userCount") or 0) * (10000 + drift * 10) // 10000)
        out.append(track)
    out.sort(key=lambda t: (-int(t["userCount"] or 0), str(t["id"])))
    return out


def track_ids(seed: int, now: datetime) -> set[str]:
    return {t["id"] for t in catalog(seed, now)}


def absolute(track: dict[str, Any], base_url: str) -> dict[str, Any]:
    """Fixture media paths are served by the emulator; answer them as absolute URLs."""
    out = dict(track)
    for key in ("previewUrl", "coverUrl"):
        value = out.get(key)
        if isinstance(value, str) and value.startswith("/"):
            out[key] = base_url.rstrip("/") + value
    return out
