"""`layers-emulator scenario run`: the runner, its CLI, determinism and failure reporting."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.cli import main
from emulator.harness import HarnessSettings, ThreadedEmulator
from emulator.scenarios.report import build_json, strip_wall
from emulator.scenarios.runner import run_scenario

BASICS = """\
name: Basics
description: requests, captures, loops, blocks, tenants, advance, poll
seed: 3
start: 2026-05-11T08:00:00Z
tenants:
  acme: {}
  beta: {start: 2026-06-01T00:00:00Z}
vars:
  names: [One, Two, Three]
blocks:
  make_project:
    params: [label]
    steps:
      - request: POST /v1/projects
        body: {name: "Proj ${label}", timezone: America/New_York}
        headers: {Idempotency-Key: "${uuid}"}
        expect: 201
        capture: {last_id: $.id, last: $}
steps:
  - loop: {over: "${names}", as: n, index: i}
    steps:
      - call: make_project
        with: {label: "${n}"}
      - expect:
          that:
            - {of: i, at_most: 2}
            - {path: $.name, equals: "Proj ${n}"}
  - request: GET /v1/projects
    expect:
      status: 200
      that:
        - {path: $.items, count: 3}
        - {path: "$.items[*].name", contains: Proj Two}
        - {path: "$.items[?name=Proj Three].id", equals: ["${last_id}"]}
        - {path: "$.items[0].id", matches: "^prj_"}
        - {path: $.nextCursor, equals: null}
        - {path: "$.items[0].nope", exists: false}
        - {of: last, path: $.timezone, one_of: [UTC, America/New_York]}
  - request: GET /v1/projects
    as: beta
    expect: {that: [{path: $.items, count: 0}]}
  - request: GET /v1/projects/prj_00000000-0000-0000-0000-000000000000
    expect: 404
  - set: {later: "${now + PT36H}"}
  - advance: P1D
  - note: "a day later: ${now}"
  - advance: {to: "${later}"}
    as: acme
  - request: GET /_emulator/clock
    expect:
      that:
        - {path: $.now, equals: "2026-05-12T20:00:00Z"}
        - {path: $.now, within: [2026-05-12T00:00:00Z, 2026-05-13T00:00:00Z]}
  - request: GET /_emulator/clock
    as: beta
    expect: {that: [{path: $.now, equals: "2026-06-02T00:00:00.000Z"}]}
  - set: {deadline: "${now + PT2H}"}
  - poll: GET /_emulator/clock
    until: [{path: $.now, at_least: "${deadline}"}]
    every: PT30M
    timeout: PT3H
    capture: {polled: $.now}
  - expect: {that: [{of: polled, equals: "2026-05-12T22:00:00Z"}]}
  - loop: {range: [1, 4], as: k}
    steps:
      - advance: {seconds: "${k}"}
        as: beta
"""


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_scenario_using_every_step_kind_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, BASICS)
    code = main(["scenario", "run", str(path), "--no-progress", "--json", str(tmp_path / "out.json")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.startswith("PASS Basics (s.yaml, seed 3):")
    report = json.loads((tmp_path / "out.json").read_text())
    assert report["result"]["passed"] is True
    assert report["result"]["expectationsFailed"] == 0
    assert report["result"]["expectations"] >= 20
    assert report["tenants"]["beta"]["end"] == "2026-06-02T00:00:06.000Z"
    assert [n["text"] for n in report["notes"]] == ["a day later: 2026-05-12T08:00:00.000Z"]
    assert report["variables"]["polled"] == "2026-05-12T22:00:00.000Z"
    kinds = {s["kind"] for s in report["steps"]}
    assert kinds == {"request", "expect", "advance", "note", "poll"}


def test_a_failed_expectation_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, """\
name: Failing
steps:
  - request: POST /v1/projects
    body: {name: Acme App, timezone: UTC}
  - request: GET /v1/projects
    expect:
      that:
        - path: $.items
          count: 2
        - path: $.items[0].name
          equals: Acme App
  - request: GET /v1/no-such-route
