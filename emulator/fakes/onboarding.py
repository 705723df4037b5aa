"""Onboarding fakes: personas for influencers, a project's vertical and keyword bank, brand
extractions for ingest, social handles. Same seed + same inputs → same output.

Fixtures are loaded lazily (at first use) and a missing file degrades to a small built-in
fallback, so importing this module never fails.
"""
from __future__ import annotations

import re
from functools import cache
from typing import Any

from emulator.ids import stable_int

CDN = "https://cdn.layers.test"

_FALLBACK_PERSONAS = [
    {"name": "Ava Reyes", "gender": "female", "ageBand": "young_adult", "ethnicity": "Mexican-American",
     "vibe": "bright and candid", "bio": "Films honest first impressions.", "portraitSlug": "ava-reyes", "verticals": ["general"]},
    {"name": "Leo Park", "gender": "male", "ageBand": "young_adult", "ethnicity": "Korean-American",
     "vibe": "calm explainer", "bio": "Breaks things down in under a minute.", "portraitSlug": "leo-park", "verticals": ["general"]},
    {"name": "Sam Quinn", "gender": "nonbinary", "ageBand": "adult", "ethnicity": "Irish",
     "vibe": "dry wit", "bio": "Reviews apps with a raised eyebrow.", "portraitSlug": "sam-quinn", "verticals": ["general"]},
]
_FALLBACK_TAGS = [
    ("appreview", 92), ("musthaveapps", 90), ("appsyouneed", 88), ("techtok", 87), ("lifehack", 86),
    ("productivity", 84), ("dailyroutine", 83), ("newapp", 82), ("iphoneapps", 80), ("androidapps", 79),
    ("tipsandtricks", 78), ("smallbusiness", 76), ("startup", 75), ("selfimprovement", 74), ("howto", 72),
    ("recommendations", 71),
]


def _fixture(name: str) -> Any:
    try:
        from emulator.data import fixture

        return fixture(name)
    except (FileNotFoundError, ValueError):
        return None


def personas() -> list[dict[str, Any]]:
    data = _fixture("personas.json")
    return list(data["personas"]) if data else list(_FALLBACK_PERSONAS)


def verticals() -> list[dict[str, Any]]:
    data = _fixture("verticals.json")
    return list(data["verticals"]) if data else []


def extractions() -> dict[str, dict[str, Any]]:
    data = _fixture("brand_extractions.json")
    return dict(data["extractions"]) if data else {}


def v2_gender(value: str | None) -> str | None:
    return {"nonbinary": "non_binary", "non_binary": "non_binary", "female": "female", "male": "male"}.get(value or "")


def default_gender(target_gender: str | None) -> str:
    """The V2 chain: project targetGender when female/male, else female."""
    return target_gender if target_gender in ("female", "male") else "female"


@cache
def _vertical_patterns() -> list[tuple[str, list[re.Pattern[str]]]]:
    return [(v["id"], [re.compile(rf"\b{re.escape(kw)}\b") for kw in v.get("keywords", [])]) for v in verticals()]


@cache
def classify(text: str) -> str:
    """A project's vertical: most keyword hits in its name and description; else the fallback.
    Cached: content generation asks again for every piece it makes."""
    lowered = f" {text.lower()} "
    best, best_hits = "general", 0
    for vid, patterns in _vertical_patterns():
        hits = sum(1 for p in patterns if p.search(lowered))
        if hits > best_hits:
            best, best_hits = vid, hits
    return best


def pick_persona(seed: int, key: str, *, gender: str | None, vertical: str | None) -> dict[str, Any]:
    """A persona for an influencer: gender must match (V2 spelling) when any persona has it;
    personas of the project's vertical are preferred."""
    pool = personas()
    if gender:
        same = [p for p in pool if v2_gender(p.get("gender")) == gender]
        pool = same or pool
    if vertical:
        fits = [p for p in pool if vertical in (p.get("verticals") or [])]
        pool = fits or pool
    return pool[stable_int(seed, "persona", key) % len(pool)]


