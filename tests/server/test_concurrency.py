"""Concurrent requests against a real server process: one Idempotency-Key executes once,
and parallel writers on one tenant and on many tenants never lose or duplicate data."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.server.test_serve import serve, stop

pytestmark = pytest.mark.server


def test_concurrent_duplicates_execute_once(tmp_path: Path) -> None:
    with serve("--db", str(tmp_path / "c.db"), "--clock", "virtual") as (url, key, proc):
        headers = {"X-Api-Key": key, "Idempotency-Key": "same-operation"}
        body = {"name": "Only Once", "timezone": "UTC"}

        def create(_: int) -> httpx.Response:
            return httpx.post(f"{url}/v1/projects", json=body, headers=headers, timeout=30)

        with ThreadPoolExecutor(max_workers=12) as pool:
            responses = list(pool.map(create, range(12)))
        assert {r.status_code for r in responses} == {201}
        assert len({r.content for r in responses}) == 1
        listed = httpx.get(f"{url}/v1/projects", headers={"X-Api-Key": key}).json()["items"]
        assert len(listed) == 1
        assert stop(proc) == 0


def test_sixteen_clients_on_one_tenant_and_on_separate_tenants(tmp_path: Path) -> None:
    with serve("--db", str(tmp_path / "m.db"), "--clock", "virtual") as (url, key, proc):

        def work(i: int, api_key: str) -> list[str]:
            made = []
            with httpx.Client(base_url=url, headers={"X-Api-Key": api_key}, timeout=30) as c:
                for j in range(10):
                    r = c.post("/v1/projects", json={"name": f"Client {i:02d} {j:02d}", "timezone": "UTC"})
                    assert r.status_code == 201, r.text
                    made.append(r.json()["id"])
                    assert c.get(f"/v1/projects/{made[-1]}").status_code == 200
                    assert c.get("/v1/projects", params={"limit": 5}).status_code == 200
            return made

        with ThreadPoolExecutor(max_workers=32) as pool:
            shared = list(pool.map(lambda i: work(i, key), range(16)))
            separate_keys = [f"lp_test_tenant_{i}" for i in range(16)]
            separate = list(pool.map(lambda i: work(i, separate_keys[i]), range(16)))
        ids = [p for chunk in shared for p in chunk]
        assert len(ids) == len(set(ids)) == 160
        seen, cursor = [], None
        with httpx.Client(base_url=url, headers={"X-Api-Key": key}) as c:
            while True:
                page = c.get("/v1/projects", params={"limit": 100, **({"cursor": cursor} if cursor else {})}).json()
                seen += [p["id"] for p in page["items"]]
                cursor = page["nextCursor"]
                if cursor is None:
                    break
        assert sorted(seen) == sorted(ids)
        for i, made in enumerate(separate):
            listed = httpx.get(f"{url}/v1/projects", headers={"X-Api-Key": separate_keys[i]}).json()["items"]
            assert sorted(p["id"] for p in listed) == sorted(made)
        assert stop(proc) == 0
