"""Values in a scenario: `${...}` interpolation, the path syntax (`$.items[0].id`,
`$.items[*].status`, `$.items[?status=ready]`) and the expectation operators. Pure functions."""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from emulator.clock import iso, parse_duration, parse_instant


class ValueError_(Exception):  # noqa: N801 - not the builtin; a scenario-level problem
    """A variable or path that cannot be resolved (a run error naming the expression)."""


class Missing(ValueError_):
    pass


_TOKEN = re.compile(
    r"\.(?P<key>[A-Za-z_$][\w$-]*)"
    r"|\[(?P<index>-?\d+)\]"
    r"|\[(?P<star>\*)\]"
    r"|\[\?(?P<filter>[^\]]+)\]"
    r"|\[(?P<qkey>'[^']*'|\"[^\"]*\")\]"
)


def parse_path(path: str) -> list[tuple[str, Any]]:
    text = path.strip()
    if not text.startswith("$"):
        raise ValueError_(f"a path starts with '$' (got {path!r})")
    pos, steps = 1, []
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ValueError_(f"cannot read the path {path!r} at {text[pos:]!r}")
        if m.group("key") is not None:
            steps.append(("key", m.group("key")))
        elif m.group("index") is not None:
            steps.append(("index", int(m.group("index"))))
        elif m.group("star"):
            steps.append(("star", None))
        elif m.group("qkey") is not None:
            steps.append(("key", m.group("qkey")[1:-1]))
        else:
            steps.append(("filter", [_condition(c, path) for c in m.group("filter").split("&")]))
        pos = m.end()
    return steps


_CONDITION = re.compile(r"^\s*(?P<key>[\w.$-]+)\s*(?P<op>!=|=)\s*(?P<value>.*?)\s*$")


def _condition(text: str, path: str) -> tuple[str, str, Any]:
    m = _CONDITION.match(text)
    if not m:
        raise ValueError_(f"cannot read the filter [?{text}] in {path!r}: write [?key=value] or [?a=1&b!=2]")
    return m.group("key"), m.group("op"), _literal(m.group("value"))


def _literal(text: str) -> Any:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    try:
        return json.loads(text)
    except ValueError:
        return text


def resolve(data: Any, path: str) -> Any:
    """The value at `path`; raises `Missing` when a key or index is absent. After `[*]` or a
    filter the result is a list of matches: `.key` applies to each match (skipping those without
    it), `[n]` picks the n-th match and `.length` counts them."""
    values, multi = [data], False
    for kind, arg in parse_path(path):
        if multi and (kind == "index" or (kind == "key" and arg == "length")):
            # after [*] or a filter, `[n]` picks the n-th match and `.length` counts the matches
            if kind == "key":
                values, multi = [len(values)], False
            elif -len(values) <= arg < len(values):
                values, multi = [values[arg]], False
            else:
                raise Missing(f"{path}: no match number {arg} (there are {len(values)})")
            continue
        nxt: list[Any] = []
        for value in values:
            if kind == "key":
                if isinstance(value, Mapping) and arg in value:
                    nxt.append(value[arg])
                elif arg == "length" and isinstance(value, (list, str, Mapping)):
                    nxt.append(len(value))
                elif not multi:
                    raise Missing(f"{path}: no key '{arg}' in {_short(value)}")
            elif kind == "index":
                if isinstance(value, list) and -len(value) <= arg < len(value):
                    nxt.append(value[arg])
                elif not multi:
                    raise Missing(f"{path}: no index {arg} in {_short(value)}")
            elif kind == "star":
                if isinstance(value, list):
                    nxt.extend(value)
                elif isinstance(value, Mapping):
                    nxt.extend(value.values())
                elif not multi:
                    raise Missing(f"{path}: [*] needs a list, got {_short(value)}")
            else:
                if not isinstance(value, list):
                    if not multi:
                        raise Missing(f"{path}: a filter needs a list, got {_short(value)}")
                    continue
                nxt.extend(item for item in value if all(_holds(item, c) for c in arg))
        if kind in ("star", "filter"):
            multi = True
        values = nxt
    return values if multi else values[0]


_ABSENT = object()


def _holds(item: Any, condition: tuple[str, str, Any]) -> bool:
    key, op, expected = condition
    try:
        got = resolve(item, "$." + key)
    except Missing:
        got = _ABSENT
    return same(got, expected) == (op == "=")


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, default=str, sort_keys=True) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- interpolation ----------------------------------------------------------------------------

_EXPR = re.compile(r"\$\{\s*([^}]*?)\s*\}")
_OFFSET = re.compile(r"^(?P<base>.+?)\s*(?P<sign>[+-])\s*(?P<dur>P[0-9WDTHMS.]+)$", re.I)


def evaluate(expr: str, variables: Mapping[str, Any], special: Callable[[str], Any] | None = None) -> Any:
    """`name`, `name.field[0]`, `now`, `now + PT2H`, `start - P1D`, `uuid`."""
    m = _OFFSET.match(expr)
    if m:
        base = evaluate(m.group("base"), variables, special)
        try:
            instant = base if isinstance(base, datetime) else parse_instant(str(base))
            delta = parse_duration(m.group("dur"))
        except ValueError as exc:
            raise ValueError_(f"${{{expr}}}: {exc}") from None
        return iso(instant + delta if m.group("sign") == "+" else instant - delta)
    head = re.match(r"^[A-Za-z_]\w*", expr)
    if not head:
        raise ValueError_(f"${{{expr}}} is not a variable (letters, digits and _, then .field or [n])")
    name, rest = head.group(0), expr[head.end():]
    if name in variables:
        value = variables[name]
    elif special is not None and (value := special(name)) is not None:
        pass
    else:
        known = ", ".join(sorted(variables)) or "none"
        raise ValueError_(f"${{{expr}}}: variable '{name}' is not set (set so far: {known})")
    if rest:
        try:
            return resolve(value, "$" + rest)
        except Missing as exc:
            raise ValueError_(f"${{{expr}}}: {exc}") from None
    return value


