"""`/v1/.../influencers`: list, create (202 job), get, patch, delete, clone, reference images."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from emulator import errors, jobs
from emulator.http import query as q
from emulator.http.api import Body, Call, Reply, Route, StrictBody
from emulator.http.fields import Language, text
from emulator.pagination import page_request
from emulator.services import influencers, keywords, media  # noqa: F401  (registers hooks, timers, job kinds)

GenderIn = Literal["male", "female", "non_binary", "nonbinary", "unspecified"]
GenderV2 = Literal["male", "female", "non_binary"]
AgeRange = Literal["teen", "young_adult", "adult", "mid_adult", "mature", "senior"]
BrandVoice = Literal["authentic", "witty", "professional", "warm", "casual", "educational"]
STATUSES = ("pending", "training", "ready", "failed", "draft")


class Personality(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    traits: list[text(1, 64)] | None = Field(default=None, max_length=20)  # type: ignore[valid-type]
    tone: text(1, 128) | None = None  # type: ignore[valid-type]
    humor: text(1, 128) | None = None  # type: ignore[valid-type]
    formality: text(1, 128) | None = None  # type: ignore[valid-type]
    values: list[text(1, 64)] | None = Field(default=None, max_length=20)  # type: ignore[valid-type]
    interests: list[text(1, 64)] | None = Field(default=None, max_length=20)  # type: ignore[valid-type]
    speakingStyle: text(1, 256) | None = None  # type: ignore[valid-type]
    catchphrases: list[text(1, 128)] | None = Field(default=None, max_length=20)  # type: ignore[valid-type]


class AssetIds(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    assetIds: list[text(1, 64)] = Field(min_length=1, max_length=20)  # type: ignore[valid-type]


class PersonaFields(Body):
    ethnicity: text(1, 128) | None = None  # type: ignore[valid-type]
    bodyType: text(1, 128) | None = None  # type: ignore[valid-type]
    hairColor: text(1, 64) | None = None  # type: ignore[valid-type]
    hairStyle: text(1, 128) | None = None  # type: ignore[valid-type]
    style: text(1, 256) | None = None  # type: ignore[valid-type]
    vibe: text(1, 256) | None = None  # type: ignore[valid-type]
    voiceDescription: text(1, 1024) | None = None  # type: ignore[valid-type]
    personality: Personality | None = None


class CreateInfluencer(PersonaFields):
    name: text(1, 128) | None = None  # type: ignore[valid-type]
    influencerId: text(1, 64) | None = None  # type: ignore[valid-type]
    gender: GenderIn | None = None
    ageRange: AgeRange | None = None
    prompt: text(1, 60) | None = None  # type: ignore[valid-type]
    referenceImages: AssetIds | None = None


class PatchInfluencer(StrictBody):
    name: text(1, 128) | None = None  # type: ignore[valid-type]
    gender: GenderV2 | None = None
    ageRange: AgeRange | None = None
    brandVoice: BrandVoice | None = None
    language: Language | None = None


class Overrides(PersonaFields):
    model_config = ConfigDict(strict=True, extra="forbid")
    gender: GenderIn | None = None
    ageRange: AgeRange | None = None
    brandVoice: BrandVoice | None = None
    language: Language | None = None


class CloneInfluencer(StrictBody):
    name: text(1, 128)  # type: ignore[valid-type]
    overrides: Overrides | None = None
    newInfluencerId: text(1, 64) | None = None  # type: ignore[valid-type]


class DeleteInfluencer(StrictBody):
    reason: text(0, 1024) | None = None  # type: ignore[valid-type]


class ReferenceImages(StrictBody):
    assetIds: list[text(1, 64)] = Field(min_length=1, max_length=20)  # type: ignore[valid-type]


def _job_reply(job: dict[str, Any]) -> Reply:
    return Reply(jobs.envelope(job), 202)


async def list_influencers(call: Call) -> dict[str, Any]:
    page = page_request(call.query, default=25, maximum=100)
    status = q.enum(call.query, "status", STATUSES)
    items, cursor = await influencers.list_page(call.ctx, call.params["projectId"], page, status)
    return {"items": items, "nextCursor": cursor}


async def _assets(call: Call, project_id: str | None, ids: list[str], path: str) -> list[dict[str, Any]]:
    found = await media.find_assets(call.ctx, ids)
    known = {a["id"] for a in found}
    missing = [i for i, asset_id in enumerate(ids) if asset_id not in known]
    if missing:
        raise errors.Validation(
            f"{path} must name media uploaded to this project (presign + finalize, or inline).",
            issues=[{"path": f"{path}[{i}]", "message": "unknown asset"} for i in missing],
        )
    return [a for a in found if project_id is None or a["projectId"] == project_id]


async def create_influencer(call: Call) -> Reply:
    body: CreateInfluencer = call.body
    fields = body.model_dump(exclude_none=True)
    refs = fields.pop("referenceImages", None)
    if refs:
        from emulator.services import projects

        project = await projects.get(call.ctx, call.params["projectId"])
        assets = await _assets(call, project["id"], refs["assetIds"], "referenceImages.assetIds")
        fields["referenceImages"] = [
            {"assetId": a["id"], "url": a["url"], "thumbnailUrl": a.get("thumbnailUrl") or a["url"],
             "addedAt": call.ctx.iso_now()} for a in {a["id"]: a for a in assets}.values()
        ]
    return _job_reply(await influencers.create(call.ctx, call.params["projectId"], fields))


async def get_influencer(call: Call) -> dict[str, Any]:
    return influencers.public(await influencers.get_influencer(call.ctx, call.params["influencerId"]))


async def patch_influencer(call: Call) -> dict[str, Any]:
    body: PatchInfluencer = call.body
    changes = {k: getattr(body, k) for k in call.sent if k in PatchInfluencer.model_fields}
    if not changes:
        raise errors.Validation("Send at least one field to change.", path="")
    for key in ("name", "gender", "brandVoice", "language"):
        if key in changes and changes[key] is None:
            raise errors.Validation(f"{key} cannot be null.", path=key)
    return influencers.public(await influencers.patch(call.ctx, call.params["influencerId"], changes))


async def delete_influencer(call: Call) -> dict[str, Any]:
    body: DeleteInfluencer = call.body
    return await influencers.delete(call.ctx, call.params["influencerId"], body.reason)


async def clone_influencer(call: Call) -> Reply:
    body: CloneInfluencer = call.body
    overrides = body.overrides.model_dump(exclude_none=True) if body.overrides else {}
    job = await influencers.clone(call.ctx, call.params["influencerId"], body.name, overrides, body.newInfluencerId)
    return _job_reply(job)


async def reference_images(call: Call) -> dict[str, Any]:
    body: ReferenceImages = call.body
    record = await influencers.get_influencer(call.ctx, call.params["influencerId"])
    assets = await _assets(call, None, body.assetIds, "assetIds")
    return await influencers.add_reference_images(call.ctx, record["id"], assets)


class ForceInfluencer(Body):
    outcome: Literal["ready", "failed"]
    errorMessage: text(1, 1024) | None = None  # type: ignore[valid-type]


async def force_influencer(call: Call) -> dict[str, Any]:
    body: ForceInfluencer = call.body
    record = await influencers.force(call.ctx, call.params["influencerId"], body.outcome, body.errorMessage)
    return influencers.public(record)


TAGS = ("influencers",)
ROUTES = [
    Route("GET", "/v1/projects/{projectId}/influencers", list_influencers, scope="influencers:read",
          query=("cursor", "limit", "status"), summary="List influencers", tags=TAGS),
    Route("POST", "/v1/projects/{projectId}/influencers", create_influencer, scope="influencers:write",
          body=CreateInfluencer, klass="long-running", status=202, summary="Create an influencer", tags=TAGS),
    Route("GET", "/v1/influencers/{influencerId}", get_influencer, scope="influencers:read",
          summary="Get an influencer", tags=TAGS),
    Route("PATCH", "/v1/influencers/{influencerId}", patch_influencer, scope="influencers:write",
          body=PatchInfluencer, summary="Update an influencer", tags=TAGS),
    Route("DELETE", "/v1/influencers/{influencerId}", delete_influencer, scope="influencers:write",
          body=DeleteInfluencer, summary="Delete an influencer", tags=TAGS),
    Route("POST", "/v1/influencers/{influencerId}/clone", clone_influencer, scope="influencers:write",
          body=CloneInfluencer, klass="long-running", status=202, summary="Clone an influencer", tags=TAGS),
    Route("POST", "/v1/influencers/{influencerId}/reference-images", reference_images, scope="influencers:write",
          body=ReferenceImages, summary="Link reference images", tags=TAGS),
    Route("POST", "/_emulator/influencers/{influencerId}", force_influencer, klass=None, body=ForceInfluencer,
          idempotent=False, summary="Make an influencer ready or failed now", tags=("control",)),
]
