"""`POST /v1/content/:id/notify-device` and its control route `POST /_emulator/owner-phone`."""
from __future__ import annotations

from typing import Any

from pydantic import StrictBool

from emulator.http.api import Body, Call, Route
from emulator.http.fields import text
from emulator.services import notify


class NotifyBody(Body):
    phoneNumber: text(1, 32) | None = None  # type: ignore[valid-type]


class OwnerPhone(Body):
    phoneNumber: text(1, 32) | None = None  # type: ignore[valid-type]
    verified: StrictBool = True


async def notify_device(call: Call) -> dict[str, Any]:
    body: NotifyBody = call.body
    return await notify.notify_device(call.ctx, call.params["containerId"], body.phoneNumber)


async def owner_phone(call: Call) -> dict[str, Any]:
    body: OwnerPhone = call.body
    if body.phoneNumber is not None:
        notify._phone(call.ctx, body.phoneNumber)  # same E.164 check
    return notify.set_owner_phone(call.ctx, body.phoneNumber, body.verified)


ROUTES = [
    Route("POST", "/v1/content/{containerId}/notify-device", notify_device, scope="publish:write", body=NotifyBody,
          summary="Text a completed post to a phone for manual posting", tags=("publishing",)),
    Route("POST", "/_emulator/owner-phone", owner_phone, klass=None, body=OwnerPhone, idempotent=False,
          summary="Set (or clear with null) the key owner's phone used by notify-device", tags=("emulator",)),
]
