"""Rendering errors into the Layers envelope, the one place that does it."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from emulator import errors
from emulator.errors import ApiError

if TYPE_CHECKING:
    from emulator.emulator import Emulator


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


def exception_handlers(emu: Emulator) -> dict[Any, Any]:
    """Starlette's own 404/405 and any exception escaping the pipeline, in our envelope."""
    from emulator.http.api import unauth_request_id

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        rid = unauth_request_id(emu)
        if exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}."
            return render(errors.MethodNotAllowed(message), rid, dict(exc.headers or {}))
        if exc.status_code == 404:
            return render(errors.NotFound(f"No route {request.method} {request.url.path}."), rid)
        err = errors.ApiError(str(exc.detail), status=exc.status_code)
        err.code = "VALIDATION" if exc.status_code < 500 else "INTERNAL"
        return render(err, rid)

    async def crash(request: Request, exc: Exception) -> Response:
        rid = unauth_request_id(emu)
        emu.note_error(rid, request.method, request.url.path, exc)
        return render(errors.Internal("Internal error in the emulator; this is a bug."), rid)

    return {HTTPException: http_error, Exception: crash}
