"""Content fakes: the TikTok-like source catalogue, hooks banks, captions and slide text, drawn
deterministically from `fixtures/sources.json` and `fixtures/verticals.json` (loaded lazily,
once). Pure: (seed, inputs) → data; no clock, store or network."""
from __future__ import annotations

import re
from functools import cache
from typing import Any

from emulator.data import fixture
from emulator.fakes.onboarding import classify
from emulator.ids import stable_int


@cache
def _sources() -> list[dict[str, Any]]:
    return list(fixture("sources.json")["sources"])


@cache
def _by_id() -> dict[str, dict[str, Any]]:
    return {s["tiktokId"]: s for s in _sources()}


@cache
def _verticals() -> dict[str, dict[str, Any]]:
    return {v["id"]: v for v in fixture("verticals.json")["verticals"]}


def fallback_vertical() -> str:
    return str(fixture("verticals.json").get("fallback", "general"))


def vertical_of(project: dict[str, Any]) -> str:
    """The project's vertical from its app name and description (onboarding's classifier, so
    every area agrees)."""
    text = " ".join(str(project.get(k) or "") for k in ("appName", "appDescription", "name"))
    return classify(text)


def vertical(vid: str) -> dict[str, Any]:
    return _verticals().get(vid) or _verticals()[fallback_vertical()]


# ---------------------------------------------------------------------------- sources


def lookup(tiktok_id: str) -> dict[str, Any] | None:
    return _by_id().get(tiktok_id)


def _kind_ok(source: dict[str, Any], kind: str) -> bool:
    return kind == "mixed" or source["kind"] == kind


