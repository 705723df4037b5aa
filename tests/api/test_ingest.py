"""Brand ingest jobs and the GitHub App installation."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from emulator.fakes import onboarding as fakes
from tests.support import Api


def stridely() -> dict:
    return next(e for e in fakes.extractions().values() if e["domain"] == "stridely.example")


def finish(api: Api, job_id: str, seconds: int = 300) -> dict:
    api.advance(seconds=seconds)
    return api.get(f"/v1/jobs/{job_id}").json()


def install(api: Api) -> int:
    r = api.get("/v1/github/installation/install-url", params={"returnUrl": "https://partner.example.com/gh"})
    assert r.status_code == 200, r.text
    page = api.client.get(r.json()["authUrl"], follow_redirects=False)
    assert page.status_code == 302
    query = parse_qs(urlsplit(page.headers["location"]).query)
    assert query["state"] == [r.json()["state"]]
    installation_id = int(query["installation_id"][0])
    reg = api.post("/v1/github/installation", json={"installationId": installation_id, "state": r.json()["state"]})
    assert reg.status_code == 201, reg.text
    return installation_id


def test_website_ingest_fills_brand_context_and_ingest_state(api: Api) -> None:
    p = api.project()
    r = api.post(f"/v1/projects/{p['id']}/ingest/website", json={"url": "https://www.stridely.example/"})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["kind"] == "project_ingest_website" and job["stage"] == "fetching" and job["projectId"] == p["id"]
    running = api.get(f"/v1/projects/{p['id']}").json()["ingestState"]["website"]
    assert running["status"] == "running" and running["jobId"] == job["jobId"]
    api.advance(seconds=9)
    done = api.get(f"/v1/jobs/{job['jobId']}").json()
    assert done["status"] == "completed"
    project = api.get(f"/v1/projects/{p['id']}").json()
    ext = stridely()
    assert project["appName"] == ext["appName"] and project["brandContext"]["audience"] == ext["audience"]
    assert set(ext["keywords"]) <= set(project["brandContext"]["keywords"])
    assert project["ingestState"]["website"]["status"] == "completed"
    assert done["result"]["brandContext"] == project["brandContext"]


def test_ingest_keeps_partner_fields(api: Api) -> None:
    p = api.project(appName="Mine")
    job = api.post(f"/v1/projects/{p['id']}/ingest/website", json={"url": "https://stridely.example"}).json()
    finish(api, job["jobId"], 10)
    assert api.get(f"/v1/projects/{p['id']}").json()["appName"] == "Mine"


def test_ingest_filling_description_bootstraps_and_project_ready(api: Api) -> None:
    p = api.project()
    job = api.post(f"/v1/projects/{p['id']}/ingest/website", json={"url": "https://stridely.example"}).json()
    api.advance(seconds=10)
    ready = api.events(type="project.ready")
    assert [e["data"]["projectId"] for e in ready] == [p["id"]]
    assert len(api.get(f"/v1/projects/{p['id']}/influencers").json()["items"]) == 1
    api.advance(seconds=300)
    assert api.get(f"/v1/projects/{p['id']}/keywords").json()["refreshedAt"] is not None
    assert len(api.events(type="project.ready")) == 1
    _ = job


def test_website_refusals(api: Api) -> None:
    p = api.project()
    for url in ("ftp://x.example.com", "http://127.0.0.1/", "https://localhost", "not a url"):
        r = api.post(f"/v1/projects/{p['id']}/ingest/website", json={"url": url})
        assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "url", url
    r = api.post(f"/v1/projects/{p['id']}/ingest/website", json={"url": "https://x.example.com", "maxPages": 26})
    assert r.status_code == 422
    job = api.post(f"/v1/projects/{p['id']}/ingest/website", json={"url": "https://down.invalid"}).json()
    failed = finish(api, job["jobId"], 10)
    assert failed["status"] == "failed" and failed["error"]["code"] == "FETCH_FAILED"
    assert api.get(f"/v1/projects/{p['id']}").json()["ingestState"]["website"]["status"] == "failed"


def test_appstore_ingest_and_breaker(api: Api) -> None:
    p = api.project()
    ext = stridely()
    assert api.post(f"/v1/projects/{p['id']}/ingest/appstore", json={}).status_code == 422
    job = api.post(f"/v1/projects/{p['id']}/ingest/appstore", json={"iosBundleId": ext["iosBundleId"]}).json()
    assert job["kind"] == "project_ingest_appstore" and job["stage"] == "resolving"
    assert finish(api, job["jobId"], 5)["status"] == "completed"
    project = api.get(f"/v1/projects/{p['id']}").json()
    assert project["platformIosBundleId"] == ext["iosBundleId"] and project["appName"] == ext["appName"]
    for _ in range(5):
        bad = api.post(f"/v1/projects/{p['id']}/ingest/appstore", json={"androidPackage": "com.nope.invalid"}).json()
        assert finish(api, bad["jobId"], 6)["error"]["code"] == "SCRAPE_FAILED"
    tripped = api.post(f"/v1/projects/{p['id']}/ingest/appstore", json={"androidPackage": "com.nope.invalid"}).json()
    assert tripped["status"] == "failed"


def test_github_ingest_needs_installation(api: Api) -> None:
    p = api.project()
    r = api.post(f"/v1/projects/{p['id']}/github/ingest", json={"installationId": 1, "repo": "acme/acme-app"})
    assert r.status_code == 422
    assert api.get("/v1/github/installation").status_code == 404


def test_github_flow_both_paths(api: Api) -> None:
    installation_id = install(api)
    got = api.get("/v1/github/installation").json()
    assert got["installationId"] == installation_id and got["status"] == "active"
    repos = api.get("/v1/github/repos", params={"limit": 5}).json()
    assert len(repos["items"]) == 5 and repos["nextCursor"]
    repo = stridely()["repoFullName"]
    p = api.project()
    r = api.post(f"/v1/projects/{p['id']}/github/ingest", json={"installationId": installation_id, "repo": repo})
    assert r.status_code == 202, r.text
    assert r.json()["kind"] == "project_ingest_github" and r.json()["stage"] == "cloning"
    done = finish(api, r.json()["jobId"], 140)
    assert done["status"] == "completed"
    assert done["result"]["repoFullName"] == repo and done["result"]["prUrl"].startswith(f"https://github.com/{repo}/pull/")
    assert done["result"]["platformsDetected"] == stridely()["platforms"]
    sdk = api.get(f"/v1/projects/{p['id']}/sdk-apps/{done['result']['sdkAppId']}")
    assert sdk.status_code == 200 and "apiKey" not in sdk.json()
    r2 = api.post(f"/v1/projects/{p['id']}/ingest/github", json={"repoFullName": repo, "openPR": False})
    assert finish(api, r2.json()["jobId"], 140)["result"]["prUrl"] is None
    wrong = api.post(f"/v1/projects/{p['id']}/github/ingest", json={"installationId": installation_id + 1, "repo": repo})
    assert wrong.status_code == 422


def test_github_cancel_refused_while_opening_pr(api: Api) -> None:
    install(api)
    p = api.project()
    job = api.post(f"/v1/projects/{p['id']}/ingest/github", json={"repoFullName": "acme/app"}).json()
    api.advance(seconds=105)
    r = api.post(f"/v1/jobs/{job['jobId']}/cancel")
    assert r.status_code == 409 and r.json()["error"]["details"]["subcode"] == "JOB_CANCEL_UNAVAILABLE"


def test_register_is_strict_and_checks_state(api: Api) -> None:
    r = api.post("/v1/github/installation", json={"installationId": 5, "state": "st_nope"})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "state"
    r = api.post("/v1/github/installation", json={"installationId": 5, "state": "x", "orgLogin": "a"})
    assert r.status_code == 422 and r.json()["error"]["details"]["issues"][0]["path"] == "orgLogin"
    r = api.get("/v1/github/installation/install-url", params={"returnUrl": "http://evil.example.com"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "RETURN_URL_NOT_ALLOWED"


def test_uninstalled_app_blocks_github_ingest(api: Api) -> None:
    install(api)
    assert api.post("/_emulator/github/installation", json={"status": "uninstalled"}).json()["status"] == "uninstalled"
    p = api.project()
    r = api.post(f"/v1/projects/{p['id']}/ingest/github", json={"repoFullName": "acme/app"})
    assert r.status_code == 422
    assert api.get("/v1/github/repos").status_code == 422
