"""Helpers for the sub-organization tests: create a child, mint its key, talk as it."""
from __future__ import annotations

import uuid
from typing import Any

from tests.support import Api


def code(r: Any) -> str:
    return str(r.json()["error"]["code"])


def make_child(api: Api, name: str = "Acme Coffee", **fields: Any) -> dict[str, Any]:
    r = api.post("/v1/organizations", json={"name": name, **fields})
    assert r.status_code == 201, r.text
    return dict(r.json())


def child_key(api: Api, org_id: str, scopes: list[str] | None = None, env: str = "test") -> Api:
    r = api.post(f"/v1/organizations/{org_id}/api-keys",
                 json={"name": "integration", "scopes": scopes or ["*"], "env": env})
    assert r.status_code == 201, r.text
    return Api(api.client, r.json()["secret"])


def inside(org_id: str) -> dict[str, str]:
    return {"X-Layers-Organization": org_id}


def idem() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def allocate(api: Api, org_id: str, credits: int, **kw: Any) -> Any:
    return api.post(f"/v1/organizations/{org_id}/credits/allocate", json={"credits": credits, **kw}, headers=idem())
