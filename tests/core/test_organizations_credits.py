"""A child's credits through its parent: wallet, ledger, allocate (Idempotency-Key required,
replayed:true), credit config and auto-refill (platform sheet §7)."""
from __future__ import annotations

import pytest

from tests.core.org_support import allocate, code, idem, inside, make_child
from tests.support import Api


def test_a_new_child_has_an_empty_wallet(api: Api) -> None:
    org = make_child(api)
    wallet = api.get(f"/v1/organizations/{org['id']}/credits").json()
    assert wallet["organizationId"] == org["id"]
    assert (wallet["balance"], wallet["available"], wallet["prepaidBalance"], wallet["reservedCredits"]) == (0, 0, 0, 0)
    assert wallet == api.get("/v1/credits", headers=inside(org["id"])).json()


def test_allocate_moves_prepaid_credits_and_writes_both_ledgers(api: Api) -> None:
    org = make_child(api)
    before = api.get("/v1/credits").json()["prepaidBalance"]
    r = allocate(api, org["id"], 1200, description="INV-1", metadata={"invoice": "INV-1", "direction": "mine"})
    assert r.status_code == 200
    body = r.json()
    assert body["id"].startswith("txn_") and body["allocated"] == 1200 and body["replayed"] is False
    assert (body["balance"], body["available"]) == (1200, 1200)
    assert body["description"] == "INV-1" and body["created"] == "2026-05-11T00:00:00.000Z"
    assert body["metadata"]["invoice"] == "INV-1" and body["metadata"]["direction"] != "mine"
    assert api.get("/v1/credits").json()["prepaidBalance"] == before - 1200
    parent_row = api.get("/v1/credits/events", params={"eventType": "allocation"}).json()["items"][0]
    assert parent_row["credits"] == -1200 and "txn_" + parent_row["eventId"] == body["id"]
    child_rows = api.get(f"/v1/organizations/{org['id']}/credits/events").json()["items"]
    assert [(e["eventType"], e["credits"]) for e in child_rows] == [("allocation", 1200)]
    assert child_rows[0]["metadata"]["invoice"] == "INV-1" and child_rows[0]["metadata"]["counterpartyOrgId"]
    assert api.get(f"/v1/organizations/{org['id']}").json()["summary"]["balance"] == 1200


def test_allocate_requires_an_idempotency_key(api: Api) -> None:
    org = make_child(api)
    r = api.post(f"/v1/organizations/{org['id']}/credits/allocate", json={"credits": 5})
    assert r.status_code == 400 and code(r) == "IDEMPOTENCY_REQUIRED"
    assert api.get(f"/v1/organizations/{org['id']}/credits").json()["balance"] == 0


def test_allocate_replay_does_not_debit_twice(api: Api) -> None:
    org = make_child(api)
    h = idem()
    url = f"/v1/organizations/{org['id']}/credits/allocate"
    a = api.post(url, json={"credits": 300}, headers=h).json()
    b = api.post(url, json={"credits": 300}, headers=h).json()
    assert b["replayed"] is True and a["replayed"] is False
    assert (b["id"], b["allocated"]) == (a["id"], a["allocated"])
    assert api.get(f"/v1/organizations/{org['id']}/credits").json()["balance"] == 300
    c = api.post(url, json={"credits": 301}, headers=h)
    assert c.status_code == 409 and code(c) == "IDEMPOTENCY_CONFLICT"


def test_allocate_key_expires_after_24h(api: Api) -> None:
    org = make_child(api)
    h = idem()
    url = f"/v1/organizations/{org['id']}/credits/allocate"
    api.post(url, json={"credits": 10}, headers=h)
    api.advance(duration="PT24H")
    again = api.post(url, json={"credits": 10}, headers=h).json()
    assert again["replayed"] is False
    assert api.get(f"/v1/organizations/{org['id']}/credits").json()["balance"] == 20