""")
    code = main(["scenario", "run", str(path), "--no-progress"])
    out = capsys.readouterr().out
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"FAILED {path}:8: expected $.items to count 2, got 1 item(s)")
    assert lines[1].startswith(f"FAILED {path}:12: GET /v1/no-such-route: expected status 2xx, got 404")
    assert "note: the emulator has no route GET /v1/no-such-route" in out
    assert lines[-1].startswith("FAIL Failing (s.yaml, seed 0): 2/4 expectations held")


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        pytest.param("name: x\nsteps:\n  - request: GET /v1/projects\n    bogus: 1\n", 4, "unknown key 'bogus'", id="unknown-key"),
        pytest.param("name: x\nsteps:\n  - note: ok\n  - advance: P1Q\n", 4, "'P1Q' is not an ISO-8601 duration", id="bad-duration"),
        pytest.param("name: x\nsteps:\n  - request: GET /v1/projects\n    expect:\n      that:\n        - path: $.a\n", 6,
                     "an expectation needs one of", id="check-without-operator"),
        pytest.param("name: x\nsteps:\n  - requets: GET /v1/projects\n", 3, "a step starts with one of the keys", id="unknown-step"),
        pytest.param("name: x\nsteps:\n  - call: nothing\n", 3, "block 'nothing' is not defined", id="unknown-block"),
        pytest.param("name: x\nsteps:\n  - request: GET /v1/projects\n    as: ghost\n", 3, "tenant 'ghost' is not declared", id="unknown-tenant"),
        pytest.param("name: x\nsteps: [\n", 3, "not valid YAML", id="yaml-syntax"),
        pytest.param("name: x\nsteps:\n  - note: a\n    note: b\n", 4, "key 'note' appears twice", id="duplicate-key"),
        pytest.param("steps:\n  - note: a\n", 1, "'name' is required", id="no-name"),
        pytest.param("name: x\nstart: tomorrow\nsteps:\n  - note: a\n", 2, "'tomorrow' is not an ISO-8601", id="bad-start"),
    ],
)
def test_a_broken_file_gets_one_clear_error_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, line: int, fragment: str
) -> None:
    path = write(tmp_path, text)
    code = main(["scenario", "run", str(path), "--no-progress"])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    err = captured.err.strip().splitlines()
    assert len(err) == 1, captured.err
    assert err[0].startswith(f"layers-emulator: {path}:{line}: ")
    assert fragment in err[0]
    assert "Traceback" not in captured.err


def test_a_missing_file_and_a_bad_seed_are_clear_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "run", str(tmp_path / "nope.yaml"), "--no-progress"]) == 1
    assert "nope.yaml: no such file" in capsys.readouterr().err
    path = write(tmp_path, "name: x\nsteps:\n  - note: a\n")
    assert main(["scenario", "run", str(path), "--seed", "abc"]) == 1
    assert "--seed must be an integer, not 'abc'" in capsys.readouterr().err


def test_a_run_error_stops_the_run_and_names_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, """\
name: Run error
steps:
  - request: GET /v1/projects
    capture: {first: "$.items[0].id"}
  - note: never reached
""")
    assert main(["scenario", "run", str(path), "--no-progress"]) == 1
    out = capsys.readouterr().out
    assert f"FAILED {path}:3: capture 'first': $.items[0].id: no index 0 in []" in out
    assert "0 error" not in out and "1 error(s)" in out


def test_the_same_file_and_seed_give_the_same_json(tmp_path: Path) -> None:
    path = write(tmp_path, BASICS)
    first = build_json(run_scenario(str(path)))
    second = build_json(run_scenario(str(path)))
    assert "wall" in first and first["wall"]["elapsedSeconds"] > 0
    assert json.dumps(strip_wall(first), sort_keys=True) == json.dumps(strip_wall(second), sort_keys=True)
    other = build_json(run_scenario(str(path), seed=4))
    assert other["scenario"]["seed"] == 4
    assert other["variables"]["last_id"] != first["variables"]["last_id"]


def test_target_runs_against_a_running_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, BASICS)
    with ThreadedEmulator(HarnessSettings(start="2026-05-11T08:00:00Z", seed=3)) as server:
        code = main(["scenario", "run", str(path), "--no-progress", "--target", server.base_url])
    assert code == 0, capsys.readouterr().out


def test_target_that_does_not_answer_is_one_clear_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\nsteps:\n  - note: a\n")
    assert main(["scenario", "run", str(path), "--target", "http://127.0.0.1:9", "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("layers-emulator: no emulator answers at http://127.0.0.1:9")
    assert "Traceback" not in err


class _Tty:
    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass


def test_progress_bar_moves_through_loops_and_clears_itself(tmp_path: Path) -> None:
    from emulator.scenarios.cli import ProgressBar

    stream = _Tty()
    bar = ProgressBar(stream)  # type: ignore[arg-type]
    path = write(tmp_path, "name: p\nsteps:\n  - loop: {range: 3, as: d}\n    steps:\n      - advance: P1D\n")
    assert run_scenario(str(path), progress=bar).passed
    bar.close()
    frames = [f for f in stream.text.split("\r") if f.strip()]
    assert any("2026-05-12 00:00Z" in f for f in frames) and any("2026-05-14 00:00Z" in f for f in frames)
    assert frames[-1].startswith("[########################] 1/1")
    assert stream.text.endswith("\r")


def test_a_server_error_is_a_failure_at_the_step_that_caused_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from emulator.http import projects

    async def broken(call: object) -> None:
        raise ZeroDivisionError("kaboom")

    routes = [r if r.method != "GET" or r.path != "/v1/projects" else type(r)(**{**r.__dict__, "handler": broken})
              for r in projects.ROUTES]
    monkeypatch.setattr(projects, "ROUTES", routes)
    path = write(tmp_path, "name: Crash\nsteps:\n  - note: before\n  - request: GET /v1/projects\n    expect: 500\n")
    assert main(["scenario", "run", str(path), "--no-progress", "--json", str(tmp_path / "r.json")]) == 1
    out = capsys.readouterr().out
    assert f"FAILED {path}:4: the emulator failed on GET /v1/projects: ZeroDivisionError: kaboom" in out
    report = json.loads((tmp_path / "r.json").read_text())
    assert "Traceback" in report["result"]["failures"][0]["traceback"]
