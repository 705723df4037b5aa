"""Scenario files: YAML → a validated model that remembers the line of every mapping.

`load(path)` parses with a line-tracking PyYAML loader, validates with pydantic and raises
`ScenarioError("file:line: one clear sentence")` for anything wrong; it never lets a traceback
out. The JSON Schema in `scenarios/schema.json` is generated from these models
(`python -m emulator.scenarios.model > scenarios/schema.json`).
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from emulator.clock import parse_duration, parse_instant
from emulator.scenarios.lines import DuplicateKey, LineDict, LineList, Loader

STEP_KINDS = ("request", "advance", "expect", "poll", "loop", "call", "set", "note")
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
OPERATORS = ("equals", "not_equals", "contains", "count", "at_least", "at_most", "within", "exists",
             "one_of", "all_in", "matches")
_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


class ScenarioError(Exception):
    """A broken scenario file: the message is `file:line: what is wrong`."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file, self.line, self.message = file, line, message
        super().__init__(f"{file}:{line}: {message}" if line else f"{file}: {message}")


def _clean(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the step-kind tag pydantic puts after a step's index (`steps.3.request.body`)."""
    out: list[Any] = []
    for i, part in enumerate(loc):
        if part in STEP_KINDS and i >= 2 and isinstance(loc[i - 1], int) and loc[i - 2] == "steps":
            continue
        out.append(part)
    return tuple(out)


def walk_loc(data: Any, loc: tuple[Any, ...]) -> tuple[int | None, list[Any]]:
    """Along an error location: the line of the deepest node and the parts found in the data
    (union branch labels such as `int` or `Expect` are not in the data and are skipped)."""
    line = getattr(data, "line", None) or None
    node, found = data, []
    for part in _clean(loc):
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            continue
        found.append(part)
        line = getattr(node, "line", None) or line
    return line, found


def line_of(data: Any, loc: tuple[Any, ...]) -> int | None:
    return walk_loc(data, loc)[0]


# --- the model --------------------------------------------------------------------------------

class Node(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    _line: int = PrivateAttr(default=0)

    @model_validator(mode="wrap")
    @classmethod
    def _remember_line(cls, data: Any, handler: Any) -> Any:
        obj = handler(data)
        if isinstance(data, LineDict) and isinstance(obj, Node):
            obj._line = data.line
        return obj

    @property
    def line(self) -> int:
        return self._line


def method_path(value: str) -> str:
    method, _, path = value.strip().partition(" ")
    if method.upper() not in METHODS or not path.strip().startswith("/"):
        raise ValueError(f"write the request as 'METHOD /path' with METHOD one of {', '.join(METHODS)}")
    return f"{method.upper()} {path.strip()}"


class Check(Node):
    """One expectation on a value: the value at `path` of the last response (or of variable `of`)."""

    path: str = Field("$", description="where the value is: `$`, `$.items[0].id`, `$.items[*].status`, `$.items[?status=ready]`")
    of: str | None = Field(None, description="check a variable (or an expression like `${x}`) instead of the last response")
    equals: Any = None
    not_equals: Any = None
    contains: Any = Field(None, description="a substring, a list element, or a sub-mapping")
    count: int | str | None = Field(None, description="the number of items (of a list, mapping or string)")
    at_least: float | str | None = Field(None, description="a number or an ISO instant")
    at_most: float | str | None = None
    within: list[Any] | str | None = Field(None, description="[low, high], inclusive; numbers or ISO instants")
    exists: bool | None = None
    one_of: list[Any] | str | None = Field(None, description="a list, or `${variable}` holding one")
    all_in: list[Any] | str | None = Field(None, description="every element of the list at `path` is one of these")
    matches: str | None = Field(None, description="a regular expression searched in the value")
    message: str | None = Field(None, description="what this expectation means, for the report")

    @model_validator(mode="after")
    def _one_operator(self) -> Check:
        given = [op for op in OPERATORS if op in self.model_fields_set]
        if not given:
            raise ValueError(f"an expectation needs one of: {', '.join(OPERATORS)}")
        if isinstance(self.within, list) and len(self.within) != 2:
            raise ValueError("'within' takes [low, high]")
        if self.matches is not None:
            try:
                re.compile(self.matches)
            except re.error as exc:
                raise ValueError(f"'matches' is not a valid regular expression: {exc}") from None
        return self

    @property
    def operators(self) -> list[str]:
        return [op for op in OPERATORS if op in self.model_fields_set]


class Expect(Node):
    status: int | list[int] | None = Field(None, description="the HTTP status (or any of a list)")
    that: list[Check] = Field(default_factory=list)


class RequestStep(Node):
    request: str = Field(description="`METHOD /path` (the path may hold ${variables})")
    as_: str | None = Field(None, alias="as", description="the tenant that sends it (default: the first)")
    name: str | None = None
    body: Any = None
    headers: dict[str, str] = Field(default_factory=dict)
    query: dict[str, Any] = Field(default_factory=dict)
    expect: int | Expect | None = Field(None, description="default: any 2xx status")
    capture: dict[str, str] = Field(default_factory=dict, description="variable → path in the response")

    @field_validator("request")
    @classmethod
    def _method_path(cls, value: str) -> str:
        return method_path(value)

    @field_validator("capture")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not re.match(_NAME, name):
                raise ValueError(f"variable name {name!r} must be letters, digits and _")
        return value


class AdvanceSpec(Node):
    seconds: float | str | None = None
    duration: str | None = None
    to: str | None = None

    @model_validator(mode="after")
    def _one(self) -> AdvanceSpec:
        if sum(v is not None for v in (self.seconds, self.duration, self.to)) != 1:
            raise ValueError("advance needs exactly one of seconds, duration or to")
        if self.duration is not None and "${" not in self.duration:
            parse_duration(self.duration)
        if self.to is not None and "${" not in self.to:
            parse_instant(self.to)
        return self


class AdvanceStep(Node):
    advance: str | AdvanceSpec = Field(description="an ISO-8601 duration (`P1D`, `PT30M`) or {seconds|duration|to}")
    as_: str | None = Field(None, alias="as", description="only this tenant (default: every tenant)")
    name: str | None = None

    @field_validator("advance")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        if isinstance(value, str) and "${" not in value:
            parse_duration(value)
        return value


class ExpectStep(Node):
    expect: Expect
    name: str | None = None


class PollStep(Node):
    """Send a request again and again, advancing the clock by `every` in between, until the checks hold."""

    poll: str = Field(description="`METHOD /path`")
    as_: str | None = Field(None, alias="as")
    name: str | None = None
    query: dict[str, Any] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=dict)
    until: list[Check] = Field(min_length=1)
    every: str = "PT30S"
    timeout: str = "PT1H"
    capture: dict[str, str] = Field(default_factory=dict)

    @field_validator("every", "timeout")
    @classmethod
    def _durations(cls, value: str) -> str:
        if parse_duration(value).total_seconds() <= 0:
            raise ValueError("must be a positive duration")
        return value

    @field_validator("poll")
    @classmethod
    def _method_path(cls, value: str) -> str:
        return method_path(value)


class LoopSpec(Node):
    over: list[Any] | str | None = Field(None, description="a list, or `${variable}` holding one")
    range: int | str | list[int | str] | None = Field(None, description="N (0..N-1), [start, stop] (stop excluded) or [start, stop, step]; may use ${variables}")
    as_: str = Field("item", alias="as", pattern=_NAME)
    index: str | None = Field(None, pattern=_NAME, description="variable for the 0-based position")

    @model_validator(mode="after")
    def _one(self) -> LoopSpec:
        if (self.over is None) == (self.range is None):
            raise ValueError("a loop needs exactly one of 'over' or 'range'")
        if isinstance(self.range, list) and len(self.range) not in (2, 3):
            raise ValueError("range is N, [start, stop] or [start, stop, step]")
        return self


class LoopStep(Node):
    loop: LoopSpec
    steps: list[Step] = Field(min_length=1)
    name: str | None = None


class CallStep(Node):
    call: str = Field(description="the name of a block")
    with_: dict[str, Any] = Field(default_factory=dict, alias="with")
    as_: str | None = Field(None, alias="as", description="default tenant inside the block")
    name: str | None = None


class SetStep(Node):
    set: dict[str, Any]
    name: str | None = None


class NoteStep(Node):
    note: str = Field(description="a label on the run timeline")


def _step_kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return next((k for k in STEP_KINDS if k in type(value).model_fields), None)
    if not isinstance(value, dict):
        return None
    # `expect` is also a key of request steps: it names the kind only when nothing else does
    return next((k for k in STEP_KINDS if k != "expect" and k in value), "expect" if "expect" in value else None)


Step = Annotated[
    Annotated[RequestStep, Tag("request")]
    | Annotated[AdvanceStep, Tag("advance")]
    | Annotated[ExpectStep, Tag("expect")]
    | Annotated[PollStep, Tag("poll")]
    | Annotated[LoopStep, Tag("loop")]
    | Annotated[CallStep, Tag("call")]
    | Annotated[SetStep, Tag("set")]
    | Annotated[NoteStep, Tag("note")],
    Discriminator(
        _step_kind,
        custom_error_type="step_kind",
        custom_error_message=f"a step starts with one of the keys {', '.join(STEP_KINDS)}",
    ),
]


class Block(Node):
    params: list[str] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)


