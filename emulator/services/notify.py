"""`POST /v1/content/:id/notify-device`: "text me this post". Three messages (media, caption,
posting instructions) to a phone for manual posting; delivery only, no scheduled-post row.

Phone resolution (content.md §8): body `phoneNumber` → else the key owner's phone, which must
be verified (`OWNER_PHONE_UNVERIFIED`) → else `PHONE_REQUIRED`. Test keys have no owner phone
until `POST /_emulator/owner-phone` sets one (tenant setting `ownerPhone`).
"""
from __future__ import annotations

import re
from typing import Any

from emulator import errors
from emulator.context import Ctx
from emulator.services import scheduling

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
SETTING = "ownerPhone"


def owner_phone(ctx: Ctx) -> dict[str, Any] | None:
    value = ctx.tenant.settings.get(SETTING)
    return dict(value) if isinstance(value, dict) else None


def set_owner_phone(ctx: Ctx, phone: str | None, verified: bool) -> dict[str, Any]:
    ctx.tenant.set_setting(SETTING, {"phoneNumber": phone, "verified": verified} if phone else None)
    return owner_phone(ctx) or {"phoneNumber": None, "verified": False}


def _phone(ctx: Ctx, given: str | None) -> str:
    if given is not None:
        if not E164.match(given):
            raise errors.Validation("phoneNumber must be in E.164 form, e.g. +15551234567.", path="phoneNumber")
        return given
    owner = owner_phone(ctx)
    if owner is None:
        raise errors.custom("PHONE_REQUIRED", 422, "No phoneNumber given and the key's owner has no phone on file.",
                            {"issues": [{"path": "phoneNumber", "message": "required"}]})
    if not owner.get("verified"):
        raise errors.custom("OWNER_PHONE_UNVERIFIED", 422,
                            "The key owner's phone is not verified; verify it or pass phoneNumber.",
                            {"issues": [{"path": "phoneNumber", "message": "owner phone unverified"}]})
    return str(owner["phoneNumber"])


def _instructions(container: dict[str, Any]) -> str:
    kind = ((container.get("preview") or {}).get("kind")) or "post"
    where = "TikTok" if kind == "slideshow" else "TikTok or Instagram"
    return (f"Hi, it's Elle. Save the {kind} above, open {where}, start a new post, pick it from your camera roll, "
            "paste the caption, add a trending sound if you like, and post.")


async def notify_device(ctx: Ctx, container_id: str, phone: str | None) -> dict[str, Any]:
    container, _project, gate = await scheduling._load(ctx, container_id)
    if gate == "pending":
        raise errors.ApprovalRequired(
            f"Container {container['id']} is awaiting approval; approve it first.",
            details={"containerId": container["id"], "approvalStatus": container.get("approvalStatus", "pending")},
        )
    number = _phone(ctx, phone)
    preview = container.get("preview") or {}
    messages = [
        {"kind": "media", "status": "sent", "url": preview.get("primaryUrl")},
        {"kind": "caption", "status": "sent", "text": container.get("caption") or ""},
        {"kind": "instructions", "status": "sent", "text": _instructions(container)},
    ]
    answer = {"containerId": container["id"], "phoneNumber": number, "messages": messages, "sentAt": ctx.iso_now()}
    await ctx.record("delivery", answer, type="content.device_notified", project_id=container["projectId"])
    return answer
