"""The onboarding fakes are pure and deterministic."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from emulator.fakes import onboarding as fakes


@given(st.integers(0, 2**32), st.text(min_size=1, max_size=20), st.sampled_from(["female", "male", "non_binary"]))
def test_persona_pick_is_stable_and_respects_gender(seed: int, key: str, gender: str) -> None:
    a = fakes.pick_persona(seed, key, gender=gender, vertical="fitness")
    assert a == fakes.pick_persona(seed, key, gender=gender, vertical="fitness")
    assert fakes.v2_gender(a["gender"]) == gender


@given(st.integers(0, 2**32), st.text(max_size=200), st.integers(0, 50))
def test_keyword_bank_bounds_and_order(seed: int, text: str, generation: int) -> None:
    bank = fakes.keyword_bank(seed, "prj_x", generation, text)
    assert 12 <= len(bank) <= 20
    assert all(t["score"] >= 70 for t in bank)
    assert bank == sorted(bank, key=lambda t: (-t["score"], -t["viewCount"], t["hashtag"]))
    assert bank == fakes.keyword_bank(seed, "prj_x", generation, text)
    assert len({t["hashtag"] for t in bank}) == len(bank)


def test_classify_uses_vertical_keywords() -> None:
    assert fakes.classify("a workout tracker for gym lifting and cardio") == "fitness"
    assert fakes.classify("zzz qqq") == "general"


def test_extraction_exact_matches_then_stable_pick() -> None:
    table = fakes.extractions()
    some = next(iter(table.values()))
    assert fakes.extraction_for(0, url=f"https://www.{some['domain']}/about")["appName"] == some["appName"]
    assert fakes.extraction_for(0, bundle=some["iosBundleId"])["appName"] == some["appName"]
    assert fakes.extraction_for(0, repo=some["repoFullName"].upper())["appName"] == some["appName"]
    assert fakes.extraction_for(3, repo="acme/x") == fakes.extraction_for(3, repo="acme/x")
