"""A tenant with a bit of everything (project, TikTok and Instagram accounts, a Social
Distribution layer in automatic mode, finished content, a partner-scheduled post, a webhook
endpoint with a delivery, an SDK app, jobs and runs), and a harvester that collects every id its
reads reveal, keyed by the path parameter name that takes it."""
from __future__ import annotations

import re
import socket
from typing import Any

from tests.api.layers_helpers import DESCRIPTION, install, make_content
from tests.support import Api

# id prefix → the path parameter that takes such an id (for objects that answer with plain "id")
PREFIX_PARAM = {"prj": "projectId", "pl": "id", "run": "runId", "job": "jobId", "inf": "influencerId",
                "sa": "socialAccountId", "cnt": "containerId", "sp": "scheduledPostId", "we": "endpointId",
                "wh": "endpointId", "app": "appId", "sdk": "appId", "med": "assetId", "asset": "assetId"}


def dead_url() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/gone"


def build(api: Api) -> dict[str, set[str]]:
    """Fill the tenant; answers the ids only creation responses reveal (harvest reads the rest)."""
    project = api.project(appName="Acme App", appDescription=DESCRIPTION)
    pid = project["id"]
    accounts = {}
    for platform in ("tiktok", "instagram"):
        r = api.post(f"/_emulator/projects/{pid}/social-accounts", json={"platform": platform})
        assert r.status_code == 200, r.text
        accounts[platform] = r.json()["socialAccountId"]
    r = install(api, pid, accounts["tiktok"])
    assert r.status_code == 201, r.text
    r = api.post("/v1/webhook-endpoints", json={"url": dead_url(), "events": ["post.published", "job.completed"]})
    assert r.status_code in (200, 201), r.text
    containers = make_content(api, pid, 3, account_id=accounts["instagram"])
    api.advance(seconds=900)
    r = api.post(f"/v1/content/{containers[0]}/schedule", json={
        "scheduledFor": "2026-05-20T16:00:00Z",
        "targets": [{"socialAccountId": accounts["instagram"], "mode": "publish"}]})
    assert r.status_code in (200, 201, 202), r.text
    r = api.post(f"/v1/content/{containers[1]}/publish",
                 json={"targets": [{"socialAccountId": accounts["instagram"], "mode": "publish"}]})
    assert r.status_code in (200, 201, 202), r.text
    ids: dict[str, set[str]] = {}
    r = api.post(f"/v1/projects/{pid}/sdk-apps", json={"name": "web", "platform": "web", "webDomain": "acme.example.com"})
    assert r.status_code == 201, r.text
    harvest(r.json(), ids)
    r = api.post(f"/v1/projects/{pid}/social/oauth-url", json={"platform": "tiktok", "returnUrl": "https://example.com/cb"})
    assert r.status_code == 200, r.text
    ids.setdefault("state", set()).add(r.json()["state"])
    api.advance(seconds=86400)
    return ids


def harvest(value: Any, into: dict[str, set[str]], key: str | None = None) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            harvest(v, into, k)
    elif isinstance(value, list):
        for v in value:
            harvest(v, into, key)
    elif isinstance(value, str) and key and len(value) < 80:
        if key == "id":
            prefix = value.split("_", 1)[0]
            if prefix in PREFIX_PARAM:
                into.setdefault(PREFIX_PARAM[prefix], set()).add(value)
            if "-" in value and len(value) == 36:  # uuid ids (webhook deliveries)
                into.setdefault("deliveryId", set()).add(value)
        elif key.endswith("Id") and re.fullmatch(r"[A-Za-z0-9_\-]+", value):
            into.setdefault(key, set()).add(value)


def fill(path: str, ids: dict[str, set[str]], literals: dict[str, str]) -> str | None:
    out = path
    for name in re.findall(r"{(\w+)}", path):
        if name in literals:
            value = literals[name]
        elif ids.get(name):
            value = sorted(ids[name])[0]
        else:
            return None
        out = out.replace("{" + name + "}", value)
    return out


def collect(api: Api, routes: list[Any], ids: dict[str, set[str]], literals: dict[str, str]) -> None:
    """GET every readable route of the tenant (twice, so ids found on the first pass open more)."""
    for _ in range(2):
        for route in routes:
            if route.method != "GET" or not route.auth:
                continue
            path = fill(route.path, ids, literals)
            if path is None:
                continue
            r = api.get(path, params={"limit": 100} if "{" not in route.path else None)
            if r.status_code == 200 and r.headers.get("content-type", "").startswith("application/json"):
                harvest(r.json(), ids)
