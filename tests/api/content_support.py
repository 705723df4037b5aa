"""Helpers shared by the content-area API tests."""
from __future__ import annotations

from typing import Any


from tests.support import Api

DESCRIPTION = (
    "Daily ritual coffee subscriptions for runners and night-shift workers. Single-origin beans from named "
    "farms, roasted weekly, shipped on a cadence that matches how you actually drink coffee."
)
FITNESS = (
    "A workout planner for gym beginners: strength training plans, progressive overload, workout logging and "
    "form tips so every set at the gym counts and your squat keeps moving."
)


def brand_project(api: Api, **fields: Any) -> dict[str, Any]:
    body = {"appName": "Acme Lift", "appDescription": FITNESS, "brandVoice": "warm", **fields}
    return api.project(**body)


def ready_influencer(api: Api, project: dict[str, Any]) -> str:
    """The project's auto-created influencer, once ready (onboarding creates it ~60 s after a
    project with appDescription)."""
    api.advance(seconds=61)
    r = api.get(f"/v1/projects/{project['id']}/influencers")
    assert r.status_code == 200, r.text
    ready = [i for i in r.json()["items"] if i["status"] == "ready"]
    assert ready, r.json()
    return str(ready[0]["influencerId"])


def slideshow_id(api: Api, project: dict[str, Any]) -> str:
    r = api.get(f"/v1/projects/{project['id']}/content/source-recommendations", params={"kind": "slideshow"})
    assert r.status_code == 200, r.text
    return str(r.json()["items"][0]["tiktokId"])


def video_id(api: Api, project: dict[str, Any]) -> str:
    r = api.get(f"/v1/projects/{project['id']}/content/source-recommendations", params={"kind": "video"})
    assert r.status_code == 200, r.text
    return str(r.json()["items"][0]["tiktokId"])


def build(api: Api, project: dict[str, Any], hook: str = "POV: you finally stuck to a plan", **extra: Any) -> dict[str, Any]:
    r = api.post(f"/v1/projects/{project['id']}/content/slideshow-builder", json={"hook": hook, **extra})
    assert r.status_code == 202, r.text
    return dict(r.json())


def completed(api: Api, project: dict[str, Any], **extra: Any) -> dict[str, Any]:
    job = build(api, project, **extra)
    api.advance(seconds=95)
    r = api.get(f"/v1/content/{job['containerIds'][0]}")
    assert r.json()["status"] == "completed", r.text
    return dict(r.json())
