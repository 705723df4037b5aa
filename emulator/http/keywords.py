"""`/v1/projects/{projectId}/keywords`: the hashtag bank and its refresh job."""
from __future__ import annotations

from typing import Any

from emulator import jobs
from emulator.http.api import Call, Reply, Route
from emulator.services import influencers, keywords  # noqa: F401  (project hooks, timers, job kinds)


async def get_keywords(call: Call) -> dict[str, Any]:
    return await keywords.get_bank(call.ctx, call.params["projectId"])


async def refresh_keywords(call: Call) -> Reply:
    return Reply(jobs.envelope(await keywords.refresh(call.ctx, call.params["projectId"])), 202)


ROUTES = [
    Route("GET", "/v1/projects/{projectId}/keywords", get_keywords, scope="projects:read",
          summary="Get the keyword bank", tags=("keywords",)),
    Route("POST", "/v1/projects/{projectId}/keywords/refresh", refresh_keywords, scope="projects:write",
          klass="long-running", status=202, summary="Re-run keyword research", tags=("keywords",)),
]
