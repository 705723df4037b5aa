"""Arbitrary JSON at every content route answers the envelope (2xx or a documented 4xx), never 500."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.content_support import FITNESS
from tests.support import Api, new_key

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 3000), st.text(max_size=12), st.floats(allow_nan=False, allow_infinity=False))  # JSON has no inf
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=6)
KEYS = ["hook", "tiktokVideoId", "influencerId", "socialAccountId", "mediaId", "format", "variantCount", "brief",
        "id", "media", "caption", "files", "grouping", "policy", "firstN", "requiresApproval", "firstNPostsBlocked",
        "autoApproveAfter", "note", "reason", "projectId", "sourcePlatformPostId", "mode", "variations", "overrides"]
bodies = st.one_of(values, st.dictionaries(st.sampled_from(KEYS), values, max_size=5))
ROUTES = [
    ("POST", "/v1/projects/{p}/content/slideshow-builder"), ("POST", "/v1/projects/{p}/content/slideshow-remix"),
    ("POST", "/v1/projects/{p}/content/video-remix"), ("POST", "/v1/projects/{p}/content/ugc-remix"),
    ("POST", "/v1/projects/{p}/content"), ("POST", "/v1/projects/{p}/content/upload"),
    ("POST", "/v1/projects/{p}/content/uploads"), ("PATCH", "/v1/projects/{p}/content-review-policy"),
    ("PATCH", "/v1/projects/{p}/approval-policy"), ("POST", "/v1/content/{c}/approve"),
    ("POST", "/v1/content/{c}/reject"), ("POST", "/v1/content/{c}/finalize-upload"), ("PATCH", "/v1/content/{c}"),
    ("POST", "/v1/content/00000000-0000-4000-8000-00000000000a/clone-from-post"),
]


@pytest.mark.filterwarnings("ignore")
def test_no_route_answers_500(client: object) -> None:
    api = Api(client, new_key())  # type: ignore[arg-type]
    project = api.project(appName="Acme Lift", appDescription=FITNESS)
    cid = api.post(f"/v1/projects/{project['id']}/content/slideshow-builder", json={"hook": "x"}).json()["containerId"]

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(route=st.sampled_from(ROUTES), body=bodies)
    def check(route: tuple[str, str], body: object) -> None:
        method, path = route
        r = api.request(method, path.format(p=project["id"], c=cid), json=body)
        assert r.status_code < 500, r.text
        if r.status_code >= 400:
            assert r.json()["error"]["code"]

    check()
