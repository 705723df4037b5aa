"""Deterministic ids: the fast ULID encoder against the ULID spec written out plainly."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from emulator.ids import CROCKFORD, IdSource, _ulid, ulid_from


def reference_ulid(ms: int, digest: bytes) -> str:
    """48 bits of milliseconds then 80 bits of the digest, as 26 Crockford digits (130 bits,
    the first two zero)."""
    value = (ms << 80) | int.from_bytes(digest[:10], "big")
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


@given(st.integers(min_value=0, max_value=2**48 - 1), st.binary(min_size=10, max_size=32))
def test_ulid_matches_the_plain_encoding(ms: int, digest: bytes) -> None:
    assert _ulid(ms, digest) == reference_ulid(ms, digest)


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=20))
def test_drawn_ulids_carry_their_own_instant(offsets_ms: list[int]) -> None:
    """An id source remembers the last instant's digits; an id stamped at another instant must
    still carry that instant, and sort by it."""
    ids = IdSource(7, "ten_x")
    start = datetime(2026, 5, 11, tzinfo=UTC)
    for n, offset in enumerate(offsets_ms, start=1):
        at = start + timedelta(milliseconds=offset)
        drawn = ids.new("evt", at)
        digest = hashlib.sha256(f"7:ten_x:evt:{n}".encode()).digest()
        assert drawn == "evt_" + reference_ulid(int(at.timestamp() * 1000), digest)
        assert drawn == "evt_" + ulid_from(at, 7, "ten_x", "evt", n)
