"""`layers-emulator serve` as a real process: printed URL and key, SIGTERM, restart on the same
file, clear refusals of bad flags and unusable databases."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.server


@contextmanager
def serve(*args: str) -> Iterator[tuple[str, str, subprocess.Popen[str]]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("LAYERS_EMULATOR_")},
    )
    try:
        url = proc.stdout.readline().strip()  # type: ignore[union-attr]
        key = proc.stdout.readline().strip()  # type: ignore[union-attr]
        assert url.startswith("http://127.0.0.1:"), (url, proc.stderr.read() if proc.poll() is not None else "")  # type: ignore[union-attr]
        yield url, key, proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=20)


def test_serve_prints_url_and_a_working_key_and_exits_zero(tmp_path: Path) -> None:
    with serve("--db", str(tmp_path / "e.db")) as (url, key, proc):
        assert key.startswith("lp_test_")
        r = httpx.get(f"{url}/v1/whoami", headers={"Authorization": f"Bearer {key}"})
        assert r.status_code == 200
        assert stop(proc) == 0


def test_restart_keeps_projects_and_each_tenant_clock(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    args = ("--db", db, "--clock", "virtual", "--start", "2026-05-11T00:00:00Z")
    with serve(*args) as (url, key, proc):
        h = {"X-Api-Key": key}
        project = httpx.post(f"{url}/v1/projects", json={"name": "Durable", "timezone": "UTC"}, headers=h).json()
        httpx.post(f"{url}/_emulator/clock/advance", json={"duration": "P2D"}, headers=h)
        other = {"X-Api-Key": "lp_test_other"}
        httpx.post(f"{url}/_emulator/clock/advance", json={"seconds": 90}, headers=other)
        proc.kill()  # no clean shutdown: committed state must already be on disk
        proc.wait()
    with serve(*args) as (url, key, proc):
        h = {"X-Api-Key": key}
        assert httpx.get(f"{url}/v1/projects/{project['id']}", headers=h).json()["name"] == "Durable"
        assert httpx.get(f"{url}/_emulator/clock", headers=h).json()["now"] == "2026-05-13T00:00:00.000Z"
        other = {"X-Api-Key": "lp_test_other"}
        assert httpx.get(f"{url}/_emulator/clock", headers=other).json()["now"] == "2026-05-11T00:01:30.000Z"
        assert stop(proc) == 0


def test_environment_variables_configure_serve(tmp_path: Path) -> None:
    env = {**os.environ, "LAYERS_EMULATOR_CLOCK": "virtual", "LAYERS_EMULATOR_START": "2030-01-01T00:00:00Z",
           "LAYERS_EMULATOR_DB": ":memory:", "LAYERS_EMULATOR_PORT": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "serve"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        url = proc.stdout.readline().strip()  # type: ignore[union-attr]
        key = proc.stdout.readline().strip()  # type: ignore[union-attr]
        clock = httpx.get(f"{url}/_emulator/clock", headers={"X-Api-Key": key}).json()
        assert clock == {"now": "2030-01-01T00:00:00.000Z", "mode": "virtual"}
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize(
    "args, needle",
    [
        pytest.param(["--clock", "sideways"], "--clock", id="clock"),
        pytest.param(["--port", "http"], "--port", id="port-not-int"),
        pytest.param(["--port", "70000"], "--port", id="port-range"),
        pytest.param(["--start", "tomorrow"], "--start", id="start"),
        pytest.param(["--seed", "x"], "--seed", id="seed"),
        pytest.param(["--db", "/nonexistent/dir/e.db"], "does not exist", id="db-dir"),
        pytest.param(["--host", "0.0.0.0"], "--allow-remote", id="remote"),
        pytest.param(["--bogus"], "unrecognized", id="unknown-flag"),
    ],
)
def test_bad_flags_exit_nonzero_with_one_sentence(args: list[str], needle: str) -> None:
    r = subprocess.run([sys.executable, "-m", "emulator", "serve", "--port", "0", *args],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert needle in lines[0]


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("these are my notes, not a database\n" * 100)
    r = subprocess.run([sys.executable, "-m", "emulator", "serve", "--port", "0", "--db", str(bad)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "not a usable SQLite database" in r.stderr
    assert bad.read_text().startswith("these are my notes")
