"""The webhook event catalogue and the delivery rules (pure: no I/O, no clock reads).

The accepted names are the 16 of the integrations page, the two the agent playbook subscribes
to (`project.ready`, `ads.decision`) and the two the ads pages name, 20 in all. Any other name
is refused; there are no wildcards.
"""
from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

EVENTS: tuple[str, ...] = (
    "job.completed",
    "job.failed",
    "job.canceled",
    "content.generated",
    "content.approved",
    "content.rejected",
    "post.scheduled",
    "post.published",
    "post.failed",
    "post.canceled",
    "social_account.connected",
    "social_account.needs_reauth",
    "social_account.revoked",
    "lease_request.assigned",
    "lease_request.rejected",
    "test.ping",
    "project.ready",
    "ads.decision",
    "ads.optimizer.run.completed",
    "approval.dispatched",
)
CATALOG = frozenset(EVENTS)
TEST_EVENT = "test.ping"
MAX_EVENTS = 50

# Delay before attempt n (1-based): attempt 1 at the event instant, then each measured from the
# previous attempt. Eight attempts over about 31.4 hours.
LADDER: tuple[timedelta, ...] = tuple(
    timedelta(seconds=s) for s in (0, 30, 60, 300, 900, 3600, 21600, 86400)
)
INTEGRATIONS_MAX_ATTEMPTS = 5  # the product page's policy, behind a switch
AUTO_PAUSE_AFTER = 20
ROTATION_GRACE = timedelta(hours=24)
DEFAULT_TIMEOUT_SECONDS = 5.0
MAX_URL_LENGTH = 2048
DESCRIPTION_MAX = 500

ENDPOINT_STATUSES = ("active", "paused", "auto_paused")
DELIVERY_STATUSES = ("pending", "delivering", "delivered", "failed", "abandoned")


def event_issues(events: Any, path: str = "events") -> list[dict[str, str]]:
    """Problems with an `events` list (empty, too long, not strings, unknown names)."""
    if not isinstance(events, list):
        return [{"path": path, "message": "events must be a list of event names"}]
    issues = []
    if not events:
        issues.append({"path": path, "message": "subscribe to at least one event"})
    if len(events) > MAX_EVENTS:
        issues.append({"path": path, "message": f"at most {MAX_EVENTS} events"})
    for i, name in enumerate(events):
        if not isinstance(name, str) or name not in CATALOG:
            issues.append(
                {"path": f"{path}[{i}]", "message": f"unknown event {name!r}; see the event catalogue"}
            )
    return issues


def dedupe(events: list[str]) -> list[str]:
    return list(dict.fromkeys(events))


def _is_local(host: str) -> bool:
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(url: Any, *, allow_http: bool = False) -> str | None:
    """Why `url` cannot be an endpoint, or None. https anywhere; http only for loopback hosts
    (localhost, *.localhost, 127.0.0.0/8, [::1]) unless `allow_http`."""
    if not isinstance(url, str) or not url.strip():
        return "url must be a non-empty string"
    if len(url) > MAX_URL_LENGTH:
        return f"url must be at most {MAX_URL_LENGTH} characters"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return "url is not a valid URL"
    if parts.scheme not in ("https", "http") or not host:
        return "url must be an absolute https:// URL"
    if parts.scheme == "http" and not allow_http and not _is_local(host):
        return "url must use https (http is accepted only for localhost and 127.0.0.1)"
    if any(c.isspace() for c in url):
        return "url must not contain whitespace"
    return None


def retry_delay(attempts_made: int, *, policy: str = "ladder", status: int | None = None) -> timedelta | None:
    """Delay before the next attempt after `attempts_made` failed attempts, or None when the
    delivery is finished (ladder exhausted, or a non-retryable answer under the integrations
    policy: a 4xx other than 429)."""
    if policy == "integrations":
        if status is not None and 400 <= status < 500 and status != 429:
            return None
        if attempts_made >= INTEGRATIONS_MAX_ATTEMPTS:
            return None
    if attempts_made >= len(LADDER):
        return None
    return LADDER[attempts_made]


def is_success(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def outcome(attempts_made: int, status: int | None, *, policy: str = "ladder") -> tuple[str, timedelta | None]:
    """A delivery's state after its `attempts_made`-th attempt answered `status` (None: no
    answer): `("delivered", None)`, `("pending", delay before the next attempt)`, or the end
    of the road: `("failed", None)` on the ladder, `("abandoned", None)` under the
    integrations policy."""
    if is_success(status):
        return "delivered", None
    delay = retry_delay(attempts_made, policy=policy, status=status)
    if delay is None:
        return ("abandoned" if policy == "integrations" else "failed"), None
    return "pending", delay


def merge_metadata(current: dict[str, Any], change: dict[str, Any] | None) -> dict[str, Any]:
    """Per-key merge: omitted keys kept, sent keys set, empty values unset; None clears all."""
    if change is None:
        return {}
    merged = dict(current)
    for key, value in change.items():
        if value in ("", None):
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged
