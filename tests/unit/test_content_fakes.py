"""The content fakes: deterministic source picks, hooks banks and captions from the fixtures."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.fakes import content as fake

PROJECT = {
    "id": "prj_1", "name": "Acme", "appName": "Acme Lift",
    "appDescription": "A workout planner for gym beginners with strength training plans and workout logging.",
}
kinds = st.sampled_from(["video", "slideshow", "mixed"])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), kind=kinds, limit=st.integers(1, 20))
def test_portfolio_is_deterministic_and_respects_kind_and_limit(seed: int, kind: str, limit: int) -> None:
    a = fake.portfolio(seed, PROJECT, kind, limit)
    assert a == fake.portfolio(seed, PROJECT, kind, limit)
    assert len(a) == limit
    assert len({s["tiktokId"] for s in a}) == limit
    if kind != "mixed":
        assert all(s["kind"] == kind for s in a)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), keyword=st.text(min_size=1, max_size=40), kind=kinds)
def test_live_search_never_empty(seed: int, keyword: str, kind: str) -> None:
    items = fake.live_search(seed, keyword, kind, 20)
    assert len(items) == 20 and items == fake.live_search(seed, keyword, kind, 20)


def test_portfolio_leads_with_the_project_vertical() -> None:
    picks = fake.portfolio(0, PROJECT, "mixed", 10)
    assert fake.vertical_of(PROJECT) == "fitness"
    assert all(s["vertical"] == "fitness" for s in picks)


def test_lookup_knows_catalogue_ids_only() -> None:
    first = fake.portfolio(0, PROJECT, "video", 1)[0]
    assert fake.lookup(first["tiktokId"])["kind"] == "video"
    assert fake.lookup("7301234567890123456") is None


@settings(deadline=None)
@given(call_no=st.integers(0, 500))
def test_hooks_bank_is_twenty_filled_lines(call_no: int) -> None:
    bank = fake.hooks_bank(0, PROJECT, call_no)
    assert len(bank) == 20
    assert all("{" not in h and "\n" not in h for h in bank)
    assert bank == fake.hooks_bank(0, PROJECT, call_no)
    assert bank != fake.hooks_bank(0, PROJECT, call_no + 1)


def test_source_item_shape() -> None:
    s = fake.portfolio(0, PROJECT, "slideshow", 1)[0]
    item = fake.source_item(s, "https://x/thumb.png")
    assert set(item) >= {"tiktokId", "kind", "thumbnailUrl", "caption", "author", "stats", "imageCount"}
    assert set(item["author"]) == {"handle", "displayName"}


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), count=st.integers(1, 12), key=st.text(min_size=1, max_size=30))
def test_slide_texts_lead_with_the_hook_then_rotate_the_vertical_hooks(seed: int, count: int, key: str) -> None:
    texts = fake.slide_texts("My hook", count, PROJECT, seed, key)
    v = fake.vertical(fake.vertical_of(PROJECT))
    filled = [fake._fill(t, app="Acme Lift", audience=v["audiences"][0]) for t in v["hooks"]]
    base = fake.stable_int(seed, "slides", key)
    assert texts == ["My hook"] + [filled[(base + i) % len(filled)] for i in range(1, count)]
    assert all("{" not in t for t in texts)
