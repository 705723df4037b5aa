"""The SSRF guard: no private, loopback, link-local or metadata address passes in any spelling."""
from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.services.media_guard import UrlRefused, check_url, infer

PRIVATE_V4 = st.one_of(
    st.integers(0x7F000000, 0x7FFFFFFF),  # 127/8
    st.integers(0x0A000000, 0x0AFFFFFF),  # 10/8
    st.integers(0xAC100000, 0xAC1FFFFF),  # 172.16/12
    st.integers(0xC0A80000, 0xC0A8FFFF),  # 192.168/16
    st.integers(0xA9FE0000, 0xA9FEFFFF),  # 169.254/16 (metadata)
    st.just(0),
)


def spellings(n: int) -> list[str]:
    a, b, c, d = (n >> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255
    return [
        f"{a}.{b}.{c}.{d}", str(n), hex(n), f"0{n:o}", f"{a}.{(b << 16) | (c << 8) | d}", f"{a}.{b}.{(c << 8) | d}",
        f"0x{a:02x}.0x{b:02x}.0x{c:02x}.0x{d:02x}", f"0{a:o}.0{b:o}.0{c:o}.0{d:o}", f"{a}.{b}.{c}.{d}.",
        "".join(f"%{ord(ch):02x}" for ch in f"{a}.{b}.{c}.{d}"),
        f"{a}\u3002{b}\u3002{c}\u3002{d}", "".join(chr(0xFF10 + int(ch)) if ch.isdigit() else ch for ch in f"{a}.{b}.{c}.{d}"),
        f"[::ffff:{a}.{b}.{c}.{d}]", f"[::ffff:{(n >> 16):x}:{n & 0xffff:x}]",
    ]


@given(PRIVATE_V4, st.sampled_from(["", ":443", ":8080"]), st.sampled_from(["/a.png", "/", "/x/y.mp4?q=1"]))
def test_no_private_ipv4_spelling_passes(n: int, port: str, path: str) -> None:
    for host in spellings(n):
        with pytest.raises(UrlRefused):
            check_url(f"https://{host}{port}{path}")


@given(st.sampled_from(["::1", "fe80::1", "fd00::1", "fc00::abcd", "::", "fe80::1%25eth0", "fd00:ec2::254"]))
def test_ipv6_literals_refused(host: str) -> None:
    with pytest.raises(UrlRefused):
        check_url(f"https://[{host}]/a.png")


@pytest.mark.parametrize("url", [
    "http://cdn.example.com/a.png", "ftp://cdn.example.com/a.png", "file:///etc/passwd", "data:image/png;base64,AA",
    "gopher://x.example.com/", "https://localhost/a.png", "https://LOCALHOST./a.png", "https://api.localhost/a.png",
    "https://metadata.google.internal/computeMetadata/v1/", "https://db.internal/a.png", "https://printer.local/a.png",
    "https://user:pw@cdn.example.com/a.png", "https://user@cdn.example.com/a.png", "https://intranet/a.png",
    "https://cdn.example.com\\@127.0.0.1/a.png", "https:///a.png", "https://exa mple.com/a.png", "",
])
def test_refusals(url: str) -> None:
    with pytest.raises(UrlRefused):
        check_url(url)


def test_public_hosts_pass_and_inference_is_deterministic() -> None:
    assert check_url("https://cdn.acmecoffee.com/brand/logo-512.png")[0] == "cdn.acmecoffee.com"
    a = infer("https://cdn.acmecoffee.com/brand/logo-512.png", 5 * 1024 * 1024)
    assert a == infer("https://cdn.acmecoffee.com/brand/logo-512.png", 5 * 1024 * 1024)
    assert a.mime_type == "image/png" and 0 < a.byte_size <= 5 * 1024 * 1024


def test_magic_values() -> None:
    assert infer("https://cdn.example.com/logo-oversize.png", 100).byte_size == 101
    assert infer("https://cdn.example.com/a.png?emulator-mime=text/html", 100).mime_type == "text/html"
    assert infer("https://cdn.example.com/a.png?emulator-size=7", 100).byte_size == 7
    with pytest.raises(UrlRefused) as exc:
        infer("https://cdn.unreachable.invalid/a.png", 100)
    assert exc.value.reason == "UNREACHABLE"


def test_sanity_of_generated_spellings() -> None:
    assert ipaddress.ip_address(spellings(0x7F000001)[0]) == ipaddress.ip_address("127.0.0.1")


def test_redirect_hops_are_rechecked_and_capped() -> None:
    from urllib.parse import quote

    final = "https://cdn.example.com/final.webp"
    assert infer(f"https://a.example.com/r?emulator-redirect={quote(final)}", 10**6).mime_type == "image/webp"
    with pytest.raises(UrlRefused) as exc:
        infer(f"https://a.example.com/r?emulator-redirect={quote('https://169.254.169.254/x.png')}", 10**6)
    assert exc.value.reason == "IP_LITERAL"
    url = final
    for i in range(4):
        url = f"https://h{i}.example.com/r?emulator-redirect={quote(url)}"
    with pytest.raises(UrlRefused) as exc:
        infer(url, 10**6)
    assert exc.value.reason == "TOO_MANY_REDIRECTS"
