"""Served placeholder media (no key: the tenant is in the URL token, like a public CDN), and the
TikTok music catalogue's preview clips and covers."""
from __future__ import annotations

from starlette.responses import Response

from emulator import errors, media
from emulator.http.api import Call, Route

CACHE = {"Cache-Control": "public, max-age=31536000, immutable"}
MUSIC_FILES = {"preview.mp3": "audio/mpeg", "cover.png": "image/png"}
COVER_SIZE = (96, 96)


async def serve_media(call: Call) -> Response:
    served = media.render(call.params["token"], call.params["name"])
    if served is None:
        raise errors.NotFound("No such media file.")
    data, ctype = served
    return Response(data, media_type=ctype, headers=CACHE)


async def serve_music(call: Call) -> Response:
    """A track's `previewUrl` (a silent clip) or `coverUrl` (a square in the track's colour)."""
    from emulator.services import music

    track_id, name = call.params["trackId"], call.params["name"]
    if name not in MUSIC_FILES or track_id not in music.fixture_ids():
        raise errors.NotFound("No such music file.")
    data = media.mp3() if name == "preview.mp3" else media.png(*COVER_SIZE, media.colour("music", track_id))
    return Response(data, media_type=MUSIC_FILES[name], headers=CACHE)


ROUTES = [
    Route("GET", "/_emulator/media/{token}/{name}", serve_media, auth=False, klass=None,
          summary="A placeholder media file (image or video)", tags=("emulator",)),
    Route("GET", "/media/tiktok-music/{trackId}/{name}", serve_music, auth=False, klass=None,
          summary="A TikTok music track's preview clip or cover", tags=("emulator",)),
]
