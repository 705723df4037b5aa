"""Instructions for a week of automatic posting: `python bench/instructions.py [projects]`.

Wall time on a shared VM drifts by up to half from one minute to the next; the number of
instructions does not (two runs of the same code agree to 0.1 %). This runs the same setup as
`distribution_week.py` under valgrind's cachegrind twice, once advancing P7D and once PT0S, and
prints the difference: the instructions of the week itself. Use it to compare two versions of
the code; use `distribution_week.py` for the wall figure. Needs valgrind (`apt-get install
valgrind`); a 10-project week takes about a minute.
"""
from __future__ import annotations

import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _week(n: int, duration: str) -> None:
    sys.path.insert(0, str(ROOT))
    from bench.scale import automatic_project
    from tests.support import Api, emulator_client, new_key

    with emulator_client(db=":memory:") as client:
        api = Api(client, new_key())
        for i in range(n):
            automatic_project(api, i)
        api.advance(duration=duration)


def _instructions(n: int, duration: str) -> int:
    out = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, __file__, "--inner", str(n), duration],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{out.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    if sys.argv[1:2] == ["--inner"]:
        _week(int(sys.argv[2]), sys.argv[3])
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    with ThreadPoolExecutor(2) as pool:
        week, setup = pool.map(lambda d: _instructions(n, d), ["P7D", "PT0S"])
    print(f"{n} projects: the P7D advance runs {(week - setup) / 1e9:.3f} G instructions "
          f"(setup {setup / 1e9:.3f} G)")


if __name__ == "__main__":
    main()