@pytest.mark.parametrize("body, path", [
    ({"credits": 0}, "credits"), ({"credits": -5}, "credits"), ({"credits": "5"}, "credits"), ({}, "credits"),
    ({"credits": 1, "description": "d" * 501}, "description"), ({"credits": 1, "metadata": {"k": 1}}, "metadata.k"),
])
def test_allocate_bounds(api: Api, body: dict, path: str) -> None:
    org = make_child(api)
    r = api.post(f"/v1/organizations/{org['id']}/credits/allocate", json=body, headers=idem())
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == path


def test_allocate_more_than_the_parent_holds_is_402(api: Api) -> None:
    org = make_child(api)
    prepaid = api.get("/v1/credits").json()["prepaidBalance"]
    r = allocate(api, org["id"], prepaid + 1)
    assert r.status_code == 402 and code(r) == "BILLING_EXHAUSTED"
    assert r.json()["error"]["details"] == {"required": prepaid + 1, "available": prepaid}
    assert allocate(api, org["id"], prepaid).status_code == 200


def test_allocate_to_a_foreign_org_is_404(api: Api) -> None:
    foreign = make_child(Api(api.client, api.key + "q"))
    assert allocate(api, foreign["id"], 5).status_code == 404


def test_child_events_filters_and_bounds(api: Api) -> None:
    org = make_child(api)
    for n in (1, 2, 3):
        allocate(api, org["id"], n)
    url = f"/v1/organizations/{org['id']}/credits/events"
    page = api.get(url, params={"limit": 2}).json()
    assert [e["credits"] for e in page["items"]] == [3, 2]
    assert [e["credits"] for e in api.get(url, params={"cursor": page["nextCursor"]}).json()["items"]] == [1]
    assert api.get(url, params={"eventType": "usage"}).json()["items"] == []
    for params in ({"limit": "101"}, {"eventType": "gift"}, {"since": "2026-05-11T00:00:00+00:00"}):
        assert api.get(url, params=params).status_code == 422


def test_credit_config_defaults_and_patch_semantics(api: Api) -> None:
    org = make_child(api)
    url = f"/v1/organizations/{org['id']}/credit-config"
    got = api.get(url).json()
    assert got == {"organizationId": org["id"], "balance": 0, "available": 0, "config": {
        "monthlyCreditCap": None, "refillThreshold": None, "refillAmount": None, "autoRefillEnabled": False}}
    r = api.patch(url, json={"monthlyCreditCap": 5000})
    assert r.status_code == 200 and r.json()["config"]["monthlyCreditCap"] == 5000
    r = api.patch(url, json={"refillThreshold": 0, "refillAmount": 100})
    assert r.json()["config"] == {"monthlyCreditCap": 5000, "refillThreshold": 0, "refillAmount": 100, "autoRefillEnabled": True}
    r = api.patch(url, json={"monthlyCreditCap": None, "refillThreshold": None, "refillAmount": None})
    assert r.json()["config"]["autoRefillEnabled"] is False and r.json()["config"]["monthlyCreditCap"] is None


@pytest.mark.parametrize("body, path", [
    ({"refillThreshold": 10}, "refillAmount"), ({"refillAmount": 10}, "refillThreshold"),
    ({"refillAmount": 0, "refillThreshold": 1}, "refillAmount"), ({"monthlyCreditCap": -1}, "monthlyCreditCap"),
    ({"refillThreshold": -1, "refillAmount": 5}, "refillThreshold"),
])
def test_credit_config_bounds(api: Api, body: dict, path: str) -> None:
    org = make_child(api)
    r = api.patch(f"/v1/organizations/{org['id']}/credit-config", json=body)
    assert r.status_code == 422 and code(r) == "VALIDATION"
    assert r.json()["error"]["details"]["issues"][0]["path"] == path


