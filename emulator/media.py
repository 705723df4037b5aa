"""Placeholder media the emulator serves so a UI can render generated and uploaded content.

Everything is generated in code, deterministically: the same (token, name) always gives the
same bytes. Images are real PNG files (solid 9:16 colour with a darker band, the colour drawn
from the name); videos are one real, playable placeholder clip (H.264, shipped in fixtures/media/).

URLs look like `{base}/_emulator/media/{token}/{name}.{ext}`; `token` is tenant-scoped (it is
derived from the seed, the tenant and the container), and no key is needed to fetch them.
The base is the URL the emulator is reached at, learned from the first request that needs it
(`http://127.0.0.1:8787` until then).
"""
from __future__ import annotations

import functools
import hashlib
import struct
import zlib

from emulator.ids import crockford, stable_int

_BASE = {"url": "http://127.0.0.1:8787"}

IMAGE_SIZE = (90, 160)  # 9:16
THUMB_SIZE = (45, 80)


def learn_base(url: str) -> None:
    """Remember the base URL clients reach the emulator at (`request.base_url`)."""
    url = url.rstrip("/")
    if url:
        _BASE["url"] = url


def base_url() -> str:
    return _BASE["url"]


def token(seed: int, tenant_id: str, scope: str) -> str:
    """A tenant-scoped, deterministic path token (no secret: media is public, like a CDN)."""
    return crockford(20, seed, "media", tenant_id, scope).lower()


def path(tok: str, name: str) -> str:
    return f"/_emulator/media/{tok}/{name}"


def url(tok: str, name: str) -> str:
    return base_url() + path(tok, name)


# ---------------------------------------------------------------------------- PNG


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def colour(*parts: object) -> tuple[int, int, int]:
    """One of 216 pleasant mid-to-light colours (six levels per channel), picked by the name:
    few enough that `png` renders each once and serves it from its cache after that."""
    h = stable_int("colour", *parts)
    return (80 + 30 * (h % 6), 80 + 30 * ((h >> 8) % 6), 80 + 30 * ((h >> 16) % 6))


@functools.lru_cache(maxsize=512)
def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real RGB PNG: a solid colour with a darker band across the lower third (caption area)."""
    dark = tuple(max(0, c - 60) for c in rgb)
    plain = bytes(rgb) * width
    band = bytes(dark) * width
    lo, hi = height * 2 // 3, height * 2 // 3 + max(1, height // 10)
    raw = b"".join(b"\x00" + (band if lo <= y < hi else plain) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    # level 1: these rows repeat, so the fastest level already gives a few hundred bytes, and a
    # process renders up to 216 colours the first time it generates content (level 9 took 4x as long)
    idat = zlib.compress(raw, 1)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


# ---------------------------------------------------------------------------- MP4


@functools.lru_cache(maxsize=1)
def mp4() -> bytes:
    """A real, playable clip (1 s, 90x160, H.264 baseline, no audio; fixtures/media/
    placeholder.mp4, made once with ffmpeg) so players and UIs can render every video asset.
    Its length is not the container's reported duration."""
    from emulator.data import data_dir

    return (data_dir("fixtures") / "media" / "placeholder.mp4").read_bytes()


# ---------------------------------------------------------------------------- MP3


@functools.lru_cache(maxsize=1)
def mp3() -> bytes:
    """A real, silent MP3 of about one second (music previews): 38 MPEG-1 Layer III frames,
    128 kbit/s, 44.1 kHz, mono, whose side information and main data are all zero (silence
    to every decoder)."""
    header = bytes((0xFF, 0xFB, 0x90, 0xC4))  # sync, MPEG-1 L3 no CRC; 128k, 44.1k, no pad; mono
    frame = header + bytes(144 * 128_000 // 44_100 - len(header))
    return frame * 38


# ---------------------------------------------------------------------------- serving


CONTENT_TYPES = {"png": "image/png", "mp4": "video/mp4"}


def _image(tok: str, stem: str) -> tuple[tuple[int, int], tuple[int, int, int]]:
    """Size and colour of the image named `<stem>.png` (`-thumb` stems are the small ones)."""
    size = THUMB_SIZE if stem.endswith("-thumb") else IMAGE_SIZE
    return size, colour(tok, stem.removesuffix("-thumb"))


def render(tok: str, name: str) -> tuple[bytes, str] | None:
    """Bytes and Content-Type for a media path, or None for an unknown extension.

    Names: `<stem>.png` (9:16 image), `<stem>-thumb.png` (small 9:16 image), `<stem>.mp4`
    (the placeholder clip)."""
    stem, _, ext = name.rpartition(".")
    if not stem or ext not in CONTENT_TYPES:
        return None
    if ext == "png":
        size, rgb = _image(tok, stem)
        return png(*size, rgb), CONTENT_TYPES[ext]
    return mp4(), CONTENT_TYPES[ext]


def fingerprint(tok: str, name: str) -> tuple[int, str, str] | None:
    """(size in bytes, SHA-256 hex, Content-Type) of what `render` serves for the path."""
    stem, _, ext = name.rpartition(".")
    if ext == "png" and stem:  # one of 432 images: remembered per size and colour, not rendered
        return _png_fingerprint(*_image(tok, stem))
    served = render(tok, name)
    if served is None:
        return None
    data, mime = served
    return len(data), _sha256(data), mime


@functools.lru_cache(maxsize=512)
def _png_fingerprint(size: tuple[int, int], rgb: tuple[int, int, int]) -> tuple[int, str, str]:
    data = png(*size, rgb)
    return len(data), _sha256(data), CONTENT_TYPES["png"]


@functools.lru_cache(maxsize=1024)
def _sha256(data: bytes) -> str:
    # keyed by the bytes themselves: `png` and `mp4` hand out cached objects, whose hash Python
    # keeps after the first lookup, so a repeat costs no pass over the data
    return hashlib.sha256(data).hexdigest()
