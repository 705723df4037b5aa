"""Random URLs through the app-media route: always 201 or a 422 naming `url`, never a 500, and
never a 201 for a host that is an IP literal."""
from __future__ import annotations

import ipaddress

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import Api

HOSTS = st.one_of(
    st.ip_addresses().map(lambda ip: f"[{ip}]" if ip.version == 6 else str(ip)),
    st.integers(0, 2**32 - 1).map(str),
    st.integers(0, 2**32 - 1).map(hex),
    st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z]{2,5}){1,2}", fullmatch=True),
    st.text(max_size=20),
)
URLS = st.builds(
    lambda scheme, host, path: f"{scheme}://{host}/{path}",
    st.sampled_from(["https", "http", "ftp", "HTTPS"]), HOSTS,
    st.sampled_from(["a.png", "b.mp4", "logo.svg", "x", "p/q.webp?emulator-size=10"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(url=URLS)
def test_app_media_url_fuzz(api: Api, url: str) -> None:
    project_id = api.__dict__.setdefault("_fuzz_project", api.project()["id"])
    r = api.post(f"/v1/projects/{project_id}/app-media", json={"kind": "logo", "url": url})
    assert r.status_code in (201, 422), (url, r.text)
    if r.status_code == 422:
        assert r.json()["error"]["details"]["issues"][0]["path"] in ("url", "kind")
        return
    host = url.split("://", 1)[1].split("/", 1)[0].strip("[]")
    try:
        ipaddress.ip_address(host)
        raise AssertionError(f"IP literal accepted: {url}")
    except ValueError:
        pass
    assert not host.isdigit()
