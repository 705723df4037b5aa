"""Child-organization API keys: mint, list, rotate with grace, delete (platform sheet §5.2-§5.4)."""
from __future__ import annotations

import re

import pytest

from tests.core.org_support import child_key, code, make_child
from tests.support import Api

KEY = re.compile(r"^lp_(live|test)_[0-9A-Z]{16}_[A-Za-z0-9_-]{43}$")


def mint(api: Api, org_id: str, **body: object) -> object:
    return api.post(f"/v1/organizations/{org_id}/api-keys", json={"name": "integration", "scopes": ["content:read"], **body})


def test_mint_answers_the_key_once_and_it_works_in_the_child(api: Api) -> None:
    org = make_child(api)
    r = mint(api, org["id"], env="test", scopes=["projects:read", "projects:write"])
    assert r.status_code == 201
    body = r.json()
    assert KEY.match(body["secret"]) and body["secret"].startswith("lp_test_") and body["warning"]
    key = body["apiKey"]
    assert key["id"].startswith("key_") and key["organizationId"] == org["id"]
    assert key["prefix"] == body["secret"].rsplit("_", 1)[0][: len("lp_test_") + 16]
    assert (key["env"], key["rateLimitTier"], key["status"]) == ("test", "sandbox", "active")
    assert key["scopes"] == ["projects:read", "projects:write"]
    assert key["graceUntil"] is None and key["supersededBy"] is None
    me = Api(api.client, body["secret"]).get("/v1/whoami").json()
    assert me["organizationId"] == org["id"] and me["parentOrganizationId"] == org["parentOrganizationId"]
    assert me["apiKeyId"] == key["id"] and me["scopes"] == key["scopes"] and me["rateLimitTier"] == "sandbox"


def test_live_child_keys_default_and_work(api: Api) -> None:
    org = make_child(api)
    body = mint(api, org["id"]).json()
    assert body["secret"].startswith("lp_live_") and body["apiKey"]["env"] == "live"
    assert body["apiKey"]["rateLimitTier"] == "standard"
    who = Api(api.client, body["secret"]).get("/v1/whoami")
    assert who.status_code == 200 and who.json()["rateLimitTier"] == "standard"
    forged = body["secret"][:-1] + ("A" if body["secret"][-1] != "A" else "B")
    assert Api(api.client, forged).get("/v1/whoami").status_code == 401


def test_child_key_scopes_are_enforced(api: Api) -> None:
    org = make_child(api)
    reader = child_key(api, org["id"], scopes=["projects:read"])
    assert reader.get("/v1/projects").status_code == 200
    r = reader.post("/v1/projects", json={"name": "Acme App", "timezone": "UTC"})
    assert r.status_code == 403 and code(r) == "FORBIDDEN_SCOPE"


@pytest.mark.parametrize("body, status, err, path", [
    ({"scopes": []}, 422, "VALIDATION", "scopes"),
    ({"scopes": ["x"] * 65}, 422, "VALIDATION", "scopes"),
    ({"name": ""}, 422, "VALIDATION", "name"),
    ({"name": "n" * 121}, 422, "VALIDATION", "name"),
    ({"env": "prod"}, 422, "VALIDATION", "env"),
    ({"scopes": ["content:read", "org:admin"]}, 403, "FORBIDDEN_SCOPE", None),
])
def test_mint_bounds(api: Api, body: dict, status: int, err: str, path: str | None) -> None:
    org = make_child(api)
    r = mint(api, org["id"], **body)
    assert r.status_code == status and code(r) == err
    if path:
        assert r.json()["error"]["details"]["issues"][0]["path"] == path


def test_mint_scopes_must_be_a_subset_of_the_callers(api: Api, client: object) -> None:
    minted = client.post("/_emulator/keys", json={"scopes": ["org:admin", "projects:read"]}).json()  # type: ignore[attr-defined]
    parent = Api(api.client, minted["apiKey"])
    org = make_child(parent)
    assert mint(parent, org["id"], scopes=["projects:read"]).status_code == 201
    r = mint(parent, org["id"], scopes=["projects:write"])
    assert r.status_code == 403 and r.json()["error"]["details"]["requiredScope"] == "projects:write"


def test_mint_replay_returns_the_same_key_and_secret(api: Api) -> None:
    org = make_child(api)
    h = {"Idempotency-Key": "mint-1"}
    a = api.post(f"/v1/organizations/{org['id']}/api-keys", json={"name": "n", "scopes": ["*"]}, headers=h).json()
    b = api.post(f"/v1/organizations/{org['id']}/api-keys", json={"name": "n", "scopes": ["*"]}, headers=h).json()
    assert a == b
    assert len(api.get(f"/v1/organizations/{org['id']}/api-keys").json()["items"]) == 1


def test_list_is_masked_newest_first_and_paginated(api: Api) -> None:
    org = make_child(api)
    ids = [mint(api, org["id"], name=f"k{i}").json()["apiKey"]["id"] for i in range(3)]
    page = api.get(f"/v1/organizations/{org['id']}/api-keys", params={"limit": 2}).json()
    assert [k["id"] for k in page["items"]] == [ids[2], ids[1]]
    rest = api.get(f"/v1/organizations/{org['id']}/api-keys", params={"limit": 2, "cursor": page["nextCursor"]}).json()
    assert [k["id"] for k in rest["items"]] == [ids[0]] and rest["nextCursor"] is None
    assert not any("secret" in k or "hash" in str(k) for k in page["items"])
    for bad in ("0", "101"):
        assert api.get(f"/v1/organizations/{org['id']}/api-keys", params={"limit": bad}).status_code == 422


