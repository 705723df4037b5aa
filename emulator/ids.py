"""Deterministic identifiers.

Every id is derived from (seed, namespace, counter) with SHA-256, so the same seed and the same
sequence of requests give the same ids, and no two tenants draw from one shared stream (parallel
tests cannot perturb each other's ids). ULID-shaped ids take their time part from the tenant
clock, so they sort by virtual time.
"""
from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Callable
from datetime import datetime

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# Prefixes that the docs give a ULID body; everything else gets a UUID body.
ULID_PREFIXES = frozenset({"job", "evt", "req", "st", "run", "med", "upl", "ast", "lreq", "pl", "pp", "adc"})


def _digest(*parts: object) -> bytes:
    return hashlib.sha256(":".join(map(str, parts)).encode()).digest()


def uuid_from(*parts: object) -> str:
    return _uuid(_digest(*parts))


def _uuid(digest: bytes) -> str:
    b = bytearray(digest[:16])
    b[6] = (b[6] & 0x0F) | 0x40  # version 4 shape
    b[8] = (b[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# A ULID is 26 Crockford digits: 10 for the 48-bit millisecond time (two leading zero bits),
# 16 for the 80 random bits. The time digits are remembered per millisecond (a virtual clock
# stamps many ids with one instant); the random ones are eight lookups of two digits each, on
# two 40-bit halves that stay machine-sized integers. Ids are drawn by the ten thousand in a
# posting week.
_PAIRS = [a + b for a in CROCKFORD for b in CROCKFORD]


@functools.lru_cache(maxsize=256)
def _ulid_time(ms: int) -> str:
    return "".join(CROCKFORD[(ms >> shift) & 31] for shift in range(45, -1, -5))


def ulid_from(at: datetime, *parts: object) -> str:
    return _ulid(int(at.timestamp() * 1000), _digest(*parts))


def _ulid(ms: int, digest: bytes) -> str:
    p = _PAIRS
    a = int.from_bytes(digest[:5], "big")
    b = int.from_bytes(digest[5:10], "big")
    return (f"{_ulid_time(ms)}{p[a >> 30]}{p[(a >> 20) & 1023]}{p[(a >> 10) & 1023]}{p[a & 1023]}"
            f"{p[b >> 30]}{p[(b >> 20) & 1023]}{p[(b >> 10) & 1023]}{p[b & 1023]}")


def crockford(n_chars: int, *parts: object) -> str:
    value = int.from_bytes(_digest(*parts), "big")
    out = []
    for _ in range(n_chars):
        out.append(CROCKFORD[value & 31])
        value >>= 5
    return "".join(out)


def b64url(n_bytes: int, *parts: object) -> str:
    raw = b""
    i = 0
    while len(raw) < n_bytes:
        raw += _digest(*parts, i)
        i += 1
    return base64.urlsafe_b64encode(raw[:n_bytes]).decode().rstrip("=")


class IdSource:
    """A tenant's id stream. `counter` is persisted with the tenant row by the store."""

    def __init__(self, seed: int, namespace: str, counter: int = 0) -> None:
        self.seed = seed
        self.namespace = namespace
        self.counter = counter
        self.dirty = False
        self.on_dirty: Callable[[], None] | None = None  # told when the counter first moves
        self._head = f"{seed}:{namespace}:"  # what every drawn id's digest input starts with
        self._at: datetime | None = None  # the instant of the last ULID drawn, and its milliseconds
        self._ms = 0

    def _next(self) -> int:
        self.counter += 1
        if not self.dirty:
            self.dirty = True
            if self.on_dirty is not None:
                self.on_dirty()
        return self.counter

    def new(self, prefix: str, at: datetime) -> str:
        n = self._next()
        if prefix in ULID_PREFIXES:  # = ulid_from(at, seed, namespace, prefix, n), built directly
            digest = hashlib.sha256(f"{self._head}{prefix}:{n}".encode()).digest()
            if at is not self._at:
                self._at, self._ms = at, int(at.timestamp() * 1000)
            return f"{prefix}_{_ulid(self._ms, digest)}"
        if prefix == "":  # = uuid_from(seed, namespace, n)
            return _uuid(hashlib.sha256(f"{self._head}{n}".encode()).digest())
        return f"{prefix}_{_uuid(hashlib.sha256(f'{self._head}{prefix}:{n}'.encode()).digest())}"

    def named(self, prefix: str, at: datetime, *name: object) -> str:
        """An id for the thing `name` identifies, without drawing from the stream: work that
        may run at a different moment than the requests around it (a catch-up replaying
        scoring runs when first read) must not shift the ids those requests get."""
        if prefix in ULID_PREFIXES:
            return f"{prefix}_{ulid_from(at, self.seed, self.namespace, prefix, 'named', *name)}"
        return f"{prefix}_{uuid_from(self.seed, self.namespace, prefix, 'named', *name)}"

    def token(self, n_bytes: int = 24) -> str:
        """An opaque secret (webhook secrets, upload tokens): deterministic too."""
        return b64url(n_bytes, self.seed, self.namespace, "token", self._next())

    def number(self, label: str) -> int:
        """A deterministic 64-bit number for fakes that need a choice (e.g. picking a persona)."""
        return int.from_bytes(_digest(self.seed, self.namespace, label, self._next())[:8], "big")


def stable_int(*parts: object) -> int:
    """A pure hash to 64 bits, for choices that must depend only on their inputs."""
    return int.from_bytes(_digest(*parts)[:8], "big")


UUID_RE = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def normalize_id(prefix: str, value: str) -> str:
    """Accept a bare UUID where the docs show one, answering with the prefixed form."""
    import re

    if re.fullmatch(UUID_RE, value):
        return f"{prefix}_{value.lower()}"
    return value