def interpolate(value: Any, variables: Mapping[str, Any], special: Callable[[str], Any] | None = None) -> Any:
    """Replace `${...}` in every string of `value`. A string that is exactly one `${...}` takes the
    value's own type (a list stays a list)."""
    if isinstance(value, str):
        whole = _EXPR.fullmatch(value.strip())
        if whole and value.strip() == value:
            return evaluate(whole.group(1), variables, special)
        return _EXPR.sub(lambda m: _text(evaluate(m.group(1), variables, special)), value)
    if isinstance(value, Mapping):
        return {interpolate(k, variables, special): interpolate(v, variables, special) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, variables, special) for v in value]
    return value


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, datetime):
        return iso(value) or ""
    return json.dumps(value, sort_keys=True)


# --- comparing ---------------------------------------------------------------------------------

def _instant(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) >= 16 and value[4:5] == "-" and "T" in value:
        try:
            return parse_instant(value)
        except ValueError:
            return None
    return None


def same(a: Any, b: Any) -> bool:
    """Deep equality where 1 == 1.0 and two spellings of one instant are equal."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b if isinstance(a, bool) and isinstance(b, bool) else False
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    ta, tb = _instant(a), _instant(b)
    if ta is not None and tb is not None:
        return ta == tb
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _subset(part: Mapping[str, Any], whole: Any) -> bool:
    return isinstance(whole, Mapping) and all(k in whole and (
        _subset(v, whole[k]) if isinstance(v, Mapping) else same(whole[k], v)) for k, v in part.items())


def _order(value: Any) -> float | datetime:
    t = _instant(value)
    if t is not None:
        return t
    if isinstance(value, bool):
        raise TypeError("a boolean has no order")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        return float(value)
    raise TypeError(f"{_short(value)} is neither a number nor an ISO instant")


def _compare(op: Callable[[Any, Any], bool], actual: Any, bound: Any) -> bool:
    a, b = _order(actual), _order(bound)
    if type(a) is not type(b):
        raise TypeError(f"cannot compare {_short(actual)} with {_short(bound)}")
    return op(a, b)


def check(operator: str, actual: Any, expected: Any, present: bool) -> tuple[bool, str]:
    """Apply one operator. Answers (held, what was expected, in words)."""
    if operator == "exists":
        return present == bool(expected), "to exist" if expected else "to be absent"
    if not present:
        return False, _describe(operator, expected)
    try:
        if operator == "equals":
            ok = same(actual, expected)
        elif operator == "not_equals":
            ok = not same(actual, expected)
        elif operator == "contains":
            if isinstance(actual, str):
                ok = isinstance(expected, str) and expected in actual
            elif isinstance(actual, list):
                ok = any(_subset(expected, x) if isinstance(expected, Mapping) else same(x, expected) for x in actual)
            elif isinstance(actual, Mapping):
                ok = _subset(expected, actual) if isinstance(expected, Mapping) else expected in actual
            else:
                ok = False
        elif operator == "count":
            ok = isinstance(actual, (list, Mapping, str)) and len(actual) == int(expected)
        elif operator == "at_least":
            ok = _compare(lambda a, b: a >= b, actual, expected)
        elif operator == "at_most":
            ok = _compare(lambda a, b: a <= b, actual, expected)
        elif operator in ("within", "one_of", "all_in") and not isinstance(expected, list):
            raise TypeError(f"'{operator}' needs a list, got {_short(expected)}")
        elif operator == "within":
            ok = _compare(lambda a, b: a >= b, actual, expected[0]) and _compare(lambda a, b: a <= b, actual, expected[1])
        elif operator == "one_of":
            ok = any(same(actual, e) for e in expected)
        elif operator == "all_in":
            ok = isinstance(actual, list) and all(any(same(a, e) for e in expected) for a in actual)
        elif operator == "matches":
            ok = re.search(str(expected), actual if isinstance(actual, str) else _text(actual)) is not None
        else:  # pragma: no cover - the model allows only the operators above
            raise ValueError_(f"unknown operator {operator}")
    except (TypeError, ValueError) as exc:
        return False, f"{_describe(operator, expected)} ({exc})"
    return ok, _describe(operator, expected)


def _describe(operator: str, expected: Any) -> str:
    words = {
        "equals": "to equal", "not_equals": "not to equal", "contains": "to contain", "count": "to count",
        "at_least": "to be at least", "at_most": "to be at most", "within": "to be within",
        "one_of": "to be one of", "all_in": "to hold only values from", "matches": "to match",
    }
    return f"{words.get(operator, operator)} {_short(expected)}"


def actual_text(value: Any, operator: str) -> str:
    if operator == "count" and isinstance(value, (list, Mapping, str)):
        return f"{len(value)} item(s): {_short(value)}"
    return _short(value)
