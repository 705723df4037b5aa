"""`layers-emulator scenario run FILE [--seed N] [--report out.html] [--json out.json]
[--target URL] [--no-progress]`: exit 0 only when every expectation holds, 1 otherwise."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import IO, Any

from emulator.harness import HarnessError
from emulator.scenarios.model import ScenarioError


class ProgressBar:
    """A one-line progress bar on a terminal (nothing when the stream is not a terminal)."""

    def __init__(self, stream: IO[str], width: int = 24) -> None:
        self.stream, self.width = stream, width
        self.active = stream.isatty()
        self.shown = False

    def __call__(self, done: int, total: int, label: str, now: str) -> None:
        if not self.active:
            return
        filled = int(self.width * done / total) if total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        text = f"\r[{bar}] {done}/{total}  {now[:16].replace('T', ' ')}Z  {label[:40]}"
        self.stream.write(text.ljust(100)[:100])
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()


def _fail(message: str) -> int:
    sys.stderr.write(f"layers-emulator: {message}\n")
    return 1


def _write(path: str, text: str) -> None:
    target = Path(path)
    if target.parent and not target.parent.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def run_command(args: argparse.Namespace) -> int:
    from emulator.scenarios import html, report
    from emulator.scenarios.runner import run_scenario

    seed: int | None = None
    if args.seed is not None:
        try:
            seed = int(args.seed)
        except ValueError:
            return _fail(f"--seed must be an integer, not {args.seed!r}")
    progress = None if getattr(args, "no_progress", False) else ProgressBar(sys.stderr)
    try:
        result = run_scenario(args.file, seed=seed, target=getattr(args, "target", None), progress=progress)
    except ScenarioError as exc:
        return _fail(str(exc))
    except HarnessError as exc:
        return _fail(str(exc))
    finally:
        if progress is not None:
            progress.close()
    data: dict[str, Any] = report.build_json(result)
    try:
        if args.json_out:
            _write(args.json_out, json.dumps(data, indent=2, sort_keys=True) + "\n")
        if args.report:
            _write(args.report, html.render(data))
    except OSError as exc:
        return _fail(f"cannot write the report: {exc}")
    out = sys.stdout
    for line in result.failure_lines():
        out.write(f"FAILED {line}\n")
    for route in result.missing_routes:
        out.write(f"note: the emulator has no route {route}\n")
    total = len(result.expectations)
    failed = sum(1 for e in result.expectations if not e["ok"])
    spans = [f"{t.name} {str(t.start)[:16]} → {str(t.now)[:16]}" for t in result.tenants.values()]
    verdict = "PASS" if result.passed else "FAIL"
    out.write(f"{verdict} {result.scenario.name} ({Path(args.file).name}, seed {result.seed}): "
              f"{total - failed}/{total} expectations held"
              + (f", {len(result.errors)} error(s)" if result.errors else "")
              + f"; {'; '.join(spans)}; {result.wall_elapsed:.2f} s wall\n")
    return 0 if result.passed else 1
