"""Social accounts: OAuth connect through the sandbox consent page, status polling, list,
revoke, reauth, and the account-health control route."""
from __future__ import annotations

from typing import Any

from urllib.parse import parse_qs, urlsplit

from tests.support import Api

RETURN = "https://partner.example.com/social/callback"


def start(api: Api, project_id: str, platform: str = "tiktok", return_url: str = RETURN) -> dict:
    r = api.post(f"/v1/projects/{project_id}/social/oauth-url", json={"platform": platform, "returnUrl": return_url})
    assert r.status_code == 200, r.text
    return r.json()


def consent(api: Api, authorize_url: str, **params: str):
    extra = "".join(f"&{k}={v}" for k, v in params.items())
    return api.client.get(authorize_url + extra, follow_redirects=False)


def connect(api: Api, project_id: str, platform: str = "tiktok") -> dict:
    r = api.post(f"/_emulator/projects/{project_id}/social-accounts", json={"platform": platform})
    assert r.status_code == 200, r.text
    return r.json()


def test_oauth_flow_end_to_end_following_the_redirect(api: Api) -> None:
    p = api.project()
    oauth = start(api, p["id"])
    assert oauth["state"].startswith("st_")
    assert oauth["expiresAt"].startswith("2026-05-11T00:10:00")
    pending = api.get(f"/v1/social/oauth-status/{oauth['state']}").json()
    assert pending["status"] == "pending" and "socialAccountId" not in pending

    r = consent(api, oauth["authorizeUrl"])
    assert r.status_code == 302
    loc = urlsplit(r.headers["location"])
    assert f"{loc.scheme}://{loc.netloc}{loc.path}" == RETURN
    assert parse_qs(loc.query) == {"state": [oauth["state"]], "status": ["success"]}

    done = api.get(f"/v1/projects/{p['id']}/social/oauth-status", params={"state": oauth["state"]}).json()
    assert done["status"] == "completed" and done["socialAccountId"].startswith("sa_")
    accounts = api.get(f"/v1/projects/{p['id']}/social-accounts").json()["items"]
    assert [a["socialAccountId"] for a in accounts] == [done["socialAccountId"]]
    assert accounts[0]["status"] == "connected" and accounts[0]["platform"] == "tiktok"
    assert accounts[0]["leased"] is False
    events = api.events(type="social_account.connected")
    assert [e["data"]["socialAccountId"] for e in events] == [done["socialAccountId"]]


def test_consent_refused_redirects_with_error_and_state_fails(api: Api) -> None:
    p = api.project()
    oauth = start(api, p["id"], return_url="http://localhost:3000/cb?x=1")
    r = consent(api, oauth["authorizeUrl"], outcome="error")
    assert r.status_code == 302
    query = parse_qs(urlsplit(r.headers["location"]).query)
    assert query["status"] == ["error"] and query["x"] == ["1"]
    assert query["layers_oauth_error"] == ["ACCESS_DENIED"]
    status = api.get(f"/v1/social/oauth-status/{oauth['state']}").json()
    assert status["status"] == "failed" and status["error"]["code"] == "ACCESS_DENIED"
    assert api.get(f"/v1/projects/{p['id']}/social-accounts").json()["items"] == []


def test_state_expires_after_ten_minutes(api: Api) -> None:
    p = api.project()
    oauth = start(api, p["id"])
    api.advance(seconds=599)
    assert api.get(f"/v1/social/oauth-status/{oauth['state']}").json()["status"] == "pending"
    api.advance(seconds=1)
    status = api.get(f"/v1/social/oauth-status/{oauth['state']}").json()
    assert status["status"] == "failed" and status["error"]["code"] == "STATE_EXPIRED"
    r = consent(api, oauth["authorizeUrl"])
    assert parse_qs(urlsplit(r.headers["location"]).query)["layers_oauth_error"] == ["STATE_EXPIRED"]


def test_state_invisible_to_other_tenants(api: Api, client) -> None:
    p = api.project()
    oauth = start(api, p["id"])
    other = Api(client, api.key + "_other")
    assert other.get(f"/v1/social/oauth-status/{oauth['state']}").status_code == 404
    other_project = other.project()
    r = other.get(f"/v1/projects/{other_project['id']}/social/oauth-status", params={"state": oauth["state"]})
    assert r.status_code == 404


