"""The wheel carries the code, the migrations, fixtures/ and scenarios/, the console script and
the pytest plugin; the installed package works from any directory."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.server


def test_wheel_works_outside_the_checkout(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(ROOT)],
                   check=True, timeout=600)
    wheel = next((tmp_path / "dist").glob("layers_emulator-*.whl"))
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        z.extractall(site)
    assert "emulator/store/migrations/0001_core.sql" in names
    assert "emulator/_data/fixtures/personas.json" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = (site / entry_points).read_text()
    assert "layers-emulator = emulator.cli:main" in text and "pytest11" in text
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = f"""
import asyncio
import emulator.data as d
from emulator.store.db import Store

assert str(d.data_dir("fixtures")).startswith({str(site)!r}), d.data_dir("fixtures")
assert d.fixture("personas.json")

async def main():
    store = Store(":memory:")
    await store.open()
    await store.close()

asyncio.run(main())
print("ok")
"""
    env = {**os.environ, "PYTHONPATH": str(site)}
    r = subprocess.run([sys.executable, "-c", probe], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr
