"""Rendering errors into the Layers envelope, the one place that does it."""
from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from emulator.errors import ApiError


def envelope(code: str, message: str, request_id: str, details: dict[str, Any] | None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "requestId": request_id}
    if details:
        error["details"] = details
    return {"error": error}


def dumps(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def render(exc: ApiError, request_id: str, headers: dict[str, str] | None = None) -> Response:
    body = envelope(exc.code, exc.message, request_id, exc.details)
    merged = {"X-Request-Id": request_id, **(headers or {}), **exc.headers}
    return Response(dumps(body), status_code=exc.status, headers=merged, media_type="application/json")
