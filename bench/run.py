"""The benchmark suite, one command: `python bench/run.py [--seconds 10] [--concurrency 16]
[--memory-projects 10,40] [--rows 100000]`.

Starts the emulator and a bare Starlette + aiosqlite app (bench/bare_app.py) as real processes
on 127.0.0.1, drives both with the same bounded asyncio load client (httpx), and writes a
markdown table (throughput, p50/p99 latency, ratios against the bare app, launch-to-first-200)
to bench/results/latest.md with the machine and versions. Then the scale sections, each in a
fresh process (bench/scale.py): RSS after N projects with a week of automatic posting (with a
linear extrapolation to 1,000 projects against the 200 MB target) and hot-route read latency
with 100,000 scheduled posts in the store. Compare runs by keeping the files."""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import json

import httpx

ROOT = Path(__file__).resolve().parent.parent
KEY = "lp_test_benchmark"
HEADERS = {"Authorization": f"Bearer {KEY}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def launch(cmd: list[str]) -> tuple[subprocess.Popen[bytes], str, float]:
    port = free_port()
    cmd = [c.replace("{port}", str(port)) for c in cmd]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = started + 30
    while time.perf_counter() < deadline:
        try:
            if httpx.get(f"{url}/_emulator/health", timeout=0.5).status_code == 200:
                return proc, url, time.perf_counter() - started
        except httpx.HTTPError:
            time.sleep(0.005)
    proc.kill()
    raise RuntimeError(f"{cmd} did not answer within 30 s")


async def load(name: str, url: str, method: str, path_of: list[str], body: dict[str, str] | None,
               seconds: float, concurrency: int) -> Result:
    latencies: list[float] = []
    stop_at = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, headers=HEADERS, limits=limits, timeout=10) as client:

        async def worker(i: int) -> None:
            n = i
            while time.perf_counter() < stop_at:
                path = path_of[n % len(path_of)]
                n += concurrency
                t0 = time.perf_counter()
                r = await client.request(method, path, json=body)
                latencies.append(time.perf_counter() - t0)
                if r.status_code >= 400:
                    raise RuntimeError(f"{name}: {r.status_code} {r.text[:200]}")

        began = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return Result(name, len(latencies), elapsed, statistics.median(latencies) * 1000, p99 * 1000)


async def seed_ids(url: str, n: int) -> list[str]:
    async with httpx.AsyncClient(base_url=url, headers=HEADERS) as client:
        ids = []
        for i in range(n):
            r = await client.post("/v1/projects", json={"name": f"Seed {i:04d}", "timezone": "UTC"})
            ids.append(r.json()["id"])
        return ids


def measure(label: str, cmd: list[str], seconds: float, concurrency: int) -> tuple[float, list[Result]]:
    proc, url, boot = launch(cmd)
    try:
        ids = asyncio.run(seed_ids(url, 200))
        reads = asyncio.run(load(f"{label} GET /v1/projects/:id", url, "GET", [f"/v1/projects/{i}" for i in ids], None, seconds, concurrency))
        writes = asyncio.run(load(f"{label} POST /v1/projects", url, "POST", ["/v1/projects"], {"name": "Bench Project", "timezone": "UTC"}, seconds, concurrency))
        return boot, [reads, writes]
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def versions() -> str:
    import aiosqlite
    import starlette
    import uvicorn

    return f"Python {platform.python_version()}, starlette {starlette.__version__}, uvicorn {uvicorn.__version__}, aiosqlite {aiosqlite.__version__}"


def scale(kind: str, *args: str) -> list[dict]:
    out = subprocess.run([sys.executable, "bench/scale.py", kind, *args], cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=3 * 3600)
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def memory_section(sizes: list[int], target: int = 1000) -> list[str]:
    runs = [scale("memory", str(n))[0] for n in sizes]  # one process per size: its own peak RSS
    rows = ["## Memory: N projects (10 per organization), each with a week of automatic posting (advance P7D)", "",
            "| projects | RSS after setup MB | RSS after week MB | peak RSS MB | posts published | timers run | setup s | week s | db MB |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        rows.append(f"| {r['projects']} | {r['rss_after_setup_mb']} | {r['rss_after_week_mb']} | {r['peak_rss_mb']} | "
                    f"{r['published']} | {r['timers']} | {r['setup_s']} | {r['week_s']} | {r['db_mb']} |")
    if len(runs) >= 2:
        a, b = runs[0], runs[-1]
        span = b["projects"] - a["projects"]
        mb = (b["peak_rss_mb"] - a["peak_rss_mb"]) / span
        sec = (b["week_s"] + b["setup_s"] - a["week_s"] - a["setup_s"]) / span
        rss = b["peak_rss_mb"] + mb * (target - b["projects"])
        rows += ["", f"Linear extrapolation to {target} projects from {a['projects']} → {b['projects']}: "
                 f"{mb:.3f} MB per project → peak RSS ≈ {rss:.0f} MB (target ≤ 200 MB {'✓' if rss <= 200 else '✗'}); "
                 f"≈ {sec:.2f} s per project-week → ≈ {sec * target / 60:.0f} min for the full run (not measured)."]
    return rows


def reads_section(n: int) -> list[str]:
    r = scale("reads", str(n))[0]
    rows = [f"## Reads with {r['rows']:,} scheduled posts in the store (in process, 60 requests each)", "",
            f"Bulk insert {r['insert_s']} s; an advance of 1 h over that store {r['advance_1h_s']} s.", "",
            "| route | p50 ms | p99 ms |", "|---|---:|---:|"]
    rows += [f"| {route} | {v['p50_ms']} | {v['p99_ms']} |" for route, v in r["routes"].items()]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--memory-projects", default="10,40", help="comma-separated project counts")
    parser.add_argument("--rows", type=int, default=100_000, help="scheduled posts for the read benchmark")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="layers-bench-"))
    emu_cmd = [sys.executable, "-m", "emulator", "serve", "--port", "{port}", "--db", str(tmp / "emu.db"), "--clock", "virtual"]
    bare_cmd = [sys.executable, "bench/bare_app.py", "{port}", str(tmp / "bare.db")]
    bare_boot, bare = measure("bare", bare_cmd, args.seconds, args.concurrency)
    emu_boot, emu = measure("emulator", emu_cmd, args.seconds, args.concurrency)
    rows = ["| measurement | req/s | p50 ms | p99 ms | vs bare | target |", "|---|---:|---:|---:|---:|---:|"]
    for b, e, target in ((bare[0], emu[0], 0.5), (bare[1], emu[1], 0.4)):
        rows.append(f"| {b.name} | {b.rps:.0f} | {b.p50_ms:.2f} | {b.p99_ms:.2f} | 1.00 | |")
        ratio = e.rps / b.rps
        rows.append(f"| {e.name} | {e.rps:.0f} | {e.p50_ms:.2f} | {e.p99_ms:.2f} | {ratio:.2f} | ≥ {target} {'✓' if ratio >= target else '✗'} |")
    rows.append(f"| launch → first 200 (emulator) | | | | | {emu_boot:.3f} s (≤ 0.5 s {'✓' if emu_boot <= 0.5 else '✗'}) |")
    rows.append(f"| launch → first 200 (bare) | | | | | {bare_boot:.3f} s |")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; {versions()}"
    sections = ["", *memory_section([int(x) for x in args.memory_projects.split(",") if x]), "", *reads_section(args.rows)]
    text = "\n".join([f"# Benchmark ({time.strftime('%Y-%m-%d %H:%M')}, {args.seconds:.0f} s per load, {args.concurrency} connections)", "", machine, "", *rows, *sections, ""])
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
