"""Scale benchmarks, in process (Starlette TestClient over the real app, file database, virtual clock):

  python bench/scale.py memory [N ...]   RSS after N projects (10 per organization), each with a
                                         connected Instagram account pinned hot and Social Distribution
                                         in automatic mode, after every organization advanced P7D (the
                                         whole week of automatic posting)
  python bench/scale.py reads [ROWS]     read latency of the hot routes with ROWS scheduled posts in
                                         the store (inserted directly, one executemany)

Each prints one JSON line; bench/run.py runs both and writes the tables."""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.api.layers_helpers import DESCRIPTION  # noqa: E402
from tests.support import Api, emulator_client, new_key  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def automatic_project(api: Api, i: int) -> tuple[str, str, str]:
    project = api.project(name=f"Scale {i:05d}", appName="Acme App", appDescription=DESCRIPTION)
    account = api.post(f"/_emulator/projects/{project['id']}/social-accounts", json={"platform": "instagram"}).json()
    api.post(f"/_emulator/social-accounts/{account['socialAccountId']}", json={"temperature": "hot"})
    r = api.post("/api/project-layers", json={
        "projectId": project["id"], "templateId": "social-distribution",
        "config": {"social": {"socialAccountId": account["socialAccountId"]}, "distributionMode": "automatic",
                   "generationMode": "automatic", "willPublish": True}})
    assert r.status_code == 201, r.text
    return project["id"], account["socialAccountId"], r.json()["id"]


PER_TENANT = 10  # one organization may run 50 jobs at once: 10 automatic projects stay under it


def memory(n: int) -> dict[str, Any]:
    base = rss_mb()
    with tempfile.TemporaryDirectory() as tmp, emulator_client(db=str(Path(tmp) / "scale.db")) as client:
        tenants = [Api(client, new_key()) for _ in range(max(1, -(-n // PER_TENANT)))]
        t0 = time.perf_counter()
        for i in range(n):
            automatic_project(tenants[i // PER_TENANT], i)
        setup = time.perf_counter() - t0
        after_setup = rss_mb()
        t1 = time.perf_counter()
        ran: dict[str, int] = {}
        for api in tenants:  # every tenant has its own clock: each lives its week
            for kind, count in api.advance(duration="P7D")["ran"].items():
                ran[kind] = ran.get(kind, 0) + count
        week = time.perf_counter() - t1
        after = rss_mb()
        published = ran.get("publish.complete", 0)
        db_mb = sum(f.stat().st_size for f in Path(tmp).iterdir()) / 2**20
    return {"bench": "memory", "projects": n, "rss_start_mb": round(base, 1), "rss_after_setup_mb": round(after_setup, 1),
            "rss_after_week_mb": round(after, 1), "peak_rss_mb": round(max(peak_rss_mb(), after), 1), "setup_s": round(setup, 1),
            "week_s": round(week, 1), "timers": sum(ran.values()), "published": published, "db_mb": round(db_mb, 1)}


def _time(api: Api, path: str, params: dict[str, Any] | None = None, n: int = 60) -> dict[str, float]:
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = api.get(path, params=params)
        samples.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (path, r.text[:300])
    samples.sort()
    return {"p50_ms": round(statistics.median(samples), 2), "p99_ms": round(samples[int(len(samples) * 0.99) - 1], 2)}


def reads(rows: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, emulator_client(db=str(Path(tmp) / "reads.db")) as client:
        api = Api(client, new_key())
        projects = [automatic_project(api, i) for i in range(10)]
        api.advance(duration="P1D")  # real slots, runs and timers next to the bulk rows
        emu = client.app.state.emulator
        tenant_id = api.get("/v1/whoami").json().get("organizationId") or api.get("/v1/whoami").json()["organization"]["id"]

        async def template() -> tuple[str, dict[str, Any]]:
            async with emu.store.read() as db:
                cur = await db.execute("SELECT tenant_id, data FROM scheduled_posts ORDER BY rowid LIMIT 1")
                row = await cur.fetchone()
            return row[0], json.loads(row[1])

        tenant_db_id, sample = client.portal.call(template)
        t0 = time.perf_counter()

        async def bulk() -> None:
            batch = []
            past, future = datetime(2026, 5, 10, 23, 45, tzinfo=UTC), datetime(2026, 5, 20, tzinfo=UTC)
            for i in range(rows):
                pid, account, layer = projects[i % len(projects)]
                sp = f"sp_{uuid.UUID(int=i + 1)}"
                step = timedelta(minutes=15 * (i // len(projects)))
                if i % 3:  # delivered history: layer slots with their (bulk) container
                    status, at_dt, layer_id, container = "posted", past - step, layer, f"cnt_bulk_{i}"
                else:  # partner posts queued in the future
                    status, at_dt, layer_id, container = "ready", future + step, None, None
                at = at_dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")
                data = {**sample, "id": sp, "projectId": pid, "socialAccountId": account, "scheduledAt": at,
                        "status": status, "layerId": layer_id, "containerId": container}
                batch.append((sp, tenant_db_id, pid, layer_id, account, container, status, at, at, json.dumps(data)))
            async with emu.store.tx() as db:
                await db.executemany(
                    "INSERT INTO scheduled_posts(id, tenant_id, project_id, layer_id, social_account_id, container_id,"
                    " status, scheduled_at, created_at, data) VALUES (?,?,?,?,?,?,?,?,?,?)", batch)

        client.portal.call(bulk)
        insert_s = time.perf_counter() - t0
        pid, _, layer = projects[0]
        some = f"sp_{uuid.UUID(int=rows // 2)}"
        routes = {
            "GET /v1/scheduled-posts/{id}": _time(api, f"/v1/scheduled-posts/{some}"),
            "GET /v1/projects/{id}/scheduled-posts?limit=50": _time(api, f"/v1/projects/{pid}/scheduled-posts", {"limit": 50}),
            "GET /v1/projects/{id}/scheduled-posts?status=queued": _time(api, f"/v1/projects/{pid}/scheduled-posts", {"limit": 50, "status": "queued"}),
            "GET /api/project-layers/{id}/slots?limit=50": _time(api, f"/api/project-layers/{layer}/slots", {"limit": 50}),
            "GET /api/project-layers/{id}/runs?limit=50": _time(api, f"/api/project-layers/{layer}/runs", {"limit": 50}),
            "GET /v1/projects/{id}": _time(api, f"/v1/projects/{pid}"),
        }
        t1 = time.perf_counter()
        api.advance(seconds=3600)
        advance_s = time.perf_counter() - t1
    return {"bench": "reads", "rows": rows, "tenant": tenant_id, "insert_s": round(insert_s, 1),
            "advance_1h_s": round(advance_s, 2), "routes": routes}


def main() -> None:
    what = sys.argv[1] if len(sys.argv) > 1 else "reads"
    args = [int(a) for a in sys.argv[2:]]
    if what == "memory":
        for n in args or [10]:
            print(json.dumps(memory(n)), flush=True)
    else:
        print(json.dumps(reads(args[0] if args else 100_000)), flush=True)


if __name__ == "__main__":
    main()
