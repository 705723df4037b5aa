"""Running a scenario: in process on a virtual clock (`create_app(Settings(db=":memory:",
clock="virtual", start=..., seed=...))` behind an ASGI transport), or against a running server
(`target`). Every step and expectation is recorded with its file and line; the report module
turns the result into JSON and HTML."""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from emulator.clock import iso, parse_duration, parse_instant
from emulator.harness import Backend, HarnessSettings, InProcessEmulator, RemoteEmulator, Tenant
from emulator.ids import uuid_from
from emulator.scenarios import model as m
from emulator.scenarios.values import Missing, ValueError_, actual_text, check, interpolate, resolve

Progress = Callable[[int, int, str, str], None]


class RunError(Exception):
    """A step that cannot go on (an unknown variable, a capture that found nothing)."""

    def __init__(self, line: int, message: str) -> None:
        self.line, self.message = line, message
        super().__init__(message)


@dataclass
class TenantRun:
    name: str
    tenant: Tenant
    now: datetime
    start: datetime


@dataclass
class RunResult:
    file: str
    scenario: m.Scenario
    seed: int
    target: str | None
    tenants: dict[str, TenantRun] = field(default_factory=dict)
    steps: list[dict[str, Any]] = field(default_factory=list)
    expectations: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)
    missing_routes: list[str] = field(default_factory=list)
    wall_elapsed: float = 0.0
    collected: dict[str, Any] = field(default_factory=dict)

    @property
    def failures(self) -> list[dict[str, Any]]:
        return [e for e in self.expectations if not e["ok"]] + self.errors

    @property
    def passed(self) -> bool:
        return not self.failures

    def failure_lines(self) -> list[str]:
        out = [f"{self.file}:{f['line']}: {f['message']}" for f in self.failures]
        return out


_MISSING = object()