def test_return_url_allowlist_default(api: Api) -> None:
    p = api.project()
    for url in ("https://any.example.org/x", "http://localhost:8080/cb", "http://127.0.0.1/cb"):
        assert api.post(f"/v1/projects/{p['id']}/social/oauth-url", json={"platform": "instagram", "returnUrl": url}).status_code == 200
    r = api.post(f"/v1/projects/{p['id']}/social/oauth-url", json={"platform": "tiktok", "returnUrl": "http://evil.example.com/cb"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "RETURN_URL_NOT_ALLOWED"
    r = api.post(f"/v1/projects/{p['id']}/social/oauth-url", json={"platform": "tiktok", "returnUrl": "not a url"})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "returnUrl"
    r = api.post(f"/v1/projects/{p['id']}/social/oauth-url", json={"platform": "youtube", "returnUrl": RETURN})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "platform"


def test_return_url_allowlist_exact_hosts(api: Api) -> None:
    r = api.post("/_emulator/return-url-allowlist", json={"domains": ["app.partner.com"]})
    assert r.status_code == 200, r.text
    p = api.project()
    ok = api.post(f"/v1/projects/{p['id']}/social/oauth-url", json={"platform": "tiktok", "returnUrl": "https://APP.partner.com/cb"})
    assert ok.status_code == 200
    r = api.post(f"/v1/projects/{p['id']}/social/oauth-url", json={"platform": "tiktok", "returnUrl": "https://other.partner.com/cb"})
    assert r.status_code == 403


def test_a_key_minted_with_allowed_return_domains_matches_hosts_exactly(client: Any) -> None:
    r = client.post("/_emulator/keys", json={"allowedReturnDomains": ["App.Partner.com", "localhost"]})
    assert r.status_code == 200, r.text
    assert r.json()["allowedReturnDomains"] == ["app.partner.com", "localhost"]
    api = Api(client, r.json()["apiKey"])
    p = api.project()
    url = f"/v1/projects/{p['id']}/social/oauth-url"
    assert api.post(url, json={"platform": "tiktok", "returnUrl": "https://app.partner.com/cb"}).status_code == 200
    assert api.post(url, json={"platform": "tiktok", "returnUrl": "http://localhost:3000/cb"}).status_code == 200
    r = api.post(url, json={"platform": "tiktok", "returnUrl": "https://any.example.org/cb"})  # open by default, not here
    assert r.status_code == 403 and r.json()["error"]["code"] == "RETURN_URL_NOT_ALLOWED"
    bad = client.post("/_emulator/keys", json={"allowedReturnDomains": ["https://app.partner.com/"]})
    assert bad.status_code == 422 and bad.json()["error"]["details"]["issues"][0]["path"] == "allowedReturnDomains.0"


def test_revoke_then_revoke_again_is_404(api: Api) -> None:
    p = api.project()
    account = connect(api, p["id"])
    r = api.delete(f"/v1/social-accounts/{account['socialAccountId']}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "disconnected" and body["disconnectedReason"] == "revoked_by_partner"
    assert body["canceledScheduledPosts"] == 0
    assert api.delete(f"/v1/social-accounts/{account['socialAccountId']}").status_code == 404
    listed = api.get(f"/v1/projects/{p['id']}/social-accounts", params={"status": "disconnected"}).json()["items"]
    assert [a["socialAccountId"] for a in listed] == [account["socialAccountId"]]
    assert api.events(type="social_account.revoked")[0]["data"]["socialAccountId"] == account["socialAccountId"]


def test_revoke_malformed_id_is_400(api: Api) -> None:
    r = api.delete("/v1/social-accounts/nope")
    assert r.status_code == 400 and r.json()["error"]["code"] == "VALIDATION"


def test_token_error_marks_account_reauth_required_until_reconnected(api: Api) -> None:
    p = api.project()
    account = connect(api, p["id"])
    sid = account["socialAccountId"]
    r = api.post(f"/_emulator/social-accounts/{sid}", json={"tokenError": "refresh_token revoked"})
    assert r.status_code == 200 and r.json()["healthy"] is False
    listed = api.get(f"/v1/projects/{p['id']}/social-accounts", params={"status": "reauth_required"}).json()["items"]
    assert [a["socialAccountId"] for a in listed] == [sid]
    assert api.events(type="social_account.needs_reauth")[0]["data"]["reason"] == "refresh_token revoked"

    r = api.post(f"/v1/projects/{p['id']}/social/reauth-url", json={"socialAccountId": sid, "returnUrl": RETURN})
    assert r.status_code == 200, r.text
    redirect = consent(api, r.json()["authorizeUrl"])
    assert parse_qs(urlsplit(redirect.headers["location"]).query)["status"] == ["success"]
    status = api.get(f"/v1/social/oauth-status/{r.json()['state']}").json()
    assert status["socialAccountId"] == sid
    items = api.get(f"/v1/projects/{p['id']}/social-accounts").json()["items"]
    assert [(a["socialAccountId"], a["status"]) for a in items] == [(sid, "connected")]


def test_clearing_token_error_restores_health(api: Api) -> None:
    p = api.project()
    sid = connect(api, p["id"])["socialAccountId"]
    api.post(f"/_emulator/social-accounts/{sid}", json={"tokenError": "expired"})
    r = api.post(f"/_emulator/social-accounts/{sid}", json={"tokenError": None, "temperature": "hot"})
    assert r.json()["healthy"] is True and r.json()["temperaturePin"] == "hot" and r.json()["status"] == "connected"
    r = api.post(f"/_emulator/social-accounts/{sid}", json={"temperature": "tepid"})
    assert r.status_code == 422


def test_reauth_url_is_strict_and_checks_account(api: Api) -> None:
    p = api.project()
    sid = connect(api, p["id"])["socialAccountId"]
    r = api.post(f"/v1/projects/{p['id']}/social/reauth-url", json={"socialAccountId": sid, "returnUrl": RETURN, "extra": 1})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "extra"
    r = api.post(f"/v1/projects/{p['id']}/social/reauth-url", json={"socialAccountId": "sa_x", "returnUrl": RETURN})
    assert r.status_code == 422


def test_list_filters_and_cursor(api: Api) -> None:
    p = api.project()
    ids = []
    for platform in ("tiktok", "instagram", "tiktok"):
        ids.append(connect(api, p["id"], platform)["socialAccountId"])
        api.advance(seconds=1)
    first = api.get(f"/v1/projects/{p['id']}/social-accounts", params={"limit": 2}).json()
    assert [a["socialAccountId"] for a in first["items"]] == [ids[2], ids[1]]
    second = api.get(f"/v1/projects/{p['id']}/social-accounts", params={"limit": 2, "cursor": first["nextCursor"]}).json()
    assert [a["socialAccountId"] for a in second["items"]] == [ids[0]] and second["nextCursor"] is None
    tiktok = api.get(f"/v1/projects/{p['id']}/social-accounts", params={"platform": "tiktok"}).json()["items"]
    assert len(tiktok) == 2
    assert api.get(f"/v1/projects/{p['id']}/social-accounts", params={"limit": 201}).status_code == 422


def test_force_oauth_control_route(api: Api) -> None:
    p = api.project()
    oauth = start(api, p["id"])
    r = api.post(f"/_emulator/oauth/{oauth['state']}", json={"outcome": "error", "errorCode": "PLATFORM_ERROR"})
    assert r.status_code == 200 and r.json()["error"]["code"] == "PLATFORM_ERROR"


def test_httpx_follows_the_consent_redirect_back_to_return_url(api: Api) -> None:
    p = api.project()
    oauth = start(api, p["id"], return_url="https://testserver/_emulator/health")
    r = api.client.get(oauth["authorizeUrl"], follow_redirects=True)
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert [h.status_code for h in r.history] == [302]
    assert parse_qs(r.url.query.decode())["state"] == [oauth["state"]]
    assert api.get(f"/v1/social/oauth-status/{oauth['state']}").json()["status"] == "completed"


def test_health_snapshot_follows_pin_and_token_error(api: Api) -> None:
    p = api.project()
    sid = connect(api, p["id"])["socialAccountId"]
    fresh = api.get(f"/v1/social-accounts/{sid}/health").json()
    assert fresh["tier"] == "new" and fresh["healthy"] is True and 0 <= fresh["score"] <= 100
    api.post(f"/_emulator/social-accounts/{sid}", json={"temperature": "hot", "tokenError": "expired"})
    hot = api.get(f"/v1/social-accounts/{sid}/health").json()
    assert hot["tier"] == "hot" and hot["healthy"] is False and hot["score"] > fresh["score"]
    assert api.get("/v1/social-accounts/sa_00000000-0000-4000-8000-000000000000/health").status_code == 404


def test_server_flag_allowlist_restricts_return_urls() -> None:
    from tests.support import emulator_client

    with emulator_client(return_url_allowlist=("app.partner.com", "localhost")) as client:
        api = Api(client, "lp_test_allowlist")
        p = api.project()
        url = f"/v1/projects/{p['id']}/social/oauth-url"
        assert api.post(url, json={"platform": "tiktok", "returnUrl": "https://app.partner.com/cb"}).status_code == 200
        assert api.post(url, json={"platform": "tiktok", "returnUrl": "http://localhost:3000/cb"}).status_code == 200
        r = api.post(url, json={"platform": "tiktok", "returnUrl": "https://any.example.org/cb"})
        assert r.status_code == 403 and r.json()["error"]["code"] == "RETURN_URL_NOT_ALLOWED"
