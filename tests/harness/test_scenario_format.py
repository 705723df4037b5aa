"""The scenario format: the JSON Schema file, the path syntax, interpolation and operators."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.scenarios.lines import Loader
from emulator.scenarios.model import json_schema, parse
from emulator.scenarios.values import Missing, ValueError_, check, interpolate, resolve

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "scenarios" / "schema.json"
SHIPPED = sorted((REPO / "scenarios").glob("*.yaml"))


def test_schema_file_is_the_one_the_model_generates() -> None:
    # regenerate with: python -m emulator.scenarios.model > scenarios/schema.json
    assert json.loads(SCHEMA.read_text()) == json.loads(json.dumps(json_schema()))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_scenarios_load_and_match_the_schema(path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    parse(path.read_text(), str(path))
    document = json.loads(json.dumps(yaml.load(path.read_text(), Loader=Loader)))  # noqa: S506
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))


DATA = {"items": [{"id": "a", "status": "ready", "n": 1}, {"id": "b", "status": "failed", "n": 2}],
        "meta": {"next": None, "weird key": 3}}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("$", DATA),
        ("$.items[0].id", "a"),
        ("$.items[-1].id", "b"),
        ("$.items[*].status", ["ready", "failed"]),
        ("$.items[?status=ready].id", ["a"]),
        ("$.items[?status!=ready].n", [2]),
        ("$.items[?n=2].id", ["b"]),
        ("$.items.length", 2),
        ("$.meta.next", None),
        ("$.meta['weird key']", 3),
        ("$.items[*].missing", []),
        ("$.items[?status=failed][0].id", "b"),
        ("$.items[?status=ready].length", 1),
        ("$.items[*].id[-1]", "b"),
        ("$.items[?status=failed&n=2].id", ["b"]),
        ("$.items[?status=failed&n=1].id", []),
    ],
)
def test_paths(path: str, value: object) -> None:
    assert resolve(DATA, path) == value


@pytest.mark.parametrize("path", ["$.nope", "$.items[5]", "$.meta.next.deeper"])
def test_missing_paths_say_what_is_missing(path: str) -> None:
    with pytest.raises(Missing, match="no "):
        resolve(DATA, path)


def test_interpolation_keeps_types_and_does_time_arithmetic() -> None:
    variables = {"ids": ["a", "b"], "n": 3, "p": {"id": "prj_1"}, "t": "2026-05-11T10:00:00Z"}
    assert interpolate("${ids}", variables) == ["a", "b"]
    assert interpolate({"x": "${n}", "y": "n=${n}", "z": "${p.id}/x"}, variables) == {"x": 3, "y": "n=3", "z": "prj_1/x"}
    assert interpolate("${t + PT90M}", variables) == "2026-05-11T11:30:00.000Z"
    assert interpolate("${t - P1D}", variables) == "2026-05-10T10:00:00.000Z"
    assert interpolate("${ids[1]}", variables) == "b"
    with pytest.raises(ValueError_, match="variable 'nope' is not set"):
        interpolate("${nope}", variables)


@pytest.mark.parametrize(
    ("operator", "actual", "expected", "held"),
    [
        ("equals", 1, 1.0, True),
        ("equals", "2026-05-11T10:00:00Z", "2026-05-11T10:00:00.000Z", True),
        ("equals", True, 1, False),
        ("contains", "hello world", "lo w", True),
        ("contains", [{"a": 1, "b": 2}], {"a": 1}, True),
        ("contains", {"a": {"b": 1, "c": 2}}, {"a": {"b": 1}}, True),
        ("count", [1, 2, 3], 3, True),
        ("at_least", 5, 5, True),
        ("at_least", "2026-05-11T10:00:00Z", "2026-05-11T11:00:00Z", False),
        ("at_most", 4.5, 5, True),
        ("within", "2026-05-11T10:00:00Z", ["2026-05-11T09:00:00Z", "2026-05-11T10:00:00Z"], True),
        ("within", 11, [1, 10], False),
        ("one_of", "warm", ["warm", "hot"], True),
        ("all_in", ["10:00", "15:00"], ["10:00", "15:00", "19:00"], True),
        ("all_in", ["10:00", "11:00"], ["10:00", "15:00"], False),
        ("matches", "prj_123", "^prj_\\d+$", True),
        ("not_equals", "a", "b", True),
        ("at_least", "text", 1, False),
    ],
)
def test_operators(operator: str, actual: object, expected: object, held: bool) -> None:
    assert check(operator, actual, expected, True)[0] is held


def test_absent_values_fail_every_operator_but_exists_false() -> None:
    assert check("equals", None, None, False)[0] is False
    assert check("exists", None, False, False)[0] is True
    assert check("exists", None, True, False)[0] is False