def test_auto_refill_tops_up_a_child_below_its_threshold(api: Api) -> None:
    org = make_child(api)
    before = api.get("/v1/credits").json()["prepaidBalance"]
    r = api.patch(f"/v1/organizations/{org['id']}/credit-config", json={"refillThreshold": 100, "refillAmount": 250})
    assert (r.json()["balance"], r.json()["available"]) == (250, 250)
    assert api.get("/v1/credits").json()["prepaidBalance"] == before - 250
    rows = api.get(f"/v1/organizations/{org['id']}/credits/events").json()["items"]
    assert [(e["eventType"], e["credits"]) for e in rows] == [("allocation", 250)]


def test_auto_refill_is_skipped_when_the_parent_cannot_fund_it(api: Api) -> None:
    org = make_child(api)
    prepaid = api.get("/v1/credits").json()["prepaidBalance"]
    r = api.patch(f"/v1/organizations/{org['id']}/credit-config", json={"refillThreshold": 1, "refillAmount": prepaid + 1})
    assert r.status_code == 200 and r.json()["balance"] == 0


def test_child_keys_never_see_their_own_config(api: Api) -> None:
    from tests.core.org_support import child_key

    org = make_child(api)
    child = child_key(api, org["id"])
    assert child.get(f"/v1/organizations/{org['id']}/credit-config").status_code == 403


def _metered_child(api: Api, credits: int) -> tuple[dict, Api]:
    """A child with metering on and `credits` allocated, and the parent key acting inside it."""
    org = make_child(api)
    inner = Api(api.client, api.key)
    inner.headers["X-Layers-Organization"] = org["id"]
    assert inner.post("/_emulator/credits", json={"metered": True}).status_code == 200
    allocate(api, org["id"], credits)
    return org, inner


def test_metered_child_spends_its_own_wallet_and_auto_refills(api: Api) -> None:
    from tests.api.content_support import brand_project, completed

    org, inner = _metered_child(api, 100)
    cfg = api.patch(f"/v1/organizations/{org['id']}/credit-config", json={"refillThreshold": 60, "refillAmount": 200})
    assert cfg.json()["balance"] == 100  # above the threshold: nothing moved yet
    parent_before = api.get("/v1/credits").json()["prepaidBalance"]
    completed(inner, brand_project(inner))
    wallet = api.get(f"/v1/organizations/{org['id']}/credits").json()
    assert wallet["balance"] == 100 - 50 + 200
    assert api.get("/v1/credits").json()["prepaidBalance"] == parent_before - 200
    kinds = [(e["eventType"], e["credits"]) for e in api.get(f"/v1/organizations/{org['id']}/credits/events").json()["items"]]
    assert kinds == [("allocation", 200), ("usage", -50), ("allocation", 100)]


def test_monthly_credit_cap_refuses_spend_above_it_until_the_next_period(api: Api) -> None:
    from tests.api.content_support import brand_project, build, completed

    org, inner = _metered_child(api, 1000)
    assert api.patch(f"/v1/organizations/{org['id']}/credit-config", json={"monthlyCreditCap": 120}).status_code == 200
    project = brand_project(inner)
    completed(inner, project)  # 50 settled
    build(inner, project)  # 50 reserved: 100 of 120 spoken for
    r = inner.post(f"/v1/projects/{project['id']}/content/slideshow-builder", json={"hook": "One over the cap"})
    assert r.status_code == 402 and code(r) == "BILLING_EXHAUSTED"
    assert r.json()["error"]["details"]["monthlyCreditCap"] == 120
    assert api.get(f"/v1/organizations/{org['id']}/credits").json()["available"] == 1000 - 50 - 50  # not the cap
    api.advance(duration="P31D")  # 2026-06: a new billing period
    r = inner.post(f"/v1/projects/{project['id']}/content/slideshow-builder", json={"hook": "A new month"})
    assert r.status_code == 202, r.text
    assert api.patch(f"/v1/organizations/{org['id']}/credit-config", json={"monthlyCreditCap": None}).status_code == 200
    for _ in range(2):  # no cap: only the wallet limits
        assert inner.post(f"/v1/projects/{project['id']}/content/slideshow-builder", json={"hook": "Uncapped"}).status_code == 202
