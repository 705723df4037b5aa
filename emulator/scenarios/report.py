"""What a run did, for machines (`build_json`) and people (`emulator.scenarios.html`).

`collect(runner)` reads, after the last step and through the public routes, each tenant's
event timeline (`/_emulator/events`), projects, scheduled posts, layer slots, metrics and top
performers; a route that is not there (404 "No route") is just left out. The JSON depends only
on the file and the seed, apart from keys whose names hold `wall`, `elapsed` or `runtime`.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from emulator import __version__
from emulator.clock import iso, parse_instant

if TYPE_CHECKING:
    from emulator.harness import Tenant
    from emulator.scenarios.runner import Runner, RunResult

REPORT_VERSION = 1
METRICS = ("views", "engagement_rate", "watch_time_ms", "posts_published")
TIMELINE_SKIP = ("request",)  # requests are the steps themselves


def _get(tenant: Tenant, path: str, **params: Any) -> Any | None:
    r = tenant.client.get(path, params=params)
    if r.status_code != 200:
        return None
    return r.json()


def _pages(tenant: Tenant, path: str, limit: int = 100, **params: Any) -> list[dict[str, Any]] | None:
    items: list[dict[str, Any]] = []
    query: dict[str, Any] = {"limit": limit, **params}
    for _ in range(1000):
        page = _get(tenant, path, **query)
        if page is None:
            return None if not items else items
        items.extend(page.get("items", []))
        if not page.get("nextCursor"):
            return items
        query["cursor"] = page["nextCursor"]
    return items


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _local_day(instant: str | None, zone: ZoneInfo) -> str | None:
    if not instant:
        return None
    return parse_instant(instant).astimezone(zone).date().isoformat()


def _local_time(instant: str | None, zone: ZoneInfo) -> str | None:
    if not instant:
        return None
    return parse_instant(instant).astimezone(zone).strftime("%H:%M")


def _post_row(p: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    when = p.get("publishedAt") or p.get("scheduledFor")
    return {
        "id": p.get("id"), "containerId": p.get("containerId"), "socialAccountId": p.get("socialAccountId"),
        "platform": p.get("platform"), "status": p.get("status"), "scheduledFor": p.get("scheduledFor"),
        "publishedAt": p.get("publishedAt"), "localDay": _local_day(when, zone), "localTime": _local_time(when, zone),
        "lastError": (p.get("lastError") or {}).get("code") if isinstance(p.get("lastError"), dict) else None,
    }


def _by_day(posts: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, int]]]:
    """{localDay: {socialAccountId: {status: n}}} sorted by day."""
    days: dict[str, dict[str, Counter[str]]] = {}
    for p in posts:
        if not p["localDay"]:
            continue
        days.setdefault(p["localDay"], {}).setdefault(p["socialAccountId"] or "-", Counter())[p["status"] or "-"] += 1
    return {d: {a: dict(sorted(c.items())) for a, c in sorted(accts.items())} for d, accts in sorted(days.items())}


def _project(tenant: Tenant, project: dict[str, Any], since: str, until: str) -> dict[str, Any]:
    pid, zone = project["id"], _zone(project.get("timezone"))
    out: dict[str, Any] = {"id": pid, "name": project.get("name"), "timezone": project.get("timezone")}
    accounts = _pages(tenant, f"/v1/projects/{pid}/social-accounts") or []
    out["socialAccounts"] = [
        {"id": a.get("socialAccountId") or a.get("id"), "platform": a.get("platform"),
         "handle": a.get("handle") or a.get("username") or a.get("displayName"), "status": a.get("status")}
        for a in accounts
    ]
    posts = _pages(tenant, f"/v1/projects/{pid}/scheduled-posts")
    if posts is not None:
        rows = sorted((_post_row(p, zone) for p in posts), key=lambda r: (r["scheduledFor"] or "", r["id"] or ""))
        out["posts"] = rows
        out["postsByDay"] = _by_day(rows)
    layers = _pages(tenant, "/api/project-layers", projectId=pid)
    if layers is not None:
        out["layers"] = []
        for layer in layers:
            slots = _pages(tenant, f"/api/project-layers/{layer['id']}/slots", limit=500) or []
            out["layers"].append({
                "id": layer["id"], "templateId": layer.get("templateId"), "status": layer.get("status"),
                "config": layer.get("config"),
                "slots": [{k: s.get(k) for k in ("scheduledPostId", "status", "scheduledAt", "localDate", "localTime",
                                                 "containerId", "origin")} for s in slots],
            })
    params: list[tuple[str, str | int | float | bool | None]] = [("scope", "project"), ("id", pid), ("since", since), ("until", until),
                                     ("granularity", "day")] + [("metrics", k) for k in METRICS]
    r = tenant.client.get(f"/v1/projects/{pid}/metrics", params=params)
    if r.status_code == 200:
        body = r.json()
        out["metrics"] = {"series": body.get("series", []), "totals": body.get("totals", {})}
    top = _get(tenant, f"/v1/projects/{pid}/top-performers", metric="views", window="7d", limit=5)
    if top is not None:
        out["topPerformers"] = [
            {k: item.get(k) for k in ("rank", "sourceType", "platformPostId", "title", "metricValue")}
            for item in top.get("items", [])
        ]
    return out


def collect(runner: Runner) -> dict[str, Any]:
    """Everything the report shows, read from each tenant after the last step."""
    out: dict[str, Any] = {}
    for name, run in runner.result.tenants.items():
        tenant = run.tenant
        events = tenant.events()
        timeline = [
            {"at": e["at"], "kind": e["kind"], "type": e.get("type"), "projectId": e.get("projectId"), "data": e.get("data")}
            for e in events if e["kind"] not in TIMELINE_SKIP
        ]
        counts = Counter(f"{e['kind']}:{e.get('type') or '-'}" for e in events if e["kind"] not in TIMELINE_SKIP)
        since = iso(run.start) or ""
        until = iso(max(run.now, run.start)) or ""
        projects = _pages(tenant, "/v1/projects") or []
        out[name] = {
            "organizationId": tenant.organization_id,
            "start": since,
            "end": until,
            "eventCounts": dict(sorted(counts.items())),
            "timeline": timeline,
            "projects": [_project(tenant, p, since, until) for p in sorted(projects, key=lambda p: p["id"])],
        }
    return out


def build_json(result: RunResult) -> dict[str, Any]:
    scenario = result.scenario
    failures = result.failures
    return {
        "reportVersion": REPORT_VERSION,
        "emulatorVersion": __version__,
        "scenario": {"name": scenario.name, "description": scenario.description, "file": Path(result.file).name,
                     "seed": result.seed, "start": scenario.start, "target": result.target},
        "result": {
            "passed": result.passed,
            "expectations": len(result.expectations),
            "expectationsFailed": sum(1 for e in result.expectations if not e["ok"]),
            "errors": len(result.errors),
            "failures": [{"file": Path(result.file).name, **f} for f in failures],
            "missingRoutes": result.missing_routes,
        },
        "steps": result.steps,
        "expectations": result.expectations,
        "notes": result.notes,
        "variables": result.variables,
        "tenants": result.collected,
        "wall": {"elapsedSeconds": round(result.wall_elapsed, 3)},
    }


def strip_wall(value: Any) -> Any:
    """The report without its wall-time keys (names holding wall, elapsed or runtime)."""
    if isinstance(value, dict):
        return {k: strip_wall(v) for k, v in value.items()
                if not any(w in k.lower() for w in ("wall", "elapsed", "runtime"))}
    if isinstance(value, list):
        return [strip_wall(v) for v in value]
    return value