def test_key_routes_404_for_a_foreign_org_or_key(api: Api) -> None:
    mine, theirs = make_child(api), make_child(Api(api.client, api.key + "z"))
    assert api.get(f"/v1/organizations/{theirs['id']}/api-keys").status_code == 404
    other_child = make_child(api, "Second")
    key_id = mint(api, other_child["id"]).json()["apiKey"]["id"]
    assert api.delete(f"/v1/organizations/{mine['id']}/api-keys/{key_id}").status_code == 404
    assert api.post(f"/v1/organizations/{mine['id']}/api-keys/{key_id}/rotate").status_code == 404
    r = api.delete(f"/v1/organizations/{mine['id']}/api-keys/nope")
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "keyId"


def test_rotate_gives_a_new_key_and_24h_grace_to_the_old(api: Api) -> None:
    org = make_child(api)
    first = mint(api, org["id"], env="test").json()
    old = Api(api.client, first["secret"])
    r = api.post(f"/v1/organizations/{org['id']}/api-keys/{first['apiKey']['id']}/rotate")
    assert r.status_code == 200
    body = r.json()
    new = Api(api.client, body["secret"])
    assert body["apiKey"]["id"] != first["apiKey"]["id"] and body["secret"] != first["secret"]
    assert body["apiKey"]["scopes"] == first["apiKey"]["scopes"] and body["apiKey"]["env"] == "test"
    assert body["previous"]["supersededBy"] == body["apiKey"]["id"]
    assert body["previous"]["graceUntil"] == "2026-05-12T00:00:00.000Z" and body["previous"]["rotatedAt"]
    assert old.get("/v1/whoami").status_code == 200 and new.get("/v1/whoami").status_code == 200
    new.advance(seconds=24 * 3600 - 1)
    assert old.get("/v1/whoami").status_code == 200
    new.advance(seconds=1)
    r = old.get("/v1/whoami")
    assert r.status_code == 401 and code(r) == "UNAUTHENTICATED"
    assert new.get("/v1/whoami").status_code == 200
    listed = {k["id"]: k for k in api.get(f"/v1/organizations/{org['id']}/api-keys").json()["items"]}
    assert listed[first["apiKey"]["id"]]["status"] == "revoked"


def test_only_the_current_key_of_a_chain_rotates(api: Api) -> None:
    org = make_child(api)
    k1 = mint(api, org["id"]).json()["apiKey"]["id"]
    k2 = api.post(f"/v1/organizations/{org['id']}/api-keys/{k1}/rotate").json()["apiKey"]["id"]
    r = api.post(f"/v1/organizations/{org['id']}/api-keys/{k1}/rotate")
    assert r.status_code == 409 and code(r) == "CONFLICT" and r.json()["error"]["details"]["supersededBy"] == k2
    k3 = api.post(f"/v1/organizations/{org['id']}/api-keys/{k2}/rotate").json()
    assert k3["previous"]["id"] == k2 and k3["apiKey"]["id"] not in (k1, k2)


def test_rotate_replay_returns_the_same_new_secret(api: Api) -> None:
    org = make_child(api)
    k1 = mint(api, org["id"]).json()["apiKey"]["id"]
    h = {"Idempotency-Key": "rot-1"}
    a = api.post(f"/v1/organizations/{org['id']}/api-keys/{k1}/rotate", headers=h)
    b = api.post(f"/v1/organizations/{org['id']}/api-keys/{k1}/rotate", headers=h)
    assert a.json()["secret"] == b.json()["secret"] and b.headers["Idempotent-Replayed"] == "true"


def test_delete_revokes_at_once_and_is_idempotent(api: Api) -> None:
    org = make_child(api)
    first = mint(api, org["id"]).json()
    child = Api(api.client, first["secret"])
    assert child.get("/v1/whoami").status_code == 200
    url = f"/v1/organizations/{org['id']}/api-keys/{first['apiKey']['id']}"
    r = api.delete(url)
    assert r.status_code == 200 and r.json()["deleted"] is True
    assert r.json()["apiKey"]["status"] == "revoked" and r.json()["apiKey"]["revokedAt"]
    assert child.get("/v1/whoami").status_code == 401
    again = api.delete(url)
    assert again.status_code == 200 and again.json() == r.json()
    rot = api.post(url + "/rotate")
    assert rot.status_code == 409 and code(rot) == "CONFLICT"


def test_last_used_at_follows_the_keys_requests_on_the_tenant_clock(api: Api) -> None:
    org = make_child(api)
    body = mint(api, org["id"], scopes=["projects:read"]).json()
    listed = lambda: {k["id"]: k for k in api.get(f"/v1/organizations/{org['id']}/api-keys").json()["items"]}  # noqa: E731
    assert listed()[body["apiKey"]["id"]]["lastUsedAt"] is None
    child = Api(api.client, body["secret"])
    assert child.get("/v1/whoami").status_code == 200
    first = listed()[body["apiKey"]["id"]]["lastUsedAt"]
    assert first == "2026-05-11T00:00:00.000Z"
    api.advance(seconds=3600)
    assert child.get("/v1/projects").status_code == 200
    assert listed()[body["apiKey"]["id"]]["lastUsedAt"] == "2026-05-11T01:00:00.000Z"
    assert child.post("/v1/projects", json={"name": "Nope", "timezone": "UTC"}).status_code == 403
