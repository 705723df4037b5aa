"""Reusable validated field types for request bodies."""
from __future__ import annotations

import json
import re
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, Field, StringConstraints

_ZONES: set[str] | None = None


def _timezone(value: str) -> str:
    global _ZONES
    if _ZONES is None:
        _ZONES = set(available_timezones()) | {"UTC"}
    if value not in _ZONES:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not an IANA time zone (e.g. America/New_York, UTC)") from None
    return value


_BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-[A-Za-z0-9]{5,8})*$")


def _language(value: str) -> str:
    if not _BCP47.match(value):
        raise ValueError(f"'{value}' is not a BCP-47 language tag (e.g. en, en-US, pt-BR)")
    return value


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"'{value}' is not an email address")
    return value


def _metadata(value: dict[str, Any]) -> dict[str, Any]:
    if len(json.dumps(value).encode()) > 8 * 1024:
        raise ValueError("metadata must serialise to at most 8 KB of JSON")
    return value


Timezone = Annotated[str, AfterValidator(_timezone)]
Language = Annotated[str, AfterValidator(_language)]
Email = Annotated[str, AfterValidator(_email)]
Metadata = Annotated[dict[str, Any], AfterValidator(_metadata)]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]


def text(lo: int, hi: int) -> Any:
    return Annotated[str, StringConstraints(min_length=lo, max_length=hi)]


def bounded(lo: int, hi: int) -> Any:
    return Annotated[int, Field(ge=lo, le=hi)]
