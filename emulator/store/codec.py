"""JSON for the document tables, the timeline and timer payloads: orjson, several times faster
than the standard library at both ends (a posting week encodes and decodes a few hundred
thousand documents). The text is compact JSON that SQLite's json functions read as before;
anything orjson refuses (an integer beyond 64 bits; reading NaN) goes through the standard library."""
from __future__ import annotations

import json
from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> str:
    try:
        return orjson.dumps(value, option=_OPTIONS).decode()
    except TypeError:
        return json.dumps(value)


def loads(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # NaN or Infinity, which only the standard library writes
        return json.loads(text)