class Runner:
    def __init__(self, scenario: m.Scenario, file: str, *, seed: int | None = None, target: str | None = None,
                 progress: Progress | None = None, collect: Callable[[Runner], dict[str, Any]] | None = None) -> None:
        self.scenario = scenario
        self.file = file
        self.seed = scenario.seed if seed is None else seed
        self.target = target
        self.progress = progress
        self.collect = collect
        self.result = RunResult(file, scenario, self.seed, target)
        self.vars: dict[str, Any] = {}
        self.last: httpx.Response | None = None
        self.last_json: Any = None
        self.uuids = 0
        self.default_tenant = scenario.default_tenant
        self.backend: Backend | None = None
        self._top, self._total = 0, len(scenario.steps)
        self._errors_seen = 0

    # --- the run -------------------------------------------------------------------------------

    def run(self) -> RunResult:
        began = time.perf_counter()
        settings = HarnessSettings(start=self.scenario.start, seed=self.seed)
        backend: Backend = RemoteEmulator(self.target, settings) if self.target else InProcessEmulator(settings)
        self.backend = backend
        backend.start()
        self._errors_seen = len(backend.server_errors)
        try:
            for name, spec in self.scenario.tenants.items():
                start = spec.start or self.scenario.start
                tenant = backend.tenant(start=start, scopes=spec.scopes, name=f"scenario:{name}")
                at = parse_instant(start)
                self.result.tenants[name] = TenantRun(name, tenant, at, at)
            self.vars.update(self._interp(self.scenario.vars, self.scenario.line))
            total = self._total = len(self.scenario.steps)
            for i, step in enumerate(self.scenario.steps):
                self._top = i
                if self.progress:
                    self.progress(i, total, _label(step), iso(self._tenant(None).now) or "")
                self._step(step)
            if self.progress:
                self.progress(total, total, "done", iso(self._tenant(None).now) or "")
        except RunError as exc:
            self.result.errors.append({"line": exc.line, "message": exc.message, "kind": "error"})
        finally:
            self.result.variables = _jsonable(self.vars)
            try:
                if self.collect is not None:
                    self.result.collected = self.collect(self)
            finally:
                self._server_errors(self.scenario.line or 1)  # anything left (during the report reads)
                for t in self.result.tenants.values():
                    t.tenant.close()
                backend.stop()
        self.result.wall_elapsed = time.perf_counter() - began
        return self.result

    def _tenant(self, name: str | None) -> TenantRun:
        return self.result.tenants[name or self.default_tenant]

    def _special(self, name: str) -> Any:
        if name == "now":
            return iso(self._tenant(None).now)
        if name == "seed":
            return self.seed
        if name == "uuid":
            self.uuids += 1
            return uuid_from(self.seed, "scenario-uuid", self.uuids)
        if name == "tenant":
            return self.default_tenant
        return None

    def _interp(self, value: Any, line: int) -> Any:
        try:
            return interpolate(value, self.vars, self._special)
        except ValueError_ as exc:
            raise RunError(line, str(exc)) from None

    def _step(self, step: Any) -> None:
        if isinstance(step, m.RequestStep):
            self._request(step)
        elif isinstance(step, m.AdvanceStep):
            self._advance(step)
        elif isinstance(step, m.ExpectStep):
            self._record_step(step, "expect", step.name or "expect")
            self._expect_block(step.expect, step.line, self.last, self.last_json)
        elif isinstance(step, m.PollStep):
            self._poll(step)
        elif isinstance(step, m.LoopStep):
            self._loop(step)
        elif isinstance(step, m.CallStep):
            self._call(step)
        elif isinstance(step, m.SetStep):
            for key, value in step.set.items():
                self.vars[key] = self._interp(value, step.line)
        elif isinstance(step, m.NoteStep):
            text = self._interp(step.note, step.line)
            self.result.notes.append({"line": step.line, "text": text, "at": iso(self._tenant(None).now)})
            self._record_step(step, "note", text)

    def _record_step(self, step: Any, kind: str, label: str, **extra: Any) -> dict[str, Any]:
        tenant = self._tenant(extra.pop("tenant", None))
        rec = {"seq": len(self.result.steps) + 1, "line": step.line, "kind": kind, "label": label,
               "tenant": tenant.name, "at": iso(tenant.now), **extra}
        self.result.steps.append(rec)
        if self.progress and kind in ("advance", "poll"):  # long runs move inside loops and blocks
            self.progress(self._top, self._total, label, rec["at"] or "")
        return rec

    # --- requests ------------------------------------------------------------------------------

    def _send(self, spec: str, tenant_name: str | None, line: int, body: Any = _MISSING,
              headers: dict[str, str] | None = None, query: dict[str, Any] | None = None) -> tuple[httpx.Response, Any, str, str]:
        method, _, path_template = spec.partition(" ")
        path = self._interp(path_template, line)
        kwargs: dict[str, Any] = {}
        if body is not _MISSING and body is not None:
            kwargs["json"] = self._interp(body, line)
        if headers:
            kwargs["headers"] = {k: str(v) for k, v in self._interp(headers, line).items()}
        if query:
            kwargs["params"] = {k: v for k, v in self._interp(query, line).items() if v is not None}
        tenant = self._tenant(self._interp(tenant_name, line) if tenant_name else None)
        try:
            response = tenant.tenant.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise RunError(line, f"{method} {path} did not get an answer: {exc}") from None
        try:
            data = response.json()
        except ValueError:
            data = response.text
        if response.status_code == 404 and isinstance(data, dict):
            message = str((data.get("error") or {}).get("message", ""))
            if message.startswith("No route "):
                route = f"{method} {path_template}"
                if route not in self.result.missing_routes:
                    self.result.missing_routes.append(route)
        self.last, self.last_json = response, data
        if response.status_code >= 500:
            self._server_errors(line)
        return response, data, method, path

    def _server_errors(self, line: int) -> None:
        """A 500 from the emulator is its bug: record the server traceback at this step's line."""
        assert self.backend is not None
        errors = self.backend.errors_since(self._errors_seen)
        self._errors_seen += len(errors)
        for err in errors:
            last = err.traceback.strip().splitlines()[-1] if err.traceback else "unknown error"
            self.result.errors.append({"line": line, "kind": "server-error", "traceback": err.traceback,
                                       "message": f"the emulator failed on {err.method} {err.path}: {last}"})

    def _request(self, step: m.RequestStep) -> None:
        tenant_name = self._interp(step.as_, step.line) if step.as_ else None
        response, data, method, path = self._send(step.request, tenant_name, step.line, step.body, step.headers, step.query)
        self._record_step(step, "request", step.name or f"{method} {path}", tenant=tenant_name, method=method,
                          path=path, status=response.status_code)
        expect = step.expect
        if expect is None:
            self._status(step.line, response, None, implicit=True)
        elif isinstance(expect, int):
            self._status(step.line, response, expect)
        else:
            self._expect_block(expect, step.line, response, data)
        self._capture(step.capture, data, step.line)

    def _capture(self, capture: dict[str, str], data: Any, line: int) -> None:
        for name, path in capture.items():
            try:
                self.vars[name] = resolve(data, self._interp(path, line))
            except (Missing, ValueError_) as exc:
                raise RunError(line, f"capture '{name}': {exc}") from None

    def _status(self, line: int, response: httpx.Response | None, expected: int | list[int] | None,
                implicit: bool = False) -> None:
        got = response.status_code if response is not None else None
        if expected is None:
            ok, wanted = got is not None and 200 <= got < 300, "2xx"
        else:
            allowed = expected if isinstance(expected, list) else [expected]
            ok, wanted = got in allowed, " or ".join(str(s) for s in allowed)
        where = f"{response.request.method} {response.request.url.path}" if response is not None else "no request yet"
        message = f"{where}: expected status {wanted}, got {got}"
        if not ok and response is not None:
            message += f" {_body_excerpt(response)}"
        self._expectation(line, "status", f"{where} status is {wanted}", ok, message, actual=got, implicit=implicit)

    def _expect_block(self, expect: m.Expect, line: int, response: httpx.Response | None, data: Any) -> None:
        if expect.status is not None:
            self._status(expect.line or line, response, expect.status)
        for c in expect.that:
            self._check(c, data)

    def _evaluate(self, c: m.Check, data: Any) -> list[tuple[str, bool, str, Any]]:
        """Each operator of a check: (operator, held, expectation in words, actual text)."""
        if c.of is not None:
            of = c.of if "${" in c.of else "${" + c.of + "}"
            data = self._interp(of, c.line)
        path = self._interp(c.path, c.line)
        try:
            actual, present = resolve(data, path), True
        except Missing:
            actual, present = None, False
        except ValueError_ as exc:
            raise RunError(c.line, str(exc)) from None
        out = []
        for op in c.operators:
            expected = self._interp(getattr(c, op), c.line)
            held, words = check(op, actual, expected, present)
            out.append((op, held, f"{path} {words}", actual_text(actual, op) if present else "nothing there"))
        return out

    def _check(self, c: m.Check, data: Any) -> None:
        for op, held, words, got in self._evaluate(c, data):
            what = f"{c.message}: " if c.message else ""
            self._expectation(c.line, op, words, held, f"{what}expected {words}, got {got}", actual=got)

    def _expectation(self, line: int, kind: str, description: str, ok: bool, message: str, **extra: Any) -> None:
        self.result.expectations.append({"seq": len(self.result.expectations) + 1, "line": line, "kind": kind,
                                         "description": description, "ok": ok, "message": message,
                                         "at": iso(self._tenant(None).now), **extra})

    # --- time ----------------------------------------------------------------------------------

    def _advance_tenant(self, run: TenantRun, body: dict[str, Any], line: int) -> dict[str, Any]:
        try:
            out = run.tenant.advance(**body)
        except Exception as exc:  # noqa: BLE001 - a refused advance is a run error with its line
            self._server_errors(line)
            raise RunError(line, f"advance {body} for tenant '{run.name}' failed: {str(exc).splitlines()[0]}") from None
        run.now = parse_instant(out["now"])
        return out

    def _advance(self, step: m.AdvanceStep) -> None:
        spec = step.advance
        if isinstance(spec, str):
            body: dict[str, Any] = {"duration": self._interp(spec, step.line)}
        else:
            body = {k: self._interp(v, step.line) for k, v in (("seconds", spec.seconds), ("duration", spec.duration),
                                                               ("to", spec.to)) if v is not None}
        names = [self._interp(step.as_, step.line)] if step.as_ else list(self.result.tenants)
        ran: dict[str, int] = {}
        for name in names:
            run = self._tenant(name)
            if "to" in body and parse_instant(str(body["to"])) <= run.now:
                continue
            for kind, n in self._advance_tenant(run, body, step.line).get("ran", {}).items():
                ran[kind] = ran.get(kind, 0) + int(n)
        label = step.name or f"advance {next(iter(body.values()))}"
        self._record_step(step, "advance", label, tenant=names[0] if step.as_ else None, ran=dict(sorted(ran.items())))

    def _poll(self, step: m.PollStep) -> None:
        every = parse_duration(step.every).total_seconds()
        timeout = parse_duration(step.timeout).total_seconds()
        tenant_name = self._interp(step.as_, step.line) if step.as_ else None
        run = self._tenant(tenant_name)
        waited, tries = 0.0, 0
        while True:
            tries += 1
            response, data, method, path = self._send(step.poll, tenant_name, step.line, headers=step.headers,
                                                      query=step.query)
            results = [r for c in step.until for r in self._evaluate(c, data)]
            if response.status_code < 400 and all(r[1] for r in results):
                break
            if waited + every > timeout:
                self._record_step(step, "poll", step.name or f"poll {method} {path}", tenant=tenant_name,
                                  tries=tries, waitedSeconds=waited, status=response.status_code)
                failed = [r for r in results if not r[1]]
                detail = "; ".join(f"expected {r[2]}, got {r[3]}" for r in failed) or _body_excerpt(response)
                self._expectation(step.line, "poll", f"{method} {path} until {len(step.until)} check(s) hold", False,
                                  f"{method} {path}: still not there after {step.timeout} "
                                  f"(status {response.status_code}): {detail}")
                return
            self._advance_tenant(run, {"seconds": every}, step.line)
            waited += every
        self._record_step(step, "poll", step.name or f"poll {method} {path}", tenant=tenant_name, tries=tries,
                          waitedSeconds=waited, status=response.status_code)
        self._expectation(step.line, "poll", f"{method} {path} until {len(step.until)} check(s) hold", True,
                          f"held after {waited:g} s")
        self._capture(step.capture, data, step.line)

    # --- structure -----------------------------------------------------------------------------

    def _scoped(self, values: dict[str, Any], body: Callable[[], None]) -> None:
        saved = {k: self.vars.get(k, _MISSING) for k in values}
        self.vars.update(values)
        try:
            body()
        finally:
            for k, v in saved.items():
                if v is _MISSING:
                    self.vars.pop(k, None)
                else:
                    self.vars[k] = v

    def _loop(self, step: m.LoopStep) -> None:
        spec = step.loop
        if spec.over is not None:
            items = self._interp(spec.over, spec.line or step.line)
            if isinstance(items, dict):
                items = list(items)
            if not isinstance(items, list):
                raise RunError(step.line, f"loop over {spec.over!r}: expected a list, got {type(items).__name__}")
        else:
            raw = self._interp(spec.range, spec.line or step.line)
            bounds = raw if isinstance(raw, list) else [raw]
            try:
                items = list(range(*[int(b) for b in bounds]))
            except (TypeError, ValueError):
                raise RunError(step.line, f"loop range {raw!r}: expected integers") from None
        for index, item in enumerate(items):
            values = {spec.as_: item}
            if spec.index:
                values[spec.index] = index

            def body() -> None:
                for inner in step.steps:
                    self._step(inner)

            self._scoped(values, body)

    def _call(self, step: m.CallStep) -> None:
        block = self.scenario.blocks[step.call]
        args = {k: self._interp(v, step.line) for k, v in step.with_.items()}
        previous = self.default_tenant
        if step.as_:
            self.default_tenant = self._interp(step.as_, step.line)

        def body() -> None:
            for inner in block.steps:
                self._step(inner)

        try:
            self._scoped(args, body)
        finally:
            self.default_tenant = previous


def _label(step: Any) -> str:
    for attr in ("name", "request", "poll", "note", "call"):
        value = getattr(step, attr, None)
        if isinstance(value, str) and value:
            return value
    if isinstance(step, m.AdvanceStep):
        return f"advance {step.advance if isinstance(step.advance, str) else step.advance.model_dump(exclude_none=True)}"
    if isinstance(step, m.LoopStep):
        return "loop"
    return type(step).__name__.removesuffix("Step").lower()


def _body_excerpt(response: httpx.Response, limit: int = 200) -> str:
    text = response.text.strip().replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def run_scenario(path: str, *, seed: int | None = None, target: str | None = None,
                 progress: Progress | None = None, collect: bool = True) -> RunResult:
    """Load and run a scenario file (raises `model.ScenarioError` for a broken file)."""
    from emulator.scenarios import report

    scenario = m.load(path)
    return Runner(scenario, path, seed=seed, target=target, progress=progress,
                  collect=report.collect if collect else None).run()