def portrait_urls(influencer_id: str, slug: str) -> tuple[str, str]:
    base = f"{CDN}/influencers/{influencer_id}/{slug}"
    return f"{base}.png", f"{base}-thumb.jpg"


def keyword_bank(seed: int, project_id: str, generation: int, text: str) -> list[dict[str, Any]]:
    """12-20 curated hashtags (score >= 70), sorted by score desc then viewCount desc."""
    vertical_id = classify(text)
    vertical = next((v for v in verticals() if v["id"] == vertical_id), None)
    if vertical is not None:
        candidates = [
            {"hashtag": h["tag"].lstrip("#"), "phrase": h["phrase"], "score": int(h["score"]),
             "viewCount": int(h["viewCount"]), "useCount": int(h["useCount"])}
            for h in vertical["hashtags"] if h["score"] >= 70
        ]
    else:
        candidates = [
            {"hashtag": tag, "phrase": tag, "score": score,
             "viewCount": stable_int(seed, "views", tag) % 900_000_000 + 1_000_000,
             "useCount": stable_int(seed, "uses", tag) % 900_000 + 10_000}
            for tag, score in _FALLBACK_TAGS
        ]
    size = min(len(candidates), 12 + stable_int(seed, "bank-size", project_id, generation) % 9)
    ranked = sorted(candidates, key=lambda c: stable_int(seed, "bank", project_id, generation, c["hashtag"]))
    chosen = ranked[:size]
    return sorted(chosen, key=lambda c: (-c["score"], -c["viewCount"], c["hashtag"]))


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def extraction_for(seed: int, *, url: str | None = None, bundle: str | None = None, repo: str | None = None) -> dict[str, Any]:
    """One brand extraction: exact match on domain / bundle id / package / repo, else a stable pick."""
    table = extractions()
    host = _host(url) if url else ""
    if host.startswith("www."):
        host = host[4:]
    for record in table.values():
        if host and record.get("domain") == host:
            return dict(record)
        if bundle and bundle in (record.get("iosBundleId"), record.get("androidPackage")):
            return dict(record)
        if repo and record.get("repoFullName", "").lower() == repo.lower():
            return dict(record)
    if not table:
        name = (host or bundle or repo or "app").split(".")[0].split("/")[-1][:30].title() or "App"
        name = name if len(name) >= 3 else f"{name} App"
        return {
            "appName": name, "tagline": f"{name}, made simple.",
            "appDescription": f"{name} helps people get more done every day with a simple, friendly app. "
                              "It turns everyday routines into small wins and keeps track of progress over time.",
            "brandVoice": "authentic", "targetGender": "all", "primaryLanguage": "en", "vertical": "general",
            "audience": "busy people who like simple tools", "icp": "Adults who download productivity apps.",
            "keywords": ["app", "daily routine", "productivity"], "platforms": ["ios", "android"],
        }
    keys = sorted(table)
    return dict(table[keys[stable_int(seed, "extraction", host or bundle or repo or "") % len(keys)]])


def social_identity(seed: int, project: dict[str, Any], platform: str, n: int) -> dict[str, str]:
    """A deterministic handle and display name for a connected account."""
    base = project.get("appName") or project.get("name") or "layers"
    slug = re.sub(r"[^a-z0-9]+", "", base.lower())[:18] or "layers"
    suffix = stable_int(seed, "handle", project["id"], platform, n) % 1000
    handle = slug if n == 1 else f"{slug}{suffix:03d}"
    if platform == "instagram":
        handle = f"{handle}.app" if n == 1 else handle
    return {"handle": handle, "displayName": base}


def leased_identity(seed: int, request_id: str, i: int, vertical: str) -> dict[str, Any]:
    word = re.sub(r"[^a-z0-9]+", "", vertical.lower())[:12] or "daily"
    n = stable_int(seed, "lease", request_id, i)
    return {"handle": f"{word}.{n % 100000:05d}", "followers": 800 + n % 24000}
