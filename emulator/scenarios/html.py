"""The HTML report: one self-contained page (inline CSS and SVG, no scripts, no external assets)
drawn from the JSON report, so a person sees at a glance what a run did: the verdict and its
failures, a posting calendar per account, metric curves over the run and the run timeline."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from html import escape
from typing import Any

from emulator.clock import parse_instant

STATUS_COLORS = {"published": "#2e9d5b", "publishing": "#7cc49a", "queued": "#8a94a6", "draft": "#e0a030",
                 "failed": "#d64545", "canceled": "#c3c7cf"}
KIND_COLORS = ["#3b6fd4", "#2e9d5b", "#d64545", "#e0a030", "#8a4fd1", "#1aa3a3", "#c2577a", "#6b7a8f"]

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#1d2330;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e3e6ec;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}.muted{color:#6b7280}.badge{display:inline-block;padding:2px 10px;border-radius:10px;color:#fff;font-weight:600}
.pass{background:#2e9d5b}.fail{background:#d64545}table{border-collapse:collapse;width:100%;margin:6px 0}
td,th{border-bottom:1px solid #eef0f4;padding:4px 8px;text-align:left;vertical-align:top;font-size:13px}
th{background:#f6f7f9}.ok{color:#2e9d5b}.bad{color:#d64545;font-weight:600}code{font-size:12px;background:#f3f4f7;padding:1px 4px;border-radius:3px}
.legend span{display:inline-block;margin-right:12px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:4px;vertical-align:-1px}
.charts{display:flex;flex-wrap:wrap;gap:12px}.chart{border:1px solid #eef0f4;border-radius:6px;padding:6px}
details{margin:8px 0}summary{cursor:pointer;color:#3b6fd4}svg text{font-family:inherit}svg{max-width:100%;height:auto}
"""


def _days(first: str, last: str) -> list[str]:
    a, b = date.fromisoformat(first), date.fromisoformat(last)
    out: list[str] = []
    while a <= b and len(out) < 120:
        out.append(a.isoformat())
        a += timedelta(days=1)
    return out


def calendar(project: dict[str, Any]) -> str:
    """Days across, accounts down; a dot per post, coloured by status (hover for the time)."""
    posts = project.get("posts") or []
    dated = [p for p in posts if p.get("localDay")]
    if not dated:
        return "<p class='muted'>No scheduled posts.</p>"
    days = _days(min(p["localDay"] for p in dated), max(p["localDay"] for p in dated))
    handles = {a["id"]: a.get("handle") or a["id"] for a in project.get("socialAccounts", [])}
    accounts = sorted({p.get("socialAccountId") or "-" for p in dated})
    cell, label_w, head = 96, 150, 34
    per_cell: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for p in sorted(dated, key=lambda p: (p.get("localTime") or "", p.get("id") or "")):
        per_cell.setdefault((p.get("socialAccountId") or "-", p["localDay"]), []).append(p)
    height = max(len(v) for v in per_cell.values())
    row_h = max(40, 14 * height + 16)
    w, h = label_w + cell * len(days), head + row_h * len(accounts)
    out = [f"<svg width='{w}' height='{h}' viewBox='0 0 {w} {h}' role='img' aria-label='posting calendar'>"]
    for i, day in enumerate(days):
        x = label_w + i * cell
        weekday = datetime.fromisoformat(day).strftime("%a")
        out.append(f"<text x='{x + cell / 2}' y='14' text-anchor='middle' font-size='12' font-weight='600'>{weekday}</text>")
        out.append(f"<text x='{x + cell / 2}' y='28' text-anchor='middle' font-size='11' fill='#6b7280'>{day[5:]}</text>")
    for r, account in enumerate(accounts):
        y = head + r * row_h
        out.append(f"<text x='4' y='{y + row_h / 2 + 4}' font-size='12'>{escape(str(handles.get(account, account)))[:22]}</text>")
        for i, day in enumerate(days):
            x = label_w + i * cell
            out.append(f"<rect x='{x + 1}' y='{y + 1}' width='{cell - 2}' height='{row_h - 2}' rx='4' fill='#f6f7f9'/>")
            for k, p in enumerate(per_cell.get((account, day), [])):
                color = STATUS_COLORS.get(p.get("status") or "", "#6b7280")
                tip = escape(f"{p.get('localTime')} {p.get('status')} {p.get('id')}" + (f" ({p['lastError']})" if p.get("lastError") else ""))
                cy = y + 12 + k * 14
                out.append(f"<g><title>{tip}</title><circle cx='{x + 12}' cy='{cy}' r='5' fill='{color}'/>"
                           f"<text x='{x + 22}' y='{cy + 4}' font-size='11'>{escape(p.get('localTime') or '')}</text></g>")
    out.append("</svg>")
    legend = "".join(f"<span><i style='background:{c}'></i>{s}</span>" for s, c in STATUS_COLORS.items())
    return "".join(out) + f"<div class='legend'>{legend}</div>"