class TenantSpec(Node):
    start: str | None = Field(None, description="start of this tenant's clock (default: the scenario's)")
    scopes: list[str] | None = None

    @field_validator("start")
    @classmethod
    def _instant(cls, value: str | None) -> str | None:
        if value is not None:
            parse_instant(value)
        return value


class Scenario(Node):
    name: str
    description: str = ""
    seed: int = Field(0, description="default seed; `--seed` overrides it")
    start: str = Field("2026-05-11T00:00:00Z", description="start of every tenant's virtual clock")
    tenants: dict[str, TenantSpec] = Field(default_factory=lambda: {"main": TenantSpec(start=None)},
                                           description="named tenants, each its own key; the first is the default")
    vars: dict[str, Any] = Field(default_factory=dict)
    blocks: dict[str, Block] = Field(default_factory=dict)
    steps: list[Step] = Field(min_length=1)

    @field_validator("start")
    @classmethod
    def _instant(cls, value: str) -> str:
        parse_instant(value)
        return value

    @field_validator("tenants", "blocks", "vars")
    @classmethod
    def _keys(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key in value:
            if not isinstance(key, str) or not re.match(_NAME, key):
                raise ValueError(f"name {key!r} must be letters, digits and _")
        return value

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        if not self.tenants:
            raise ValueError("tenants must name at least one tenant")
        return self

    @property
    def default_tenant(self) -> str:
        return next(iter(self.tenants))


for _model in (LoopStep, Block, Scenario):
    _model.model_rebuild()


# --- loading ----------------------------------------------------------------------------------

def _message(raw: Any, err: dict[str, Any]) -> tuple[int | None, str]:
    line, found = walk_loc(raw, tuple(err["loc"]))
    where = ".".join(str(p) for p in found)
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        key = _clean(tuple(err["loc"]))[-1]
        return line, f"unknown key '{key}'" + (f" in {where.rsplit('.', 1)[0]}" if "." in where else "")
    if err["type"] == "missing":
        name = _clean(tuple(err["loc"]))[-1]
        return line, f"'{name}' is required" + (f" in {where}" if where else "")
    return line, f"{where}: {msg}" if where else msg


def _first_error(exc: ValidationError) -> dict[str, Any]:
    """Of a union's errors, the one that got furthest into the data."""
    errors: list[dict[str, Any]] = [dict(e) for e in exc.errors(include_url=False)]
    return max(errors, key=lambda e: len(_clean(tuple(e["loc"]))))


def _refs(scenario: Scenario, raw: Any, file: str) -> None:
    """Names used before the run: tenants and blocks must exist, calls must pass every param."""

    def walk(steps: list[Any], raw_steps: Any) -> None:
        for i, step in enumerate(steps):
            raw_step = raw_steps[i] if isinstance(raw_steps, list) and i < len(raw_steps) else None
            line = getattr(raw_step, "line", None) or step.line
            tenant = getattr(step, "as_", None)
            if tenant and "${" not in tenant and tenant not in scenario.tenants:
                raise ScenarioError(file, line, f"tenant '{tenant}' is not declared under tenants "
                                                f"({', '.join(scenario.tenants)})")
            if isinstance(step, CallStep):
                block = scenario.blocks.get(step.call)
                if block is None:
                    raise ScenarioError(file, line, f"block '{step.call}' is not defined under blocks")
                missing = [p for p in block.params if p not in step.with_]
                unknown = [k for k in step.with_ if k not in block.params]
                if missing:
                    raise ScenarioError(file, line, f"call '{step.call}' needs {', '.join(missing)}")
                if unknown:
                    raise ScenarioError(file, line, f"block '{step.call}' takes no parameter {', '.join(unknown)}")
            if isinstance(step, LoopStep):
                walk(step.steps, raw_step.get("steps") if isinstance(raw_step, dict) else None)

    walk(scenario.steps, raw.get("steps") if isinstance(raw, dict) else None)
    for name, block in scenario.blocks.items():
        raw_block = raw.get("blocks", {}).get(name) if isinstance(raw, dict) else None
        walk(block.steps, raw_block.get("steps") if isinstance(raw_block, dict) else None)


def parse(text: str, file: str = "<scenario>") -> Scenario:
    try:
        raw = yaml.load(text, Loader=Loader)  # noqa: S506 - a SafeLoader subclass
    except DuplicateKey as exc:
        raise ScenarioError(file, exc.line, exc.message) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise ScenarioError(file, mark.line + 1 if mark else None, f"not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(file, None, f"not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ScenarioError(file, getattr(raw, "line", 1) or 1, "a scenario is a mapping with at least 'name' and 'steps'")
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        line, message = _message(raw, _first_error(exc))
        raise ScenarioError(file, line, message) from None
    _refs(scenario, raw, file)
    return scenario


def load(path: str | Path) -> Scenario:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(str(path), None, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), None, f"cannot read the file ({exc})") from None
    return parse(text, str(path))


def json_schema() -> dict[str, Any]:
    schema = TypeAdapter(Scenario).json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:layers-emulator:scenario:1",
        "title": "layers-emulator scenario",
        "description": "A scenario file run by `layers-emulator scenario run FILE` (see scenarios/README.md).",
        **{k: v for k, v in schema.items() if k != "title"},
    }


if __name__ == "__main__":
    print(json.dumps(json_schema(), indent=2, sort_keys=True))
