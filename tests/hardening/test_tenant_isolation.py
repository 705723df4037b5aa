"""Every route of the route table, called by a foreign tenant with another tenant's ids in its
path: 404 (or 401/403/422 for what is malformed before the lookup), never a 2xx, and the owner's
state is the same afterwards. GET list routes called with the owner's ids in their query
parameters reveal none of them."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.hardening.world import build, collect, fill
from tests.support import Api, emulator_client, new_key

# Opened by a browser or an uploader without a key: the URL itself is the capability.
CAPABILITY_ROUTES = {"/_emulator/media/{token}/{name}", "/_emulator/uploads/{uploadId}",
                     "/_emulator/content-uploads/{token}", "/_emulator/oauth/authorize", "/_emulator/github/install"}
# The music catalogue's files are the same for everyone: not tenant data.
PUBLIC_ROUTES = {"/media/tiktok-music/{trackId}/{name}"}
# Platforms are not tenant data: a literal.
LITERALS = {"platform": "tiktok"}
ALIASES = {"keyId": "apiKeyId", "orgId": "organizationId"}
REFUSALS = {401, 403, 404, 422}
# Valid bodies, so these reach their id lookup instead of stopping at validation.
BODIES = {
    "PATCH /v1/projects/{projectId}": {"name": "Mine now"},
    "PATCH /api/project-layers/{id}": {"config": {"postsPerDay": 1}},
    "POST /api/project-layers/{id}/execute": {"commandId": "process-due", "parameters": {}},
    "POST /v1/content/{containerId}/schedule": {"scheduledFor": "2026-06-01T16:00:00Z", "targets": [{"socialAccountId": "$sa", "mode": "publish"}]},
    "POST /v1/content/{containerId}/publish": {"targets": [{"socialAccountId": "$sa", "mode": "publish"}]},
    "POST /v1/scheduled-posts/{scheduledPostId}/reschedule": {"scheduledFor": "2026-06-01T16:00:00Z"},
    "PATCH /v1/content/{containerId}": {"caption": "mine"},
    "POST /v1/content/{containerId}/finalize-upload": {"caption": "mine"},
    "PATCH /v1/webhook-endpoints/{endpointId}": {"description": "mine"},
    "POST /_emulator/social-accounts/{socialAccountId}": {"temperature": "hot"},
    "POST /_emulator/projects/{projectId}/social-accounts": {"platform": "tiktok"},
    "PATCH /v1/projects/{projectId}/sdk-apps/{appId}": {"name": "mine"},
    "POST /v1/projects/{projectId}/social/oauth-url": {"platform": "tiktok", "returnUrl": "https://example.com/cb"},
    "POST /v1/projects/{projectId}/ingest/website": {"url": "https://example.com"},
    "POST /v1/projects/{projectId}/sdk-apps": {"name": "x", "platform": "web", "webDomain": "acme.example.com"},
}


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[Any, Api, dict[str, set[str]]]]:
    with emulator_client() as client:
        owner = Api(client, new_key())
        ids = build(owner)
        collect(owner, client.app.state.routes, ids, LITERALS)
        for param, source in ALIASES.items():
            ids.setdefault(param, set()).update(ids.get(source, set()))
        yield client, owner, ids


def _fill(path: str, ids: dict[str, set[str]]) -> str | None:
    if "{id}" in path:  # two families answer with a plain "id"
        source = "adsContentId" if "ads-content" in path else "projectLayerId"
        if not ids.get(source):
            return None
        path = path.replace("{id}", sorted(ids[source])[0])
    return fill(path, ids, LITERALS)


def _snapshot(owner: Api, ids: dict[str, set[str]]) -> list[Any]:
    pid = sorted(ids["projectId"])[0]
    reads = [f"/v1/projects/{pid}", f"/v1/projects/{pid}/social-accounts", "/api/project-layers",
             *(f"/v1/scheduled-posts/{s}" for s in sorted(ids["scheduledPostId"])),
             *(f"/v1/content/{c}" for c in sorted(ids["containerId"])), "/v1/webhook-endpoints"]
    out = []
    for path in reads:
        r = owner.get(path)
        body = r.json()
        for volatile in ("lastSyncedAt", "updatedAt"):
            body.pop(volatile, None) if isinstance(body, dict) else None
        out.append((path, r.status_code, body))
    return out


def test_every_route_refuses_a_foreign_tenants_ids(world: tuple[Any, Api, dict[str, set[str]]]) -> None:
    client, owner, ids = world
    before = _snapshot(owner, ids)
    stranger = Api(client, new_key())
    stranger.project()  # a tenant with data of its own
    walked, leaks, unfilled = 0, [], []
    for route in client.app.state.routes:
        names = re.findall(r"{(\w+)}", route.path)
        if not names or route.path in CAPABILITY_ROUTES | PUBLIC_ROUTES or set(names) <= set(LITERALS):
            continue
        path = _fill(route.path, ids)
        if path is None:
            unfilled.append(f"{route.method} {route.path}")
            continue
        body = json.loads(json.dumps(BODIES.get(f"{route.method} {route.path}", {})).replace("$sa", sorted(ids["socialAccountId"])[0]))
        r = stranger.request(route.method, path, json=body if route.method != "GET" else None)
        walked += 1
        if f"{route.method} {route.path}" in BODIES:
            assert r.status_code == 404, (route.path, r.text)
        if r.status_code not in REFUSALS:
            leaks.append(f"{route.method} {path} -> {r.status_code} {r.text[:200]}")
    assert not leaks, "\n".join(leaks)
    assert walked >= 60, (walked, unfilled)
    # ads routes need a campaign/pending action/recommendation that a plain tenant never makes
    assert not [u for u in unfilled if "/ads" not in u and "recommendations" not in u], unfilled
    assert _snapshot(owner, ids) == before


def test_list_routes_ignore_foreign_ids_in_their_query(world: tuple[Any, Api, dict[str, set[str]]]) -> None:
    client, owner, ids = world
    stranger = Api(client, new_key())
    secrets = {v for k, vs in ids.items() if k in ("projectId", "socialAccountId", "containerId",
                                                     "scheduledPostId", "projectLayerId", "runId", "jobId") for v in vs}
    checked = 0
    for route in client.app.state.routes:
        if route.method != "GET" or "{" in route.path or not route.auth:
            continue
        params = {q: sorted(ids[q])[0] for q in route.query if ids.get(q)}
        r = stranger.get(route.path, params=params)
        checked += 1
        assert r.status_code < 500, (route.path, r.text)
        if r.status_code == 200 and r.headers.get("content-type", "").startswith("application/json"):
            text = json.dumps(r.json())
            assert not [s for s in secrets if s in text], (route.path, params, text[:300])
    assert checked >= 10
