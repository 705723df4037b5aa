"""Placeholder media: real PNGs and structurally valid MP4s, byte-identical for the same inputs."""
from __future__ import annotations

import hashlib
import struct
import zlib

from hypothesis import given
from hypothesis import strategies as st

from emulator import media

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=30)


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    out, i = [], 8
    while i < len(data):
        (length,) = struct.unpack(">I", data[i:i + 4])
        kind, body = data[i + 4:i + 8], data[i + 8:i + 8 + length]
        (crc,) = struct.unpack(">I", data[i + 8 + length:i + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        out.append((kind, body))
        i += 12 + length
    return out


@given(tok=names, stem=names)
def test_png_is_valid_and_deterministic(tok: str, stem: str) -> None:
    served = media.render(tok, f"{stem}.png")
    assert served is not None
    data, ctype = served
    assert ctype == "image/png" and media.render(tok, f"{stem}.png") == served
    chunks = _png_chunks(data)
    assert [k for k, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height = struct.unpack(">II", chunks[0][1][:8])
    expected = media.THUMB_SIZE if stem.endswith("-thumb") else media.IMAGE_SIZE
    assert (width, height) == expected
    raw = zlib.decompress(chunks[1][1])
    assert len(raw) == height * (1 + 3 * width)


def test_different_names_give_different_colours() -> None:
    a = media.render("tok", "image-a.png")
    b = media.render("tok", "image-b.png")
    assert a is not None and b is not None and a[0] != b[0]


def test_videos_are_a_real_playable_h264_clip() -> None:
    served = media.render("tok", "video-x.mp4")
    assert served is not None
    data, ctype = served
    assert ctype == "video/mp4"
    boxes, i = {}, 0
    while i < len(data):  # a well-formed ISO-BMFF box sequence
        size, kind = struct.unpack(">I4s", data[i:i + 8])
        assert size >= 8 and i + size <= len(data)
        boxes[kind] = data[i + 8:i + size]
        i += size
    assert i == len(data) and {b"ftyp", b"moov", b"mdat"} <= set(boxes)
    assert b"avc1" in boxes[b"moov"] and len(boxes[b"mdat"]) > 0  # H.264 samples, not an empty shell
    assert media.render("other", "video-y.mp4") == served  # byte-identical everywhere


def test_unknown_extensions_are_not_served() -> None:
    assert media.render("tok", "x.gif") is None
    assert media.render("tok", "noext") is None


def test_tokens_are_tenant_scoped_and_stable() -> None:
    assert media.token(0, "org_a", "cnt_1") == media.token(0, "org_a", "cnt_1")
    assert media.token(0, "org_a", "cnt_1") != media.token(0, "org_b", "cnt_1")
    assert media.token(0, "org_a", "cnt_1") != media.token(1, "org_a", "cnt_1")


def _reference_absolute(value: object, base: str) -> object:
    if isinstance(value, str):
        return base + value if value.startswith("/_emulator/media/") else value
    if isinstance(value, list):
        return [_reference_absolute(v, base) for v in value]
    if isinstance(value, dict):
        return {k: _reference_absolute(v, base) for k, v in value.items()}
    return value


_paths = st.sampled_from(["/_emulator/media/t/a.png", "/_emulator/media", "x/_emulator/media/", ""]) | st.text(max_size=6)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _paths,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=15,
)


@given(_json)
def test_absolute_media_urls_reach_every_media_path_string_and_nothing_else(value: object) -> None:
    from emulator.services import containers

    assert containers._absolute(value, "http://h:1") == _reference_absolute(value, "http://h:1")


@given(tok=names, stem=names, ext=st.sampled_from(["png", "mp4", "gif"]), thumb=st.booleans())
def test_fingerprint_describes_exactly_what_is_served(tok: str, stem: str, ext: str, thumb: bool) -> None:
    name = f"{stem}{'-thumb' if thumb else ''}.{ext}"
    served = media.render(tok, name)
    if served is None:
        assert media.fingerprint(tok, name) is None
        return
    data, ctype = served
    assert media.fingerprint(tok, name) == (len(data), hashlib.sha256(data).hexdigest(), ctype)
