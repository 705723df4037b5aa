"""Cursor pagination: opaque base64url cursors over a keyset (sort value, insertion order).

Keyset cursors never skip or repeat an item while other requests insert: a page boundary is a
position in the order, not an offset.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from emulator.errors import Validation


@dataclass(frozen=True)
class PageRequest:
    cursor: dict[str, Any] | None
    limit: int


def encode_cursor(position: dict[str, Any]) -> str:
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> dict[str, Any]:
    try:
        padded = text + "=" * (-len(text) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except Exception:
        raise Validation("cursor is malformed; pass back nextCursor verbatim", path="cursor") from None
    if not isinstance(value, dict):
        raise Validation("cursor is malformed; pass back nextCursor verbatim", path="cursor")
    return value


def page_request(
    query: dict[str, str], *, default: int = 25, maximum: int = 100, minimum: int = 1
) -> PageRequest:
    raw_limit = query.get("limit")
    limit = default
    if raw_limit is not None:
        try:
            limit = int(raw_limit)
        except ValueError:
            raise Validation(f"limit must be an integer between {minimum} and {maximum}", path="limit") from None
        if not minimum <= limit <= maximum:
            raise Validation(f"limit must be between {minimum} and {maximum}", path="limit")
    cursor = query.get("cursor")
    return PageRequest(decode_cursor(cursor) if cursor else None, limit)
