"""Served placeholder media (no key: the tenant is in the URL token, like a public CDN)."""
from __future__ import annotations

from starlette.responses import Response

from emulator import errors, media
from emulator.http.api import Call, Route


async def serve_media(call: Call) -> Response:
    served = media.render(call.params["token"], call.params["name"])
    if served is None:
        raise errors.NotFound("No such media file.")
    data, ctype = served
    return Response(data, media_type=ctype, headers={"Cache-Control": "public, max-age=31536000, immutable"})


ROUTES = [
    Route("GET", "/_emulator/media/{token}/{name}", serve_media, auth=False, klass=None,
          summary="A placeholder media file (image or video)", tags=("emulator",)),
]
