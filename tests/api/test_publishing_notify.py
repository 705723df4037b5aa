"""POST /v1/content/:id/notify-device: text a completed post to a phone."""
from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_publishing import container, make_project, review_all
from tests.support import Api


@pytest.fixture
def cid(api: Api) -> str:
    return container(api, make_project(api))


def notify(api: Api, cid: str, body: dict[str, Any] | None = None) -> Any:
    return api.post(f"/v1/content/{cid}/notify-device", json=body if body is not None else {})


def test_sends_three_messages_to_the_given_phone(api: Api, cid: str) -> None:
    r = notify(api, cid, {"phoneNumber": "+15551234567"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["containerId"] == cid and body["phoneNumber"] == "+15551234567"
    assert [m["kind"] for m in body["messages"]] == ["media", "caption", "instructions"]
    assert all(m["status"] == "sent" for m in body["messages"])
    assert body["sentAt"] == api.get("/_emulator/clock").json()["now"]
    assert [e for e in api.events() if e["type"] == "content.device_notified"]
    assert api.get(f"/v1/content/{cid}").json()["status"] == "completed"


def test_no_phone_anywhere_is_phone_required(api: Api, cid: str) -> None:
    r = notify(api, cid)
    assert r.status_code == 422 and r.json()["error"]["code"] == "PHONE_REQUIRED"


def test_owner_phone_must_be_verified(api: Api, cid: str) -> None:
    api.post("/_emulator/owner-phone", json={"phoneNumber": "+447700900123", "verified": False})
    r = notify(api, cid)
    assert r.status_code == 422 and r.json()["error"]["code"] == "OWNER_PHONE_UNVERIFIED"
    api.post("/_emulator/owner-phone", json={"phoneNumber": "+447700900123", "verified": True})
    assert notify(api, cid).json()["phoneNumber"] == "+447700900123"


@pytest.mark.parametrize("phone", ["5551234567", "+0123456789", "+1 555 123 4567", "+1"])
def test_phone_must_be_e164(api: Api, cid: str, phone: str) -> None:
    r = notify(api, cid, {"phoneNumber": phone})
    assert r.status_code == 422
    assert r.json()["error"]["details"]["issues"][0]["path"] == "phoneNumber"


def test_gate_applies(api: Api) -> None:
    project = make_project(api)
    review_all(api, project)
    cid = container(api, project)
    r = notify(api, cid, {"phoneNumber": "+15551234567"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "APPROVAL_REQUIRED"
    api.post(f"/v1/content/{cid}/reject", json={"reason": "nope"})
    r = notify(api, cid, {"phoneNumber": "+15551234567"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "CONTENT_REJECTED"


def test_unknown_container_is_not_found(api: Api) -> None:
    r = notify(api, "cnt_00000000-0000-4000-8000-000000000000", {"phoneNumber": "+15551234567"})
    assert r.status_code == 404
