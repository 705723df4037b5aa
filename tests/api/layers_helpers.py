"""Shared set-up for the layer and distribution tests: a project with a connected account,
an installed Social Distribution layer, finished content, and small readers."""
from __future__ import annotations

from typing import Any

from tests.support import Api

DESCRIPTION = (
    "Acme App helps busy people plan healthy meals in minutes, with shopping lists, pantry tracking "
    "and weekly prep guides that adapt to taste."
)
SD = "social-distribution"


def project_with_account(api: Api, platform: str = "instagram", tz: str = "America/New_York") -> tuple[dict[str, Any], str]:
    project = api.project(timezone=tz, appName="Acme App", appDescription=DESCRIPTION)
    r = api.post(f"/_emulator/projects/{project['id']}/social-accounts", json={"platform": platform})
    assert r.status_code == 200, r.text
    return project, r.json()["socialAccountId"]


def install(api: Api, project_id: str, account_id: str, layer_schedule: dict[str, Any] | None = None, **config: Any) -> Any:
    body: dict[str, Any] = {"projectId": project_id, "templateId": SD,
                            "config": {"social": {"socialAccountId": account_id}, **config}}
    if layer_schedule is not None:
        body["schedule"] = layer_schedule
    return api.post("/api/project-layers", json=body)


def layer(api: Api, platform: str = "instagram", tz: str = "America/New_York", **config: Any) -> tuple[dict[str, Any], str, dict[str, Any]]:
    project, account = project_with_account(api, platform, tz)
    r = install(api, project["id"], account, **config)
    assert r.status_code == 201, r.text
    return project, account, r.json()


def attached(api: Api, **layer_args: Any) -> tuple[dict[str, Any], str, dict[str, Any], str, str]:
    """`layer(...)` plus one finished container attached to its earliest slot:
    (project, account, layer, containerId, scheduledPostId)."""
    project, account, created = layer(api, **layer_args)
    [cid] = make_content(api, project["id"], 1)
    sp_id = execute(api, created["id"], "attach-to-schedule", containerId=cid)["output"]["scheduledPostId"]
    return project, account, created, cid, sp_id


def slots(api: Api, layer_id: str, **params: Any) -> list[dict[str, Any]]:
    r = api.get(f"/api/project-layers/{layer_id}/slots", params={"limit": 1000, **params})
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def runs(api: Api, layer_id: str, **params: Any) -> list[dict[str, Any]]:
    r = api.get(f"/api/project-layers/{layer_id}/runs", params={"limit": 200, **params})
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def make_content(api: Api, project_id: str, n: int = 1, account_id: str | None = None, wait: bool = True) -> list[str]:
    """`n` finished slideshow-builder containers (90 s of generation)."""
    ids = []
    for i in range(n):
        body: dict[str, Any] = {"hook": f"Hook number {i + 1} for the meal planner"}
        if account_id:
            body["socialAccountId"] = account_id
        r = api.post(f"/v1/projects/{project_id}/content/slideshow-builder", json=body)
        assert r.status_code == 202, r.text
        ids.extend(r.json()["containerIds"])
    if wait:
        api.advance(seconds=120)
    return ids


def execute(api: Api, layer_id: str, command: str, **parameters: Any) -> dict[str, Any]:
    r = api.post(f"/api/project-layers/{layer_id}/execute", json={"commandId": command, "parameters": parameters})
    assert r.status_code == 202, r.text
    run = api.get(f"/api/runs/{r.json()['runId']}").json()
    return dict(run)


def pin(api: Api, account_id: str, **controls: Any) -> None:
    r = api.post(f"/_emulator/social-accounts/{account_id}", json=controls)
    assert r.status_code == 200, r.text
