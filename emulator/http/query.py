"""Query-string parsing with errors in the envelope (`VALIDATION`, path = the parameter)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from emulator.clock import parse_instant
from emulator.errors import Validation


def enum(query: dict[str, str], name: str, allowed: Iterable[str], default: str | None = None) -> str | None:
    value = query.get(name)
    if value is None or value == "":
        return default
    options = list(allowed)
    if value not in options:
        raise Validation(f"{name} must be one of {', '.join(options)}.", path=name)
    return value


def integer(query: dict[str, str], name: str, lo: int, hi: int, default: int | None = None) -> int | None:
    value = query.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise Validation(f"{name} must be an integer between {lo} and {hi}.", path=name) from None
    if not lo <= number <= hi:
        raise Validation(f"{name} must be between {lo} and {hi}.", path=name)
    return number


def boolean(query: dict[str, str], name: str, default: bool = False) -> bool:
    value = query.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise Validation(f"{name} must be true or false.", path=name)


def instant(query: dict[str, str], name: str, *, z_only: bool = False) -> datetime | None:
    value = query.get(name)
    if value is None or value == "":
        return None
    if z_only and not value.endswith("Z"):
        raise Validation(f"{name} must be an ISO-8601 UTC date-time ending in Z.", path=name)
    try:
        return parse_instant(value)
    except ValueError as exc:
        raise Validation(str(exc), path=name) from None


def listing(query: dict[str, str], name: str) -> list[str]:
    """Comma-separated lists (`?platform=tiktok,instagram`)."""
    value = query.get(name)
    if not value:
        return []
    return [v.strip() for v in value.split(",") if v.strip()]