def line_chart(title: str, points: list[tuple[str, float]], width: int = 340, height: int = 150) -> str:
    if not points:
        return ""
    pad_l, pad_b, pad_t = 44, 22, 20
    top = max(v for _, v in points) or 1.0
    span_w, span_h = width - pad_l - 8, height - pad_b - pad_t
    step = span_w / max(1, len(points) - 1)
    coords = [(pad_l + i * step, pad_t + span_h * (1 - v / top)) for i, (_, v) in enumerate(points)]
    poly = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    out = [f"<svg class='chart' width='{width}' height='{height}' viewBox='0 0 {width} {height}' role='img' aria-label='{escape(title)}'>",
           f"<text x='{pad_l}' y='13' font-size='12' font-weight='600'>{escape(title)}</text>",
           f"<line x1='{pad_l}' y1='{pad_t + span_h}' x2='{width - 8}' y2='{pad_t + span_h}' stroke='#c3c7cf'/>",
           f"<text x='{pad_l - 4}' y='{pad_t + 4}' font-size='10' text-anchor='end' fill='#6b7280'>{_fmt(top)}</text>",
           f"<text x='{pad_l - 4}' y='{pad_t + span_h}' font-size='10' text-anchor='end' fill='#6b7280'>0</text>",
           f"<polyline points='{poly}' fill='none' stroke='#3b6fd4' stroke-width='2'/>"]
    for (label, value), (x, y) in zip(points, coords, strict=True):
        out.append(f"<g><title>{escape(label)}: {_fmt(value)}</title><circle cx='{x:.1f}' cy='{y:.1f}' r='3' fill='#3b6fd4'/></g>")
    last = len(points) - 1
    for i in sorted({0, last, len(points) // 2}):
        x = coords[i][0]  # the edge labels hang inward, so none is clipped by the chart's edge
        anchor = "start" if i == 0 and last else "end" if i == last and last else "middle"
        out.append(f"<text x='{x:.1f}' y='{height - 6}' font-size='10' text-anchor='{anchor}' fill='#6b7280'>{escape(points[i][0][5:10])}</text>")
    out.append("</svg>")
    return "".join(out)


def _fmt(value: float) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:.1f}M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:.0f}k"
    if value and abs(value) < 1:
        return f"{value:.3f}"
    return f"{value:g}"


def metrics(project: dict[str, Any]) -> str:
    series = (project.get("metrics") or {}).get("series") or []
    if not series:
        return "<p class='muted'>No metrics.</p>"
    keys = [k for k in series[0] if k != "bucket" and isinstance(series[0][k], (int, float))]
    charts = [line_chart(k, [(str(b["bucket"]), float(b.get(k) or 0)) for b in series]) for k in keys]
    totals = (project.get("metrics") or {}).get("totals") or {}
    table = "".join(f"<td><b>{escape(k)}</b> {_fmt(float(v))}</td>" for k, v in totals.items() if isinstance(v, (int, float)))
    return f"<div class='charts'>{''.join(charts)}</div><table><tr>{table}</tr></table>"


