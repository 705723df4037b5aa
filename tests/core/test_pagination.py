"""Cursor pagination: every item exactly once, even while other requests insert."""
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import Api, new_key


def _walk(api: Api, limit: int, during: Any = None) -> list[str]:
    seen, cursor = [], None
    while True:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        page = api.get("/v1/projects", params=params).json()
        seen += [p["id"] for p in page["items"]]
        if during:
            during()
        cursor = page["nextCursor"]
        if cursor is None:
            return seen


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(total=st.integers(0, 30), limit=st.integers(1, 12), inserts=st.integers(0, 3))
def test_property_every_item_exactly_once(client: Any, total: int, limit: int, inserts: int) -> None:
    api = Api(client, new_key())
    created = [api.project(name=f"Project {i:03d}")["id"] for i in range(total)]
    extra: list[str] = []

    def insert() -> None:
        for _ in range(inserts):
            extra.append(api.project(name=f"Late {len(extra):03d}")["id"])

    seen = _walk(api, limit, insert)
    assert len(seen) == len(set(seen))
    assert set(created) <= set(seen)
    assert set(seen) <= set(created) | set(extra)
    assert [s for s in seen if s in created] == list(reversed(created))  # newest first


@pytest.mark.parametrize("limit", ["0", "201", "ten", "-1"])
def test_out_of_range_limit_is_validation(api: Api, limit: str) -> None:
    r = api.get("/v1/projects", params={"limit": limit})
    assert r.status_code == 422
    assert r.json()["error"]["details"]["issues"][0]["path"] == "limit"


@pytest.mark.parametrize("cursor", ["not-base64!!", "bm9wZQ", "W10"])
def test_malformed_cursor_is_validation(api: Api, cursor: str) -> None:
    r = api.get("/v1/projects", params={"cursor": cursor})
    assert r.status_code == 422
    assert r.json()["error"]["details"]["issues"][0]["path"] == "cursor"


def test_last_page_has_null_cursor(api: Api) -> None:
    api.project()
    assert api.get("/v1/projects", params={"limit": 5}).json()["nextCursor"] is None
