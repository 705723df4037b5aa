"""Where the shipped data lives: `fixtures/` and `scenarios/` at the repo root in a checkout,
`emulator/_data/...` inside an installed wheel. Loaded once per process (read-only)."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """`name` is `fixtures` or `scenarios`."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the emulator's {name}/ directory is missing from this installation")


@cache
def fixture(filename: str) -> Any:
    """A parsed JSON fixture, e.g. `fixture("personas.json")`. Treat it as read-only."""
    with (data_dir("fixtures") / filename).open(encoding="utf-8") as fh:
        return json.load(fh)