def _interleave(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`mixed`: alternate slideshows and videos, keeping each kind's order."""
    slides = [s for s in items if s["kind"] == "slideshow"]
    videos = [s for s in items if s["kind"] == "video"]
    out: list[dict[str, Any]] = []
    for i in range(max(len(slides), len(videos))):
        out.extend(x[i] for x in (slides, videos) if i < len(x))
    return out


def portfolio(seed: int, project: dict[str, Any], kind: str, limit: int) -> list[dict[str, Any]]:
    """On-brand posts for a project: its vertical's posts first (by engagement, with a per-project
    shuffle), then posts of other verticals; empty for a project without a description."""
    if not project.get("appDescription"):
        return []
    vid = vertical_of(project)
    pid = project["id"]

    def rank(s: dict[str, Any]) -> tuple[int, int]:
        return (0 if s["vertical"] == vid else 1, stable_int(seed, "portfolio", pid, s["tiktokId"]) % 1000
                - min(999, s["stats"]["views"] // 4000))

    pool = sorted((s for s in _sources() if _kind_ok(s, kind)), key=rank)
    chosen = pool[:limit] if kind != "mixed" else _interleave(pool[: limit * 2])[:limit]
    return chosen


@cache
def _haystacks() -> dict[str, tuple[str, str]]:
    """Per source: (its keywords + caption, its vertical's top hashtag phrases), lower-case."""
    out = {}
    for s in _sources():
        tags = " ".join(h["phrase"] for h in vertical(s["vertical"]).get("hashtags", [])[:15]).lower()
        out[s["tiktokId"]] = (" ".join([*s["keywords"], s["caption"].lower()]), tags)
    return out


def live_search(seed: int, keyword: str, kind: str, limit: int) -> list[dict[str, Any]]:
    """Keyword search: posts whose keywords, caption or vertical hashtags match the words of the
    keyword, best match first; padded with a keyword-seeded draw so it is never empty."""
    words = [w for w in re.split(r"[^a-z0-9]+", keyword.lower().lstrip("#")) if w]
    phrase = " ".join(words)
    patterns = [re.compile(rf"\b{re.escape(w)}") for w in words]
    hay = _haystacks()

    def score(s: dict[str, Any]) -> int:
        text, tags = hay[s["tiktokId"]]
        points = 6 if phrase and phrase in text else 0
        points += sum(3 for p in patterns if p.search(text))
        points += sum(1 for p in patterns if p.search(tags))
        return points

    pool = [s for s in _sources() if _kind_ok(s, kind)]
    scores = {s["tiktokId"]: score(s) for s in pool}
    hits = sorted((s for s in pool if scores[s["tiktokId"]] > 0),
                  key=lambda s: (-scores[s["tiktokId"]], -s["stats"]["views"], s["tiktokId"]))
    rest = sorted((s for s in pool if scores[s["tiktokId"]] == 0),
                  key=lambda s: stable_int(seed, "live", phrase, s["tiktokId"]))
    ordered = hits + rest
    return ordered[:limit] if kind != "mixed" else _interleave(ordered[: limit * 2])[:limit]


def source_item(s: dict[str, Any], thumbnail_url: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "tiktokId": s["tiktokId"],
        "kind": s["kind"],
        "thumbnailUrl": thumbnail_url,
        "caption": s["caption"],
        "author": {"handle": s["author"]["handle"], "displayName": s["author"]["displayName"]},
        "stats": {k: s["stats"][k] for k in ("views", "likes", "comments", "shares")},
    }
    if s["kind"] == "slideshow":
        item["imageCount"] = s["imageCount"]
    else:
        item["durationMs"] = s["durationMs"]
    item["postedDaysAgo"] = s["postedDaysAgo"]
    return item


# ---------------------------------------------------------------------------- text


def _fill(template: str, *, app: str, audience: str, hashtags: str = "") -> str:
    return template.replace("{appName}", app).replace("{audience}", audience).replace("{hashtags}", hashtags).strip()


def hooks_bank(seed: int, project: dict[str, Any], call_no: int, size: int = 20) -> list[str]:
    """`size` hooks in the project's vertical, rotating with the call number so every call is
    fresh; line breaks stay the two-character `\\n` sequence."""
    v = vertical(vertical_of(project))
    templates, audiences = v["hooks"], v["audiences"] or ["people like you"]
    app = project.get("appName") or project.get("name") or "the app"
    start = (stable_int(seed, "hooks", project["id"]) + call_no * 7) % len(templates)
    out = []
    for i in range(size):
        t = templates[(start + i) % len(templates)]
        audience = audiences[(start + i + call_no) % len(audiences)]
        out.append(_fill(t, app=app, audience=audience))
    return out


def first_hook(seed: int, project: dict[str, Any], n: int) -> str:
    return hooks_bank(seed, project, n, size=1)[0]


def caption(seed: int, project: dict[str, Any], key: str, bank: list[str] | None = None) -> str:
    """A caption from the vertical's templates; `{hashtags}` = the project's keyword bank (top 3)
    when it has landed, else the vertical's top tags."""
    v = vertical(vertical_of(project))
    tags = " ".join(f"#{t.lstrip('#')}" for t in bank[:3]) if bank else " ".join(h["tag"] for h in v.get("hashtags", [])[:3])
    templates = v["captions"] or ["{appName} {hashtags}"]
    t = templates[stable_int(seed, "caption", key) % len(templates)]
    audience = (v["audiences"] or ["you"])[stable_int(seed, "aud", key) % max(1, len(v["audiences"]))]
    return _fill(t, app=project.get("appName") or project.get("name") or "the app", audience=audience, hashtags=tags)


def remix_hook(seed: int, project: dict[str, Any], source: dict[str, Any] | None, key: str) -> str:
    """The overlay text a remix adapts from its source: the source's opening words re-pointed at
    the app (unknown sources get a hook from the bank)."""
    app = project.get("appName") or project.get("name") or "this app"
    if source is None:
        return first_hook(seed, project, stable_int(seed, "remix", key) % 97)
    opening = re.split(r"\s#", source["caption"])[0].strip()
    words = opening.split()
    if len(words) > 9:
        opening = " ".join(words[:9]) + "…"
    return f"{opening}\\n(made with {app})"


def slide_texts(hook: str, count: int, project: dict[str, Any], seed: int, key: str) -> list[str]:
    """Per-slide overlay text: the hook on slide 1, brand lines after."""
    v = vertical(vertical_of(project))
    app = project.get("appName") or project.get("name") or "the app"
    hooks, audience = v["hooks"], (v["audiences"] or ["you"])[0]
    base = stable_int(seed, "slides", key)
    return [hook] + [_fill(hooks[(base + i) % len(hooks)], app=app, audience=audience) for i in range(1, count)]