def timeline(data: dict[str, Any], tenant: str, info: dict[str, Any]) -> str:
    """Time across; one lane per event kind, plus the scenario's steps and notes."""
    start, end = parse_instant(info["start"]), parse_instant(info["end"])
    span = max((end - start).total_seconds(), 1.0)
    lanes: dict[str, list[tuple[float, str]]] = {}
    for s in data.get("steps", []):
        if s.get("tenant") == tenant and s["kind"] in ("advance", "poll", "note", "request") and s.get("at"):
            lane = "notes" if s["kind"] == "note" else "steps"
            lanes.setdefault(lane, []).append(((parse_instant(s["at"]) - start).total_seconds(), f"line {s['line']}: {s['label']}"))
    for e in info.get("timeline", []):
        kind = e.get("type") or e["kind"]
        lanes.setdefault(kind.split(".")[0] if e["kind"] == "event" else e["kind"], []).append(
            ((parse_instant(e["at"]) - start).total_seconds(), f"{e['at']} {kind}"))
    if not lanes:
        return "<p class='muted'>Nothing happened.</p>"
    names = sorted(lanes, key=lambda n: (n not in ("steps", "notes"), n))
    label_w, width, lane_h = 120, 1040, 22
    plot = width - label_w - 10
    h = 30 + lane_h * len(names)
    out = [f"<svg width='{width}' height='{h}' viewBox='0 0 {width} {h}' role='img' aria-label='run timeline'>"]
    days = int(span // 86400) + 1
    for d in range(days + 1):
        x = label_w + plot * min(d * 86400 / span, 1.0)
        out.append(f"<line x1='{x:.1f}' y1='18' x2='{x:.1f}' y2='{h}' stroke='#eef0f4'/>")
        if (d < days or days == 1) and x + 60 <= width:  # no day label that would run off the edge
            stamp = (start + timedelta(days=d)).strftime("%a %m-%d")
            out.append(f"<text x='{x + 3:.1f}' y='12' font-size='10' fill='#6b7280'>{stamp}</text>")
    for i, name in enumerate(names):
        y = 30 + i * lane_h
        color = KIND_COLORS[i % len(KIND_COLORS)]
        items = lanes[name]
        out.append(f"<text x='4' y='{y + 4}' font-size='11'>{escape(name)} ({len(items)})</text>")
        buckets = Counter(int(plot * min(t / span, 1.0)) for t, _ in items)
        tips: dict[int, str] = {}
        for t, tip in items:
            tips.setdefault(int(plot * min(t / span, 1.0)), tip)
        for px, n in sorted(buckets.items()):
            more = f" (+{n - 1} more)" if n > 1 else ""
            out.append(f"<g><title>{escape(tips[px] + more)}</title><rect x='{label_w + px - 1}' y='{y - 6}' width='3' "
                       f"height='12' fill='{color}' opacity='{min(1.0, 0.45 + 0.1 * n):.2f}'/></g>")
    out.append("</svg>")
    return "".join(out)


def _expectations(data: dict[str, Any]) -> str:
    rows = []
    for e in data.get("expectations", []):
        mark = "<span class='ok'>✔</span>" if e["ok"] else "<span class='bad'>✘</span>"
        rows.append(f"<tr><td>{mark}</td><td>{e['line']}</td><td>{escape(e['at'] or '')}</td>"
                    f"<td>{escape(e['description'])}</td><td>{'' if e['ok'] else escape(e['message'])}</td></tr>")
    return ("<table><tr><th></th><th>line</th><th>virtual time</th><th>expectation</th><th>failure</th></tr>"
            + "".join(rows) + "</table>")


def _top(project: dict[str, Any]) -> str:
    items = project.get("topPerformers") or []
    if not items:
        return ""
    rows = "".join(f"<tr><td>{i.get('rank')}</td><td>{escape(str(i.get('title') or i.get('platformPostId')))}</td>"
                   f"<td>{_fmt(float(i.get('metricValue') or 0))}</td></tr>" for i in items)
    return f"<h3>Top performers (views, 7d)</h3><table><tr><th>#</th><th>post</th><th>views</th></tr>{rows}</table>"


def render(data: dict[str, Any]) -> str:
    sc, res = data["scenario"], data["result"]
    verdict = "<span class='badge pass'>PASS</span>" if res["passed"] else "<span class='badge fail'>FAIL</span>"
    held = res["expectations"] - res["expectationsFailed"]
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(sc['name'])} — scenario report</title>",
             f"<style>{CSS}</style></head><body>",
             f"<h1>{escape(sc['name'])} {verdict}</h1>",
             f"<p class='muted'>{escape(sc['file'])} · seed {sc['seed']} · {held}/{res['expectations']} expectations held"
             f" · {res['errors']} error(s) · {data.get('wall', {}).get('elapsedSeconds', 0)} s wall</p>"]
    if sc.get("description"):
        parts.append(f"<p>{escape(sc['description'])}</p>")
    if res["failures"]:
        items = "".join(f"<li><code>{escape(f['file'])}:{f['line']}</code> {escape(f['message'])}</li>" for f in res["failures"])
        parts.append(f"<h2>Failures</h2><ul>{items}</ul>")
    if res.get("missingRoutes"):
        parts.append("<p class='muted'>Routes this emulator build does not have: "
                     + ", ".join(f"<code>{escape(r)}</code>" for r in res["missingRoutes"]) + "</p>")
    for name, info in data.get("tenants", {}).items():
        parts.append(f"<h2>Tenant {escape(name)} <span class='muted'>{escape(info['organizationId'])} · "
                     f"{escape(info['start'][:16])} → {escape(info['end'][:16])} UTC</span></h2>")
        for project in info.get("projects", []):
            parts.append(f"<h3>{escape(str(project.get('name')))} <span class='muted'>{escape(project['id'])} · "
                         f"{escape(str(project.get('timezone')))}</span></h3>")
            parts.append("<h3>Posting calendar</h3>" + calendar(project))
            parts.append("<h3>Metrics by day</h3>" + metrics(project))
            parts.append(_top(project))
        parts.append("<h3>Run timeline</h3>" + timeline(data, name, info))
    parts.append(f"<h2>Expectations</h2>{_expectations(data)}")
    notes = "".join(f"<li>{escape(n['at'] or '')} — {escape(str(n['text']))}</li>" for n in data.get("notes", []))
    if notes:
        parts.append(f"<h2>Notes</h2><ul>{notes}</ul>")
    steps = "".join(f"<tr><td>{s['seq']}</td><td>{s['line']}</td><td>{escape(s.get('at') or '')}</td><td>{escape(s['tenant'])}</td>"
                    f"<td>{escape(s['kind'])}</td><td>{escape(str(s['label']))}</td><td>{s.get('status', '')}</td></tr>"
                    for s in data.get("steps", []))
    parts.append("<details><summary>All steps</summary><table><tr><th>#</th><th>line</th><th>virtual time</th>"
                 f"<th>tenant</th><th>kind</th><th>step</th><th>status</th></tr>{steps}</table></details>")
    parts.append("</body></html>\n")
    return "".join(parts)
