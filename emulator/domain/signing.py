"""Webhook signatures (pure): `X-Layers-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]`.

The MAC is HMAC-SHA256 keyed with the endpoint's full signing secret (UTF-8 bytes) over
`"<t>.<raw body>"`, hex-encoded in lowercase. During a secret rotation the header carries one
`v1=` per secret that is still valid, so a receiver holding either secret accepts it.

Receivers (and tests) verify with `verify_signature(secret, header, body, now=...)`: pass the
emulator's `now` when it runs a virtual clock, since `t` comes from the tenant clock.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from datetime import datetime

TOLERANCE_SECONDS = 300  # the documented receiver window: reject `t` more than 5 min away


def _bytes(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


def mac(secret: str, timestamp: int, body: bytes | str) -> str:
    """Lowercase hex HMAC-SHA256(secret, "<t>.<body>")."""
    message = str(int(timestamp)).encode() + b"." + _bytes(body)
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secrets: Sequence[str], timestamp: int, body: bytes | str) -> str:
    """The header value: one `v1=` entry per secret, in the order given (newest first)."""
    if not secrets:
        raise ValueError("at least one secret is needed to sign")
    parts = [f"t={int(timestamp)}"]
    parts += [f"v1={mac(s, timestamp, body)}" for s in secrets]
    return ",".join(parts)


def parse_header(header: str) -> tuple[int | None, list[str]]:
    """(`t`, [every `v1` value]) from a header; unknown keys are ignored, a bad `t` is None."""
    timestamp: int | None = None
    signatures: list[str] = []
    for item in (header or "").split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                timestamp = None
        elif key == "v1" and value:
            signatures.append(value.strip())
    return timestamp, signatures


def _unix(now: int | float | datetime) -> int:
    return int(now.timestamp()) if isinstance(now, datetime) else int(now)


def verify_signature(
    secrets: str | Iterable[str],
    header: str,
    body: bytes | str,
    *,
    now: int | float | datetime | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """True when any `v1` matches the MAC of any secret held (constant-time compare) and, when
    `now` is given, `t` is within `tolerance` seconds of it."""
    timestamp, signatures = parse_header(header)
    if timestamp is None or not signatures:
        return False
    if now is not None and abs(_unix(now) - timestamp) > tolerance:
        return False
    held = [secrets] if isinstance(secrets, str) else list(secrets)
    for secret in held:
        expected = mac(secret, timestamp, body)
        for candidate in signatures:
            if hmac.compare_digest(expected, candidate):
                return True
    return False


def new_secret(token: str) -> str:
    """A signing secret from an opaque random token (`whsec_` + base64url)."""
    return f"whsec_{token}"
