"""Same seed and same requests → the same onboarding results (names, portraits, hashtags,
handles, extractions) on two separate emulators; another seed changes them."""
from __future__ import annotations

from tests.support import Api, emulator_client

DESC = (
    "Adaptive running plans for first-time joggers and half-marathon hopefuls. Each morning it checks how "
    "you slept and adjusts today's distance and pace so you progress without getting hurt."
)


def run(seed: int) -> dict:
    with emulator_client(seed=seed) as client:
        api = Api(client, "lp_test_determinism")
        p = api.project(appName="Stridely", appDescription=DESC)
        sa = api.post(f"/_emulator/projects/{p['id']}/social-accounts", json={"platform": "tiktok"}).json()
        job = api.post(f"/v1/projects/{p['id']}/ingest/website", json={"url": "https://example.org"}).json()
        api.advance(seconds=300)
        infs = api.get(f"/v1/projects/{p['id']}/influencers").json()["items"]
        return {
            "project": p["id"], "influencers": [(i["influencerId"], i["name"], i["imageUrl"]) for i in infs],
            "bank": api.get(f"/v1/projects/{p['id']}/keywords").json()["hashtags"],
            "handle": sa["handle"], "brand": api.get(f"/v1/jobs/{job['jobId']}").json()["result"]["brandContext"],
        }


def test_same_seed_same_onboarding() -> None:
    first, second = run(7), run(7)
    assert first == second
    assert first["influencers"][0][2] is not None
    assert run(8)["project"] != first["project"]
