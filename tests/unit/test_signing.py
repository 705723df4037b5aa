"""The webhook signature scheme: `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`."""
from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from emulator.domain.signing import mac, new_secret, parse_header, signature_header, verify_signature

SECRET = "whsec_test_secret"
BODY = b'{"id":"evt_1","type":"test.ping","data":{}}'


def test_mac_is_hmac_sha256_over_t_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), b"1778457600." + BODY, hashlib.sha256).hexdigest()
    assert mac(SECRET, 1778457600, BODY) == expected
    assert signature_header([SECRET], 1778457600, BODY) == f"t=1778457600,v1={expected}"


def test_one_v1_per_secret_during_rotation() -> None:
    header = signature_header(["whsec_new", "whsec_old"], 100, BODY)
    t, sigs = parse_header(header)
    assert t == 100 and sigs == [mac("whsec_new", 100, BODY), mac("whsec_old", 100, BODY)]
    assert verify_signature("whsec_old", header, BODY)
    assert verify_signature(["whsec_other", "whsec_new"], header, BODY)
    assert not verify_signature("whsec_other", header, BODY)


def test_tampering_fails() -> None:
    header = signature_header([SECRET], 100, BODY)
    assert not verify_signature(SECRET, header, BODY + b" ")
    assert not verify_signature(SECRET, header.replace("t=100", "t=101"), BODY)
    assert not verify_signature(SECRET, "v1=" + mac(SECRET, 100, BODY), BODY)  # no t
    assert not verify_signature(SECRET, "t=100", BODY)  # no v1
    assert not verify_signature(SECRET, "", BODY)


def test_tolerance_window() -> None:
    header = signature_header([SECRET], 1_000_000, BODY)
    assert verify_signature(SECRET, header, BODY, now=1_000_300)
    assert not verify_signature(SECRET, header, BODY, now=1_000_301)
    assert not verify_signature(SECRET, header, BODY, now=999_699)
    at = datetime.fromtimestamp(1_000_010, UTC)
    assert verify_signature(SECRET, header, BODY, now=at)


def test_parse_is_lenient_about_spaces_and_unknown_keys() -> None:
    sig = mac(SECRET, 7, BODY)
    assert parse_header(f" t=7 , v0=abc, v1={sig} ") == (7, [sig])
    assert parse_header("t=x,v1=ab") == (None, ["ab"])


def test_secret_shape() -> None:
    assert new_secret("abc") == "whsec_abc"


@given(st.text(min_size=1), st.binary(), st.integers(min_value=0, max_value=2**33))
def test_round_trip(secret: str, body: bytes, t: int) -> None:
    header = signature_header([secret], t, body)
    assert verify_signature(secret, header, body, now=t)
    assert not verify_signature(secret + "x", header, body)


@given(st.binary(), st.binary())
def test_other_bodies_do_not_verify(a: bytes, b: bytes) -> None:
    header = signature_header([SECRET], 5, a)
    assert verify_signature(SECRET, header, b) == (a == b)
