"""Brand ingest (website, App/Play Store, GitHub): async jobs whose completion merges a
deterministic brand extraction (fixtures/brand_extractions.json) into the project.

Merge rule (emulator choice): an extraction fills the project's empty brand fields; what the
partner already set wins; keywords are unioned. An ingest that fills an empty appDescription
starts keyword research and, when the project has none, the first influencer.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from emulator import errors, jobs
from emulator.context import Ctx
from emulator.fakes import onboarding as fakes
from emulator.ids import stable_int
from emulator.services import github, projects, readiness, sdk_apps

BREAKER_FAILURES = 5
BREAKER_WINDOW = timedelta(days=7)
SOURCES = {"project_ingest_website": "website", "project_ingest_appstore": "appstore",
           "project_ingest_github": "github"}


async def start(ctx: Ctx, project_id: str, kind: str, params: dict[str, Any]) -> dict[str, Any]:
    project = await projects.get_active(ctx, project_id)
    job = await jobs.start(ctx, kind, pointers={"projectId": project["id"]}, params=params)
    project = await projects.get(ctx, project["id"])
    if job["status"] == "running":
        project["ingestState"] = {**(project.get("ingestState") or {}),
                                  SOURCES[kind]: {"status": "running", "jobId": job["jobId"], "completedAt": None}}
        await projects.save(ctx, project)
    return job


def _merge(project: dict[str, Any], ext: dict[str, Any]) -> None:
    for key in ("appName", "appDescription", "tagline"):
        if not project.get(key) and ext.get(key):
            project[key] = ext[key]
    context = dict(project.get("brandContext") or {})
    for key in ("appName", "appDescription", "tagline", "brandVoice"):
        context[key] = context.get(key) or project.get(key)
    for key in ("audience", "icp"):
        context[key] = context.get(key) or ext.get(key)
    context["keywords"] = list(dict.fromkeys([*(context.get("keywords") or []), *(ext.get("keywords") or [])]))
    context["primaryLanguage"] = project.get("primaryLanguage") or "en"
    context.setdefault("logoUrl", None)
    project["brandContext"] = context


async def _complete(ctx: Ctx, job: dict[str, Any]) -> dict[str, Any]:
    params = job["_params"]
    source = SOURCES[job["kind"]]
    if params.get("fail"):
        raise errors.custom(params["fail"], 422, params.get("failMessage") or "The source could not be read.")
    project = await projects.get(ctx, job["projectId"])
    ext = fakes.extraction_for(ctx.seed, url=params.get("url"), bundle=params.get("bundle"), repo=params.get("repo"))
    had_description = bool(project.get("appDescription"))
    _merge(project, ext)
    result: dict[str, Any] = {"projectId": project["id"]}
    if source == "appstore":
        if params.get("iosBundleId"):
            project["platformIosBundleId"] = params["iosBundleId"]
        if params.get("androidPackage"):
            project["platformAndroidBundleId"] = params["androidPackage"]
    if source == "website":
        project["platformWebDomain"] = params.get("host")
    if source == "github":
        detected = params.get("platforms") or ext.get("platforms") or ["web"]
        result.update({
            "repoFullName": params["repo"], "branch": params.get("branch") or "main",
            "prUrl": f"https://github.com/{params['repo']}/pull/{1 + stable_int(ctx.seed, job['jobId'], 'pr') % 400}"
            if params.get("openPR", True) else None,
            "sdkAppId": await sdk_apps.provision_for_github(ctx, project["id"], params["repo"], detected),
            "platformsDetected": detected,
        })
    project["ingestState"] = {**(project.get("ingestState") or {}),
                              source: {"status": "completed", "jobId": job["jobId"], "completedAt": ctx.iso_now()}}
    project["updatedAt"] = ctx.iso_now()
    await projects.save(ctx, project)
    result["brandContext"] = project["brandContext"]
    if not had_description and project.get("appDescription"):
        from emulator.services import influencers, keywords

        await keywords.auto_run(ctx, project["id"])
        await influencers.create_first(ctx, project)
    await readiness.note(ctx, project["id"], ingestDone=True)
    return result


async def _failed(ctx: Ctx, job: dict[str, Any]) -> None:
    source = SOURCES[job["kind"]]
    project = await projects.PROJECTS.get(ctx.db, ctx.tenant_id, job["projectId"])
    if project is not None:
        project["ingestState"] = {**(project.get("ingestState") or {}),
                                  source: {"status": "failed", "jobId": job["jobId"], "completedAt": ctx.iso_now()}}
        await projects.save(ctx, project)
    if source == "appstore":
        key = job["_params"].get("bundle") or ""
        failures = dict(ctx.tenant.settings.get("appstoreFailures") or {})
        failures[key] = [*failures.get(key, [])[-(BREAKER_FAILURES - 1):], ctx.iso_now()]
        ctx.tenant.set_setting("appstoreFailures", failures)


async def _canceled(ctx: Ctx, job: dict[str, Any]) -> None:
    await _failed(ctx, job)


def breaker_open(ctx: Ctx, key: str) -> bool:
    from emulator.clock import parse_instant

    recent = [t for t in (ctx.tenant.settings.get("appstoreFailures") or {}).get(key, [])
              if parse_instant(t) > ctx.now - BREAKER_WINDOW]
    return len(recent) >= BREAKER_FAILURES


for _name, _stages, _locked in (
    ("project_ingest_website", (("fetching", 3), ("extracting", 3), ("merging", 2)), ()),
    ("project_ingest_appstore", (("resolving", 2), ("scraping", 2), ("merging", 1)), ()),
    ("project_ingest_github", (("cloning", 20), ("analyzing", 40), ("generating_sdk_patch", 40), ("opening_pr", 30),
                               ("finalizing", 10)), ("opening_pr",)),
):
    jobs.register(jobs.JobKind(_name, stages=_stages, on_complete=_complete, on_fail=_failed, on_cancel=_canceled,
                               non_cancelable=frozenset(_locked)))


async def website(ctx: Ctx, project_id: str, url: str, host: str, follow_links: bool, max_pages: int) -> dict[str, Any]:
    params: dict[str, Any] = {"url": url, "host": host, "followLinks": follow_links, "maxPages": max_pages}
    if host == "invalid" or host.endswith(".invalid"):
        params.update(fail="FETCH_FAILED", failMessage=f"{host} could not be fetched.")
    return await start(ctx, project_id, "project_ingest_website", params)


async def appstore(ctx: Ctx, project_id: str, ios: str | None, android: str | None, store_url: str | None,
                   country: str) -> dict[str, Any]:
    bundle = ios or android or _bundle_from_url(store_url or "")
    params: dict[str, Any] = {"iosBundleId": ios, "androidPackage": android, "appStoreUrl": store_url,
                              "countryCode": country, "bundle": bundle}
    if breaker_open(ctx, bundle):
        params.update(fail="SCRAPE_FAILED", failMessage="Too many recent failures for this app; retry in 7 days.")
        job = await start(ctx, project_id, "project_ingest_appstore", params)
        await jobs.finish(ctx, job, "failed", {"code": "SCRAPE_FAILED", "message": params["failMessage"]})
        return job
    if bundle.endswith(".invalid"):
        params.update(fail="SCRAPE_FAILED", failMessage=f"No store listing found for {bundle}.")
    return await start(ctx, project_id, "project_ingest_appstore", params)


def _bundle_from_url(url: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if "id" in query:
        return query["id"][0]
    return parts.path.rstrip("/").rsplit("/", 1)[-1] or parts.hostname or url


async def github_ingest(ctx: Ctx, project_id: str, params: dict[str, Any], installation_id: int | None) -> dict[str, Any]:
    install = await github.active(ctx)
    if install is None:
        raise errors.Validation("The Layers GitHub App is not installed for this organization.", path="installationId")
    if installation_id is not None and installation_id != install["installationId"]:
        raise errors.Validation(f"installationId {installation_id} is not this organization's installation.",
                                path="installationId")
    return await start(ctx, project_id, "project_ingest_github", params)
