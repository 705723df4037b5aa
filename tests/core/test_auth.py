"""Keys and tenants (CONTRACT §2; platform sheet §2, §4, §5)."""
from __future__ import annotations

from typing import Any

import pytest

from emulator.auth import mint_key_string
from tests.support import Api, emulator_client, new_key

FULL = mint_key_string(99, 1)


def _code(r: Any) -> str:
    return str(r.json()["error"]["code"])


def test_both_headers_reach_the_same_tenant(client: Any) -> None:
    key = new_key()
    a = client.get("/v1/whoami", headers={"Authorization": f"Bearer {key}"})
    b = client.get("/v1/whoami", headers={"X-Api-Key": key})
    assert a.status_code == b.status_code == 200
    assert a.json()["organizationId"] == b.json()["organizationId"]


def test_x_api_key_wins_over_bearer(client: Any) -> None:
    one, two = new_key(), new_key()
    org_two = client.get("/v1/whoami", headers={"X-Api-Key": two}).json()["organizationId"]
    both = client.get("/v1/whoami", headers={"X-Api-Key": two, "Authorization": f"Bearer {one}"})
    assert both.json()["organizationId"] == org_two


@pytest.mark.parametrize(
    "headers, needle",
    [
        pytest.param({}, "Missing", id="missing"),
        pytest.param({"Authorization": "Basic abc"}, "Missing", id="not-bearer"),
        pytest.param({"X-Api-Key": "sk_test_123"}, "Malformed", id="foreign-shape"),
        pytest.param({"X-Api-Key": "lp_test_"}, "Malformed", id="empty-test-key"),
        pytest.param({"X-Api-Key": "lp_live_ABCDEFGHJKMNPQRS_" + "a" * 43}, "test keys only", id="live"),
    ],
)
def test_bad_keys_are_unauthenticated(client: Any, headers: dict[str, str], needle: str) -> None:
    r = client.get("/v1/whoami", headers=headers)
    assert r.status_code == 401
    body = r.json()["error"]
    assert body["code"] == "UNAUTHENTICATED"
    assert needle.lower() in body["message"].lower()
    assert body["requestId"].startswith("req_") and r.headers["X-Request-Id"] == body["requestId"]


def test_full_shape_key_binds_its_keyid(client: Any) -> None:
    key = mint_key_string(7, 7)
    assert client.get("/v1/whoami", headers={"X-Api-Key": key}).status_code == 200
    prefix = key.rsplit("_", 1)[0] if key.count("_") == 3 else "_".join(key.split("_")[:3])
    other_secret = "_".join(key.split("_")[:3]) + "_" + "b" * 43
    assert other_secret != key and prefix
    r = client.get("/v1/whoami", headers={"X-Api-Key": other_secret})
    assert r.status_code == 401 and _code(r) == "UNAUTHENTICATED"


def test_whoami_fields(api: Api) -> None:
    body = api.get("/v1/whoami").json()
    assert body["organizationId"].startswith("org_")
    assert body["workspaceId"] == body["organizationId"]
    assert body["apiKeyId"].startswith("key_")
    assert body["rateLimitTier"] == "sandbox"
    assert body["parentOrganizationId"] is None
    assert body["creditBalance"] == api.get("/v1/credits").json()["balance"]


def test_credits_wallet_never_burns_in_the_sandbox(api: Api) -> None:
    wallet = api.get("/v1/credits").json()
    assert wallet["balance"] == wallet["includedRemaining"] + wallet["prepaidBalance"]
    assert wallet["available"] == wallet["balance"] - wallet["reservedCredits"]
    assert set(wallet["estimatedCreditsPerFormat"]) >= {"slideshow_builder", "video_remix", "ugc_remix"}
    assert wallet["ingestCostsBilled"] == {"github": False, "website": False, "appstore": False}
    events = api.get("/v1/credits/events").json()
    assert events == {"items": [], "nextCursor": None}


def test_credit_events_since_must_end_in_z(api: Api) -> None:
    r = api.get("/v1/credits/events", params={"since": "2026-05-01T00:00:00+00:00"})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "since"


