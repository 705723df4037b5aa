"""GET/PATCH /v1/projects/:id/engagement: the Social Engagement config."""
from __future__ import annotations

import pytest

from tests.support import Api


def _url(project: dict) -> str:
    return f"/v1/projects/{project['id']}/engagement"


def test_defaults_on_first_read_with_a_lazily_created_layer(api: Api) -> None:
    project = api.project(brandVoice="witty")
    r = api.get(_url(project))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["projectLayerId"].startswith("pl_")
    assert body["enabled"] is False
    assert body["firstComment"] == {"targets": [], "commentTemplate": "", "strategy": "generated"}
    assert body["replyToComments"]["autoReplyDelay"] == "PT3M"
    assert body["replyToComments"]["tone"] == "witty"
    assert api.get(_url(project)).json()["projectLayerId"] == body["projectLayerId"]


def test_patch_merges_partially_at_every_level(api: Api) -> None:
    project = api.project()
    r = api.patch(_url(project), json={"enabled": True, "firstComment": {"targets": ["tiktok"],
                                                                          "commentTemplate": "Link in bio!"}})
    assert r.status_code == 200, r.text
    r = api.patch(_url(project), json={"firstComment": {"strategy": "literal"},
                                       "replyToComments": {"targets": ["instagram"], "tone": "warm"}})
    body = r.json()
    assert body["enabled"] is True
    assert body["firstComment"] == {"targets": ["tiktok"], "commentTemplate": "Link in bio!", "strategy": "literal"}
    assert body["replyToComments"]["targets"] == ["instagram"]
    assert body["replyToComments"]["tone"] == "warm"
    assert body["replyToComments"]["autoReplyDelay"] == "PT3M"
    assert api.get(_url(project)).json() == body


def test_v1_replies_spelling_is_an_alias(api: Api) -> None:
    project = api.project()
    body = api.patch(_url(project), json={"replies": {"autoReplyDelay": "PT10M"}}).json()
    assert body["replyToComments"]["autoReplyDelay"] == "PT10M"


def test_advanced_reply_knobs_round_trip(api: Api) -> None:
    project = api.project()
    knobs = {"maxPerPostPerHour": 12, "ignoreCommentsMatching": ["crypto", "follow4follow"],
             "escalateNegativeSentiment": True}
    body = api.patch(_url(project), json={"replyToComments": knobs}).json()
    for key, value in knobs.items():
        assert body["replyToComments"][key] == value


@pytest.mark.parametrize(
    ("patch", "path"),
    [
        ({"firstComment": {"commentTemplate": ""}}, "firstComment.commentTemplate"),
        ({"firstComment": {"commentTemplate": "x" * 501}}, "firstComment.commentTemplate"),
        ({"firstComment": {"targets": ["youtube"]}}, "firstComment.targets.0"),
        ({"firstComment": {"strategy": "llm"}}, "firstComment.strategy"),
        ({"replyToComments": {"autoReplyDelay": "PT10S"}}, "replyToComments.autoReplyDelay"),
        ({"replyToComments": {"autoReplyDelay": "PT2H"}}, "replyToComments.autoReplyDelay"),
        ({"replyToComments": {"autoReplyDelay": "soon"}}, "replyToComments.autoReplyDelay"),
        ({"replyToComments": {"tone": "angry"}}, "replyToComments.tone"),
        ({"replyToComments": {"maxPerPostPerHour": 61}}, "replyToComments.maxPerPostPerHour"),
        ({"enabled": "yes"}, "enabled"),
        ({"enabled": None}, "enabled"),
    ],
)
def test_bad_values_are_refused_naming_the_field(api: Api, patch: dict, path: str) -> None:
    project = api.project()
    before = api.get(_url(project)).json()
    r = api.patch(_url(project), json=patch)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "VALIDATION"
    assert r.json()["error"]["details"]["issues"][0]["path"] == path
    assert api.get(_url(project)).json() == before


def test_empty_patch_is_refused(api: Api) -> None:
    project = api.project()
    assert api.patch(_url(project), json={}).status_code == 422


def test_wrong_project_layer_id_is_not_found(api: Api) -> None:
    project = api.project()
    r = api.patch(_url(project), json={"projectLayerId": "pl_nope", "enabled": True})
    assert r.status_code == 404
    assert api.get(_url(project)).json()["enabled"] is False


def test_matching_project_layer_id_is_accepted(api: Api) -> None:
    project = api.project()
    layer = api.get(_url(project)).json()["projectLayerId"]
    assert api.patch(_url(project), json={"projectLayerId": layer, "enabled": True}).json()["enabled"] is True


def test_other_tenants_project_is_not_found(api: Api, client: object) -> None:
    project = api.project()
    other = Api(client, api.key + "_x")  # type: ignore[arg-type]
    assert other.get(_url(project)).status_code == 404
    assert other.patch(_url(project), json={"enabled": True}).status_code == 404
