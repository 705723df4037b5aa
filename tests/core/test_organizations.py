"""Sub-organizations: create, list, get, patch, metadata rules (platform sheet §6.1)."""
from __future__ import annotations

import pytest

from tests.core.org_support import child_key, code, inside, make_child
from tests.support import Api


def test_create_answers_the_org_object(api: Api) -> None:
    me = api.get("/v1/whoami").json()
    org = make_child(api, "Acme Coffee", metadata={"externalId": "acme"}, billingEmail="ops@acme.test")
    assert org["id"].startswith("org_") and org["id"] != me["organizationId"]
    assert org["parentOrganizationId"] == me["organizationId"]
    assert org["status"] == "active" and org["archivedAt"] is None
    assert org["metadata"] == {"externalId": "acme"} and org["billingEmail"] == "ops@acme.test"
    assert org["createdAt"] == org["updatedAt"] == "2026-05-11T00:00:00.000Z"
    assert not any(k.startswith("_") for k in org)


@pytest.mark.parametrize("body, path", [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "x" * 129}, "name"),
    ({"name": "A", "metadata": {"k": 5}}, "metadata.k"),
    ({"name": "A", "metadata": {"k" * 41: "v"}}, "metadata." + "k" * 41),
    ({"name": "A", "metadata": {"k": "v" * 501}}, "metadata.k"),
    ({"name": "A", "metadata": {f"k{i}": "v" for i in range(51)}}, "metadata"),
    ({"name": "A", "billingEmail": "not-an-email"}, "billingEmail"),
])
def test_create_validates_each_field(api: Api, body: dict, path: str) -> None:
    r = api.post("/v1/organizations", json=body)
    assert r.status_code == 422 and code(r) == "VALIDATION"
    assert r.json()["error"]["details"]["issues"][0]["path"] == path


def test_scope_org_admin_is_required_and_star_is_not_enough(api: Api) -> None:
    org = make_child(api)
    star = child_key(api, org["id"], scopes=["*"])
    r = star.get("/v1/organizations")
    assert r.status_code == 403 and code(r) == "FORBIDDEN_SCOPE"
    assert r.json()["error"]["details"]["requiredScope"] == "org:admin"


def test_a_child_cannot_create_children(api: Api) -> None:
    org = make_child(api)
    r = api.post("/v1/organizations", json={"name": "Grandchild"}, headers=inside(org["id"]))
    assert r.status_code == 422 and code(r) == "VALIDATION"


def test_list_is_newest_first_paginated_and_filtered(api: Api) -> None:
    ids = [make_child(api, f"Customer {i}")["id"] for i in range(3)]
    api.post(f"/v1/organizations/{ids[0]}/suspend")
    page1 = api.get("/v1/organizations", params={"limit": 2}).json()
    assert [o["id"] for o in page1["items"]] == [ids[2], ids[1]]
    page2 = api.get("/v1/organizations", params={"limit": 2, "cursor": page1["nextCursor"]}).json()
    assert [o["id"] for o in page2["items"]] == [ids[0]] and page2["nextCursor"] is None
    suspended = api.get("/v1/organizations", params={"status": "suspended"}).json()["items"]
    assert [o["id"] for o in suspended] == [ids[0]]


@pytest.mark.parametrize("params, path", [
    ({"limit": "0"}, "limit"), ({"limit": "201"}, "limit"), ({"status": "gone"}, "status"), ({"cursor": "%%"}, "cursor"),
])
def test_list_bounds(api: Api, params: dict, path: str) -> None:
    r = api.get("/v1/organizations", params=params)
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == path


def test_list_accepts_limit_200(api: Api) -> None:
    assert api.get("/v1/organizations", params={"limit": "200"}).status_code == 200


def test_list_shows_only_my_children(api: Api, client: object) -> None:
    mine = make_child(api)
    other = Api(api.client, api.key + "x")
    make_child(other, "Not yours")
    assert [o["id"] for o in api.get("/v1/organizations").json()["items"]] == [mine["id"]]


def test_get_has_a_summary(api: Api) -> None:
    org = make_child(api)
    api.post("/v1/projects", json={"name": "Acme App", "timezone": "UTC"}, headers=inside(org["id"]))
    got = api.get(f"/v1/organizations/{org['id']}").json()
    assert got["summary"] == {
        "projectCount": 1, "balance": 0, "available": 0,
        "creditConfig": {"monthlyCreditCap": None, "refillThreshold": None, "refillAmount": None,
                         "autoRefillEnabled": False},
    }


def test_get_accepts_a_bare_uuid(api: Api) -> None:
    org = make_child(api)
    assert api.get(f"/v1/organizations/{org['id'][4:]}").json()["id"] == org["id"]


def test_unknown_foreign_and_malformed_ids(api: Api) -> None:
    other = Api(api.client, api.key + "y")
    foreign = make_child(other)
    assert code(api.get(f"/v1/organizations/{foreign['id']}")) == "NOT_FOUND"
    assert api.get("/v1/organizations/org_00000000-0000-4000-8000-000000000000").status_code == 404
    r = api.get("/v1/organizations/not-an-id")
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "orgId"
    me = api.get("/v1/whoami").json()["organizationId"]
    assert api.get(f"/v1/organizations/{me}").status_code == 404  # not my own child


def test_patch_merges_metadata_stripe_style(api: Api) -> None:
    org = make_child(api, metadata={"a": "1", "b": "2"})
    api.advance(seconds=60)
    r = api.patch(f"/v1/organizations/{org['id']}", json={"metadata": {"b": "", "c": "3"}, "name": "Renamed"})
    assert r.status_code == 200
    body = r.json()
    assert body["metadata"] == {"a": "1", "c": "3"} and body["name"] == "Renamed"
    assert body["billingEmail"] is None and body["updatedAt"] == "2026-05-11T00:01:00.000Z"
    cleared = api.patch(f"/v1/organizations/{org['id']}", json={"metadata": None}).json()
    assert cleared["metadata"] == {} and cleared["name"] == "Renamed"


def test_patch_refuses_a_per_key_null_and_overflow(api: Api) -> None:
    org = make_child(api, metadata={f"k{i}": "v" for i in range(50)})
    r = api.patch(f"/v1/organizations/{org['id']}", json={"metadata": {"k1": None}})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "metadata.k1"
    r = api.patch(f"/v1/organizations/{org['id']}", json={"metadata": {"new": "v"}})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "metadata"
    assert api.patch(f"/v1/organizations/{org['id']}", json={"metadata": {"k0": "", "new": "v"}}).status_code == 200


def test_patch_billing_email_null_clears_and_name_null_is_refused(api: Api) -> None:
    org = make_child(api, billingEmail="a@b.co")
    assert api.patch(f"/v1/organizations/{org['id']}", json={"billingEmail": None}).json()["billingEmail"] is None
    r = api.patch(f"/v1/organizations/{org['id']}", json={"name": None})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "name"


def test_create_replays_with_the_same_idempotency_key(api: Api) -> None:
    headers = {"Idempotency-Key": "create-1"}
    a = api.post("/v1/organizations", json={"name": "Once"}, headers=headers)
    b = api.post("/v1/organizations", json={"name": "Once"}, headers=headers)
    assert a.json()["id"] == b.json()["id"] and b.headers["Idempotent-Replayed"] == "true"
    assert len(api.get("/v1/organizations").json()["items"]) == 1
    c = api.post("/v1/organizations", json={"name": "Other"}, headers=headers)
    assert c.status_code == 409 and code(c) == "IDEMPOTENCY_CONFLICT"