def test_killed_key_is_stopped_on_the_next_request(api: Api) -> None:
    key_id = api.get("/v1/whoami").json()["apiKeyId"]
    r = api.post(f"/v1/api-keys/{key_id}/kill")
    assert r.status_code == 200
    assert r.json()["killed"] is True and r.json()["apiKey"]["killSwitch"] is True
    after = api.get("/v1/whoami")
    assert after.status_code == 503
    assert after.json()["error"]["code"] == "KILL_SWITCH"
    assert after.json()["error"]["details"] == {"scope": "key"}


def test_rotate_gives_a_new_secret_and_kills_the_old(client: Any) -> None:
    old = Api(client, mint_key_string(5, 55))
    key_id = old.get("/v1/whoami").json()["apiKeyId"]
    project = old.project()
    r = old.post(f"/v1/api-keys/{key_id}/rotate")
    assert r.status_code == 200
    secret = r.json()["secret"]
    assert secret.startswith("lp_test_") and secret != old.key
    assert r.json()["apiKey"]["id"] == key_id
    assert old.get("/v1/whoami").status_code == 401
    new = Api(client, secret)
    assert new.get(f"/v1/projects/{project['id']}").status_code == 200


def test_a_killed_key_cannot_rotate_itself(client: Any) -> None:
    api = Api(client, mint_key_string(5, 56))
    key_id = api.get("/v1/whoami").json()["apiKeyId"]
    api.post(f"/v1/api-keys/{key_id}/kill")
    r = api.post(f"/v1/api-keys/{key_id}/rotate")
    assert r.status_code == 503 and r.json()["error"]["code"] == "KILL_SWITCH"


def test_foreign_key_id_is_not_found(api: Api, client: Any) -> None:
    other = Api(client, new_key())
    foreign = other.get("/v1/whoami").json()["apiKeyId"]
    r = api.post(f"/v1/api-keys/{foreign}/kill")
    assert r.status_code == 404 and _code(r) == "NOT_FOUND"
    assert other.get("/v1/whoami").status_code == 200


def test_tenants_never_see_each_other(api: Api, client: Any) -> None:
    project = api.project()
    other = Api(client, new_key())
    r = other.get(f"/v1/projects/{project['id']}")
    assert r.status_code == 404 and _code(r) == "NOT_FOUND"
    assert other.get("/v1/projects").json()["items"] == []


def test_strict_keys_accept_only_minted_keys() -> None:
    with emulator_client(strict_keys=True) as client:
        r = client.get("/v1/whoami", headers={"X-Api-Key": "lp_test_anything"})
        assert r.status_code == 401 and "strict" in r.json()["error"]["message"].lower()
        minted = client.post("/_emulator/keys", json={}).json()
        assert minted["apiKey"].startswith("lp_test_") and minted["organizationId"].startswith("org_")
        ok = client.get("/v1/whoami", headers={"X-Api-Key": minted["apiKey"]})
        assert ok.status_code == 200 and ok.json()["organizationId"] == minted["organizationId"]
        default = client.app.state.emulator.default_key
        assert client.get("/v1/whoami", headers={"X-Api-Key": default}).status_code == 200


def test_minted_key_carries_its_own_start(client: Any) -> None:
    minted = client.post("/_emulator/keys", json={"start": "2027-01-01T09:00:00Z"}).json()
    clock = client.get("/_emulator/clock", headers={"X-Api-Key": minted["apiKey"]}).json()
    assert clock == {"now": "2027-01-01T09:00:00.000Z", "mode": "virtual"}


def test_minted_keys_are_deterministic_per_seed() -> None:
    def mint_two() -> list[str]:
        with emulator_client(seed=42) as c:
            return [c.post("/_emulator/keys", json={}).json()["apiKey"] for _ in range(2)]

    assert mint_two() == mint_two()


def test_scopes_are_enforced(client: Any) -> None:
    minted = client.post("/_emulator/keys", json={"scopes": ["projects:read"]}).json()
    key = {"X-Api-Key": minted["apiKey"]}
    assert client.get("/v1/projects", headers=key).status_code == 200
    r = client.post("/v1/projects", json={"name": "Nope", "timezone": "UTC"}, headers=key)
    assert r.status_code == 403
    assert r.json()["error"]["details"] == {"requiredScope": "projects:write", "grantedScopes": ["projects:read"]}
