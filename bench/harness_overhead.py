"""What the pytest plugin costs per test, and how long the shipped week takes:
`python bench/harness_overhead.py [N]`.

Runs a generated suite of N trivial tests three times in a subprocess: without the emulator,
with `layers` (a fresh tenant on the session's real server) and with `layers_asgi` (in
process). The per-test overhead is (suite time − baseline) / N; the session start-up is
reported apart. Then runs `scenarios/week-of-posting.yaml` once and prints its wall time."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEST = """
import pytest

@pytest.mark.parametrize("i", range({n}))
def test_one(i{fixture}):
    pass
"""


def suite(n: int, fixture: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "test_bench.py"
        path.write_text(TEST.format(n=n, fixture=f", {fixture}" if fixture else ""))
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "emulator.pytest_plugin", str(path)],
                       check=True, env=env, cwd=tmp, capture_output=True)
        return time.perf_counter() - began


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    base = suite(n, "")
    for fixture in ("layers", "layers_asgi"):
        one = suite(1, fixture) - suite(1, "")
        total = suite(n, fixture)
        print(f"{fixture:12s} session start {one * 1000:6.0f} ms; per test {(total - base - one) / n * 1000:5.1f} ms (N={n})")
    sys.path.insert(0, str(REPO))
    from emulator.scenarios.runner import run_scenario

    began = time.perf_counter()
    result = run_scenario(str(REPO / "scenarios" / "week-of-posting.yaml"))
    cpu = time.process_time()
    print(f"week-of-posting: {'PASS' if result.passed else 'FAIL'} in {time.perf_counter() - began:.2f} s wall "
          f"({cpu:.2f} s CPU for the whole process)")


if __name__ == "__main__":
    main()
