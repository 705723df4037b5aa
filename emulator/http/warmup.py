"""What follows the load of the route modules, off every request's path: each body model's
validator is built (pydantic defers that to first use, see emulator/http/body.py), one model
per turn of the event loop so a request waits at most for one, and httpx (webhook deliveries)
is imported in a worker thread. So the first request of each family, or the first delivery,
is not the one paying for it."""
from __future__ import annotations

import asyncio
from collections.abc import Iterable

from emulator.http.api import Route


async def warm(routes: Iterable[Route]) -> None:
    from emulator.services import webhook_dispatch

    importing = asyncio.get_running_loop().run_in_executor(None, webhook_dispatch.http_client)
    seen: set[type] = set()
    for route in routes:
        model = route.body
        if model is None or model in seen:
            continue
        seen.add(model)
        if not model.__pydantic_complete__:
            model.model_rebuild()
        await asyncio.sleep(0)
    await importing
