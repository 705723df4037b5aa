"""Launch → first 200, measured the way `bench/run.py` measures it, on its own:
`python bench/launch.py [--runs 5]`.

Each run spawns `python -m emulator serve --port N --clock virtual` as a real process and polls
the same first request bench/run.py polls (`GET /_emulator/health`) until it answers 200. Two
databases: a fresh file in a temporary directory (migrations included) and `--db :memory:`.
A second figure per database polls an authenticated API route (`GET /v1/projects` with a key)
instead, the first request a client doing real work would make. The bare Starlette + aiosqlite
app (bench/bare_app.py) is launched the same way as the floor on this machine at this moment.
Prints the median of the runs."""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from run import HEADERS, free_port  # noqa: E402  (the same helpers bench/run.py uses)

HEALTH = ("/_emulator/health", {})
API = ("/v1/projects", HEADERS)


def emulator_cmd(port: int, db: str) -> list[str]:
    return [sys.executable, "-m", "emulator", "serve", "--port", str(port), "--db", db, "--clock", "virtual"]


def bare_cmd(port: int, db: str) -> list[str]:
    return [sys.executable, "bench/bare_app.py", str(port), db]


def launch_once(db: str, first: tuple[str, dict[str, str]], command: Callable[[int, str], list[str]] = emulator_cmd) -> float:
    port = free_port()
    cmd = command(port, db)
    path, headers = first
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = started + 30
        while time.perf_counter() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}{path}", headers=headers, timeout=0.5).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                time.sleep(0.005)
        raise RuntimeError(f"{cmd} did not answer {path} within 30 s")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def median_launch(db_of: Callable[[], str], first: tuple[str, dict[str, str]], runs: int,
                  command: Callable[[int, str], list[str]] = emulator_cmd) -> float:
    return statistics.median(launch_once(db_of(), first, command) for _ in range(runs))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="layers-launch-"))
    counter = iter(range(10**6))

    def fresh_file() -> str:
        return str(tmp / f"emu-{next(counter)}.db")

    def memory() -> str:
        return ":memory:"

    print(f"launch → first 200, median of {args.runs} launches (python -m emulator serve --clock virtual)")
    for label, db_of in (("file DB (fresh, temp dir)", fresh_file), (":memory:", memory)):
        for request, first in (("GET /_emulator/health (bench/run.py's request)", HEALTH),
                               ("GET /v1/projects (authenticated)", API)):
            seconds = median_launch(db_of, first, args.runs)
            print(f"  {label:28} {request:48} {seconds:.3f} s")
    bare = median_launch(fresh_file, HEALTH, args.runs, bare_cmd)
    print(f"  {'bare app, file DB (floor)':28} {'GET /_emulator/health':48} {bare:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
