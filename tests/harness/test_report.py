"""The reports: the HTML page is self-contained and shows the calendar, curves and timeline."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from emulator.cli import main
from emulator.scenarios.html import render
from emulator.scenarios.report import strip_wall

POSTS = [
    {"id": "sp_1", "socialAccountId": "sa_1", "status": "published", "localDay": "2026-05-11", "localTime": "10:00",
     "scheduledFor": "2026-05-11T14:00:00.000Z", "publishedAt": "2026-05-11T14:00:06.000Z", "lastError": None},
    {"id": "sp_2", "socialAccountId": "sa_1", "status": "failed", "localDay": "2026-05-13", "localTime": "15:00",
     "scheduledFor": "2026-05-13T19:00:00.000Z", "publishedAt": None, "lastError": "CREDENTIAL_INVALID"},
    {"id": "sp_3", "socialAccountId": "sa_2", "status": "queued", "localDay": "2026-05-13", "localTime": "19:00",
     "scheduledFor": "2026-05-13T23:00:00.000Z", "publishedAt": None, "lastError": None},
]
DATA = {
    "scenario": {"name": "Week <one>", "description": "d", "file": "w.yaml", "seed": 1, "start": "2026-05-11T00:00:00Z"},
    "result": {"passed": False, "expectations": 2, "expectationsFailed": 1, "errors": 0,
               "failures": [{"file": "w.yaml", "line": 7, "message": "expected 3 & got 2"}], "missingRoutes": []},
    "steps": [{"seq": 1, "line": 5, "kind": "advance", "label": "advance P1D", "tenant": "main", "at": "2026-05-12T00:00:00.000Z"}],
    "expectations": [{"line": 7, "ok": False, "at": "2026-05-12T00:00:00.000Z", "description": "x", "message": "expected 3 & got 2"},
                     {"line": 8, "ok": True, "at": "2026-05-12T00:00:00.000Z", "description": "y", "message": ""}],
    "notes": [{"line": 9, "text": "warming up", "at": "2026-05-12T00:00:00.000Z"}],
    "tenants": {"main": {
        "organizationId": "org_1", "start": "2026-05-11T00:00:00.000Z", "end": "2026-05-18T00:00:00.000Z",
        "timeline": [{"at": "2026-05-11T14:00:06.000Z", "kind": "event", "type": "post.published", "data": {}},
                     {"at": "2026-05-13T19:00:00.000Z", "kind": "event", "type": "post.failed", "data": {}}],
        "projects": [{"id": "prj_1", "name": "Acme", "timezone": "America/New_York",
                      "socialAccounts": [{"id": "sa_1", "handle": "@acme"}], "posts": POSTS,
                      "metrics": {"series": [{"bucket": "2026-05-11", "views": 10, "engagement_rate": 0.05},
                                             {"bucket": "2026-05-12", "views": 400, "engagement_rate": 0.04}],
                                  "totals": {"views": 410, "post_count": 1}},
                      "topPerformers": [{"rank": 1, "title": "Best", "metricValue": 400}]}],
    }},
    "wall": {"elapsedSeconds": 1.5},
}


def test_html_is_self_contained_and_draws_each_part() -> None:
    page = render(DATA)
    assert page.startswith("<!doctype html>")
    assert "<script" not in page
    assert not re.search(r"""(src|href)\s*=\s*['"]?(https?:)?//""", page), "no external assets"
    assert "@import" not in page and "url(" not in page
    assert page.count("<svg") >= 4  # calendar, two metric curves, timeline
    assert "aria-label='posting calendar'" in page and "aria-label='run timeline'" in page
    assert "@acme" in page and "CREDENTIAL_INVALID" in page and "Best" in page
    assert "Week &lt;one&gt;" in page and "expected 3 &amp; got 2" in page
    assert "<span class='badge fail'>FAIL</span>" in page


def test_strip_wall_drops_only_wall_time_keys() -> None:
    data = {"wall": {"x": 1}, "runtimeMs": 3, "steps": [{"elapsedMs": 2, "at": "t"}], "kept": {"walls": 1}}
    assert strip_wall(data) == {"steps": [{"at": "t"}], "kept": {}}


def test_cli_writes_both_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: Reports\nsteps:\n  - request: POST /v1/projects\n    body: {name: Acme App, timezone: UTC}\n"
                    "  - advance: P2D\n  - note: done\n")
    out_json, out_html = tmp_path / "r" / "out.json", tmp_path / "out.html"
    assert main(["scenario", "run", str(path), "--no-progress", "--json", str(out_json), "--report", str(out_html)]) == 0
    report = json.loads(out_json.read_text())
    assert set(report) >= {"scenario", "result", "steps", "expectations", "tenants", "wall"}
    main_tenant = report["tenants"]["main"]
    assert main_tenant["start"] == "2026-05-11T00:00:00.000Z" and main_tenant["end"] == "2026-05-13T00:00:00.000Z"
    assert any(e["type"] == "clock.advanced" for e in main_tenant["timeline"])
    assert main_tenant["projects"][0]["name"] == "Acme App"
    page = out_html.read_text()
    assert "Reports" in page and "<svg" in page
    assert capsys.readouterr().out.startswith("PASS Reports")
