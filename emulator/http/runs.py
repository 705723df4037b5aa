"""Layer runs: list per layer, read, retry (CONTRACT §6, distribution.md §4.7)."""
from __future__ import annotations

from typing import Any

from emulator.http import query as q
from emulator.http.api import Call, Reply, Route
from emulator.pagination import page_request
from emulator.services import commands, layers, runs

TAGS = ("layers",)


async def list_runs(call: Call) -> dict[str, Any]:
    layer = await layers.get(call.ctx, call.params["id"])
    page = page_request(call.query, default=25, maximum=200)
    items, cursor = await runs.list_page(
        call.ctx, layer["id"], page,
        command_id=call.query.get("commandId") or None,
        status=q.enum(call.query, "status", runs.STATUSES),
        trigger=q.enum(call.query, "trigger", runs.TRIGGERS),
    )
    return {"items": items, "nextCursor": cursor}


async def get_run(call: Call) -> dict[str, Any]:
    return runs.public(await runs.get(call.ctx, call.params["runId"]))


async def retry_run(call: Call) -> Reply:
    run = await commands.retry(call.ctx, call.params["runId"])
    return Reply({"runId": run["runId"], "status": run["status"], "retryOf": run["retryOf"],
                  "projectLayerId": run["projectLayerId"], "commandId": run["commandId"]}, 202)


ROUTES = [
    Route("GET", "/api/project-layers/{id}/runs", list_runs, scope="layers:read", summary="List a layer's runs",
          query=("commandId", "status", "trigger", "cursor", "limit"), tags=TAGS),
    Route("GET", "/api/runs/{runId}", get_run, scope="layers:read", summary="Get a run", tags=TAGS),
    Route("POST", "/api/runs/{runId}/retry", retry_run, scope="layers:write", status=202,
          summary="Retry a failed run", tags=TAGS),
]
