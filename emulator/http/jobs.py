"""`/v1/jobs/{jobId}`: poll (with ETag / If-None-Match) and cancel."""
from __future__ import annotations

from typing import Any

from emulator import jobs
from emulator.http.api import Call, Reply, Route


async def get_job(call: Call) -> Reply:
    job = jobs.envelope(await jobs.get(call.ctx, call.params["jobId"]))
    tag = jobs.etag(job)
    if call.request.headers.get("if-none-match") == tag:
        return Reply(None, 304, {"ETag": tag})
    return Reply(job, 200, {"ETag": tag})


async def cancel_job(call: Call) -> Reply:
    status, body = await jobs.cancel(call.ctx, call.params["jobId"])
    return Reply(body, status)


ROUTES = [
    Route("GET", "/v1/jobs/{jobId}", get_job, scope="jobs:read", summary="Get a job", tags=("jobs",)),
    Route("POST", "/v1/jobs/{jobId}/cancel", cancel_job, scope="jobs:cancel", status=202,
          summary="Cancel a job", audit="job.cancel_requested", tags=("jobs",)),
]
_: Any = None
