"""Domain errors: one class, one code each, rendered into the Layers envelope in one place
(`emulator.http.errors`). Nothing here knows about HTTP frameworks."""
from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error the API answers with `{"error": {code, message, requestId, details?}}`."""

    code = "INTERNAL"
    status = 500

    def __init__(
        self,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = headers or {}
        if status is not None:
            self.status = status


class Unauthenticated(ApiError):
    code, status = "UNAUTHENTICATED", 401


class ForbiddenScope(ApiError):
    code, status = "FORBIDDEN_SCOPE", 403


class Validation(ApiError):
    code, status = "VALIDATION", 422

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        issues: list[dict[str, Any]] | None = None,
        status: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        if issues is None:
            issues = [{"path": path or "", "message": message}]
        details: dict[str, Any] = {"issues": issues}
        if extra:
            details.update(extra)
        super().__init__(message, details=details, status=status)


class IdempotencyRequired(ApiError):
    code, status = "IDEMPOTENCY_REQUIRED", 400


class IdempotencyConflict(ApiError):
    code, status = "IDEMPOTENCY_CONFLICT", 409


class BillingExhausted(ApiError):
    code, status = "BILLING_EXHAUSTED", 402


class ApprovalRequired(ApiError):
    code, status = "APPROVAL_REQUIRED", 403


class ContentRejected(ApiError):
    code, status = "CONTENT_REJECTED", 409


class ReturnUrlNotAllowed(ApiError):
    code, status = "RETURN_URL_NOT_ALLOWED", 403


class NotFound(ApiError):
    code, status = "NOT_FOUND", 404

    def __init__(self, message: str = "Resource not found.", **kw: Any) -> None:
        super().__init__(message, **kw)


class Conflict(ApiError):
    code, status = "CONFLICT", 409


class RateLimited(ApiError):
    code, status = "RATE_LIMITED", 429


class KillSwitch(ApiError):
    code, status = "KILL_SWITCH", 503


class PlatformError(ApiError):
    code, status = "PLATFORM_ERROR", 502


class PlatformRejected(ApiError):
    code, status = "PLATFORM_REJECTED", 422


class MethodNotAllowed(ApiError):
    code, status = "METHOD_NOT_ALLOWED", 405


class PayloadTooLarge(ApiError):
    code, status = "PAYLOAD_TOO_LARGE", 413


class Internal(ApiError):
    code, status = "INTERNAL", 500


def custom(code: str, status: int, message: str, details: dict[str, Any] | None = None) -> ApiError:
    """An error with a route-specific code (e.g. `NOT_A_SLIDESHOW`, `MISSING_APP_DEMO`)."""
    err = ApiError(message, details=details, status=status)
    err.code = code
    return err
