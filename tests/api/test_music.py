"""GET /v1/tiktok-music: the seeded trending catalog."""
from __future__ import annotations

from tests.support import Api

FIELDS = {"id", "title", "author", "album", "duration", "previewUrl", "coverUrl", "language", "userCount",
          "isCommerceMusic"}


def test_catalog_has_fifty_documented_tracks_most_used_first(api: Api) -> None:
    r = api.get("/v1/tiktok-music")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["tracks"]) == 50
    assert all(set(t) == FIELDS for t in body["tracks"])
    counts = [t["userCount"] for t in body["tracks"]]
    assert counts == sorted(counts, reverse=True)
    assert len({t["id"] for t in body["tracks"]}) == 50


def test_media_urls_are_absolute(api: Api) -> None:
    track = api.get("/v1/tiktok-music").json()["tracks"][0]
    assert track["previewUrl"].startswith("http")
    assert track["coverUrl"].startswith("http")


def test_catalog_is_stable_within_a_window_and_redrawn_at_noon(api: Api) -> None:
    first = api.get("/v1/tiktok-music").json()["tracks"]
    api.advance(seconds=6 * 3600)
    assert api.get("/v1/tiktok-music").json()["tracks"] == first
    api.advance(seconds=6 * 3600)  # 12:00 UTC: the refresh cron has run
    later = api.get("/v1/tiktok-music").json()["tracks"]
    assert [t["id"] for t in later] != [t["id"] for t in first]


def test_two_tenants_see_the_same_catalog_at_the_same_instant(api: Api, client: object) -> None:
    other = Api(client, api.key + "_other")  # type: ignore[arg-type]
    assert api.get("/v1/tiktok-music").json() == other.get("/v1/tiktok-music").json()


def test_unknown_query_parameters_are_ignored(api: Api) -> None:
    assert api.get("/v1/tiktok-music", params={"genre": "pop"}).status_code == 200
