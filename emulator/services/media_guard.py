"""Pure URL checks for server-side fetches (app media): the SSRF guard, and what the emulator
"fetches" instead of going to the network: the mime type and byte size inferred from the URL.

Guard: https only; no credentials; no IP literal in any spelling (dotted, short, decimal, hex,
octal, mixed, percent-encoded, full-width digits or dots, IPv6 with or without brackets or zone);
no `localhost`, `*.localhost`, `*.internal`, `*.local`, `metadata.google.internal`, single-label
hosts. Every refusal is a `UrlRefused(reason, message)`.

Magic values (documented in the README): a host under `.invalid` is unreachable; a filename
containing `oversize` is one byte over the kind's cap; `?emulator-size=<bytes>` and
`?emulator-mime=<type>` set the size and the content type the "server" answers with;
`?emulator-redirect=<url>` answers a redirect to that URL (each hop re-checked, at most 3).
"""
from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from emulator.ids import stable_int

BLOCKED_SUFFIXES = (".localhost", ".internal", ".local", ".localdomain", ".home.arpa")
BLOCKED_HOSTS = {"localhost", "metadata", "metadata.google.internal", "instance-data", "localhost.localdomain"}
EXTENSIONS = {
    "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp", "svg": "image/svg+xml",
    "heic": "image/heic", "mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm", "gif": "image/gif",
    "pdf": "application/pdf", "html": "text/html", "mp3": "audio/mpeg",
}
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
_HOST_CHARS = re.compile(r"^[a-z0-9._-]+$")


class UrlRefused(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Fetched:
    mime_type: str
    byte_size: int
    filename: str


def normalize_host(raw: str) -> str:
    host = unquote(raw)
    host = unicodedata.normalize("NFKC", host).translate(_DOTS).lower().strip()
    return host[:-1] if host.endswith(".") else host


def is_ip_literal(host: str) -> bool:
    """True for anything a URL parser or inet_aton could read as an address."""
    if host.startswith("[") or ":" in host:
        return True
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.split(".")
    if labels and labels[-1] == "":
        labels = labels[:-1]
    if not labels:
        return False
    # WHATWG: a host whose last label is numeric is parsed as IPv4 (and inet_aton reads
    # decimal / hex / octal / short forms like 127.1 or 0x7f000001).
    return bool(_NUMERIC_LABEL.match(labels[-1]))


def check_url(url: str) -> tuple[str, str]:
    """Returns (host, path) of an acceptable URL or raises UrlRefused."""
    if not isinstance(url, str) or not url or any(c.isspace() or ord(c) < 32 for c in url):
        raise UrlRefused("MALFORMED", "url must be an absolute https URL without spaces.")
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        _ = parts.port
    except ValueError:
        raise UrlRefused("MALFORMED", "url is not a valid URL.") from None
    if parts.scheme.lower() != "https":
        raise UrlRefused("SCHEME_NOT_ALLOWED", f"url must use https (got {parts.scheme or 'no scheme'}).")
    if "@" in netloc or parts.username or parts.password:
        raise UrlRefused("CREDENTIALS_IN_URL", "url must not embed credentials.")
    raw_host = netloc.rsplit(":", 1)[0] if not netloc.endswith("]") else netloc
    if netloc.count(":") > 1 or netloc.startswith("["):
        raise UrlRefused("IP_LITERAL", "url must name a host, not an IP address.")
    host = normalize_host(raw_host)
    if not host:
        raise UrlRefused("MALFORMED", "url has no host.")
    if is_ip_literal(host):
        raise UrlRefused("IP_LITERAL", "url must name a host, not an IP address.")
    if not _HOST_CHARS.match(host) or ".." in host or host.startswith(".") or host.startswith("-"):
        raise UrlRefused("MALFORMED", "url host is not a valid DNS name.")
    if host in BLOCKED_HOSTS or host.endswith(BLOCKED_SUFFIXES) or "." not in host:
        raise UrlRefused("PRIVATE_ADDRESS", f"url host {host!r} does not resolve to a public address.")
    return host, parts.path


MAX_REDIRECTS = 3


def follow(url: str) -> str:
    """Redirect magic: `?emulator-redirect=<url>` makes the "server" answer 302 to that URL;
    every hop is re-checked by the guard and at most 3 are followed. Returns the final URL."""
    current = url
    for hop in range(MAX_REDIRECTS + 1):
        check_url(current)
        target = parse_qs(urlsplit(current).query).get("emulator-redirect")
        if not target:
            return current
        if hop == MAX_REDIRECTS:
            break
        current = target[0]
    raise UrlRefused("TOO_MANY_REDIRECTS", f"url redirected more than {MAX_REDIRECTS} times.")


def infer(url: str, cap: int) -> Fetched:
    """What a fetch of `url` would answer, deterministically (redirects followed and re-checked)."""
    url = follow(url)
    host, path = check_url(url)
    if host == "invalid" or host.endswith(".invalid"):
        raise UrlRefused("UNREACHABLE", f"url could not be fetched: {host} does not resolve.")
    filename = unquote(path.rsplit("/", 1)[-1]) or "index"
    query = parse_qs(urlsplit(url).query)
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    mime = (query.get("emulator-mime") or [EXTENSIONS.get(ext, "")])[0]
    if not mime:
        raise UrlRefused("UNKNOWN_TYPE", f"url serves an unknown content type (extension {ext or 'none'!r}).")
    if "emulator-size" in query:
        try:
            size = int(query["emulator-size"][0])
        except ValueError:
            raise UrlRefused("MALFORMED", "emulator-size must be an integer.") from None
    elif "oversize" in filename.lower():
        size = cap + 1
    elif mime.startswith("video/"):
        size = 2_000_000 + stable_int("media-size", url) % 38_000_000
    else:
        size = 40_000 + stable_int("media-size", url) % 1_960_000
    return Fetched(mime, size, filename)
