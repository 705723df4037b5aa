"""16 clients on one tenant mixing reads and writes across resource families (projects, social
accounts, webhook endpoints, content generation, scheduling, layers, the clock), and 16 clients on
16 tenants doing the same, against one real server process on a file database: every request
answers as documented, nothing is lost or duplicated, nothing deadlocks (every call has a
timeout), and the server records no unexpected exception."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.layers_helpers import DESCRIPTION
from tests.server.test_serve import serve, stop

pytestmark = pytest.mark.server
ROUNDS = 4


def _expect(r: httpx.Response, *codes: int) -> Any:
    assert r.status_code in codes, (r.request.method, r.request.url.path, r.status_code, r.text[:300])
    return r.json() if r.content else None


def _client_work(url: str, key: str, i: int, shared_account: str | None) -> dict[str, list[str]]:
    made: dict[str, list[str]] = {"projects": [], "endpoints": [], "accounts": [], "posts": [], "jobs": []}
    with httpx.Client(base_url=url, headers={"X-Api-Key": key}, timeout=120) as c:
        for j in range(ROUNDS):
            p = _expect(c.post("/v1/projects", json={"name": f"C{i:02d} R{j} App", "timezone": "UTC",
                                                     "appName": "Acme App", "appDescription": DESCRIPTION}), 201)
            made["projects"].append(p["id"])
            _expect(c.patch(f"/v1/projects/{p['id']}", json={"name": f"C{i:02d} R{j} Renamed"}), 200)
            acc = _expect(c.post(f"/_emulator/projects/{p['id']}/social-accounts", json={"platform": "instagram"}), 200)
            made["accounts"].append(acc["socialAccountId"])
            ep = _expect(c.post("/v1/webhook-endpoints", json={"url": f"https://hooks.example.com/{i}/{j}",
                                                               "events": ["post.published"]}), 201)
            made["endpoints"].append(ep["endpoint"]["id"])
            r = c.post(f"/v1/projects/{p['id']}/content/slideshow-builder",
                       json={"hook": f"Hook {i} {j} for the meal planner", "socialAccountId": acc["socialAccountId"]})
            job = _expect(r, 202, 429)  # 429: the documented cap of 50 running jobs per organization
            if r.status_code == 429:
                assert job["error"]["details"]["limit"] == 50
            else:
                made["jobs"].append(job["jobId"])
                _expect(c.get(f"/v1/jobs/{job['jobId']}"), 200)
            _expect(c.get("/v1/projects", params={"limit": 20}), 200)
            _expect(c.get(f"/v1/projects/{p['id']}/social-accounts"), 200)
            _expect(c.get("/api/project-layers", params={"limit": 20}), 200)
            _expect(c.get("/v1/webhook-endpoints"), 200)
            _expect(c.get("/_emulator/events", params={"limit": 20}), 200)
            if j == 1:
                _expect(c.post("/_emulator/clock/advance", json={"seconds": 30}), 200)
    return made


def _run(url: str, keys: list[str]) -> list[dict[str, list[str]]]:
    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(_client_work, url, keys[i], i, None) for i in range(16)]
        return [f.result(timeout=600) for f in futures]


def _all(results: list[dict[str, list[str]]], kind: str) -> list[str]:
    return [x for r in results for x in r[kind]]


def test_sixteen_mixed_clients_on_one_tenant_then_on_sixteen(tmp_path: Path) -> None:
    with serve("--db", str(tmp_path / "mixed.db"), "--clock", "virtual") as (url, key, proc):
        shared = _run(url, [key] * 16)
        separate_keys = [f"lp_test_mixed_{i}" for i in range(16)]
        separate = _run(url, separate_keys)
        with httpx.Client(base_url=url, headers={"X-Api-Key": key}, timeout=120) as c:
            for kind in ("projects", "endpoints", "accounts"):
                ids = _all(shared, kind)
                assert len(ids) == len(set(ids)) == 16 * ROUNDS, kind
            jobs = _all(shared, "jobs")
            assert len(jobs) == len(set(jobs)) and 50 <= len(jobs) <= 16 * ROUNDS
            listed, cursor = [], None
            while True:
                page = _expect(c.get("/v1/projects", params={"limit": 100, **({"cursor": cursor} if cursor else {})}), 200)
                listed += [p["id"] for p in page["items"]]
                if not (cursor := page["nextCursor"]):
                    break
            assert sorted(listed) == sorted(_all(shared, "projects"))
            endpoints = _expect(c.get("/v1/webhook-endpoints", params={"limit": 100}), 200)
            items = endpoints.get("items", endpoints.get("data", []))
            assert len({e["id"] for e in items}) >= min(len(items), 16 * ROUNDS)
            _expect(c.post("/_emulator/clock/advance", json={"seconds": 600}), 200)
            done = [_expect(c.get(f"/v1/jobs/{j}"), 200)["status"] for j in _all(shared, "jobs")]
            assert set(done) <= {"completed", "failed"}, set(done)
            for i, k in enumerate(separate_keys):
                mine = _expect(c.get("/v1/projects", params={"limit": 100}, headers={"X-Api-Key": k}), 200)["items"]
                assert sorted(p["id"] for p in mine) == sorted(separate[i]["projects"])
            errors = _expect(c.get("/_emulator/server-errors"), 200)["items"]
            assert not errors, errors[0]["traceback"]
        assert stop(proc) == 0
