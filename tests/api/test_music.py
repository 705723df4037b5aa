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


def test_previews_and_covers_are_served(api: Api) -> None:
    from urllib.parse import urlsplit

    track = api.get("/v1/tiktok-music").json()["tracks"][0]
    preview = api.client.get(urlsplit(track["previewUrl"]).path)  # no key: a public CDN
    assert preview.status_code == 200 and preview.headers["content-type"] == "audio/mpeg"
    assert preview.content[:2] == b"\xff\xfb" and len(preview.content) > 10_000  # MPEG-1 Layer III frames
    cover = api.client.get(urlsplit(track["coverUrl"]).path)
    assert cover.status_code == 200 and cover.headers["content-type"] == "image/png"
    assert cover.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert api.client.get(f"/media/tiktok-music/{track['id']}/other.mp3").status_code == 404
    missing = api.client.get("/media/tiktok-music/not-a-track/preview.mp3")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"


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
