"""`GET /_emulator/health`: liveness. It is the one route answered before the other route
modules are loaded (`early=True`), so it imports nothing but the pipeline and touches no state."""
from __future__ import annotations

from typing import Any

from emulator import __version__
from emulator.http.api import Call, Route


async def health(call: Call) -> dict[str, Any]:
    return {"status": "ok", "version": __version__}


ROUTES = [Route("GET", "/_emulator/health", health, auth=False, klass=None, early=True, summary="Liveness",
                tags=("control",))]
