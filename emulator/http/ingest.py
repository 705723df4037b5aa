"""Brand ingest (website, App/Play Store, GitHub at both documented paths) and the GitHub App
installation (install-url, the sandbox install page, register, get, repos)."""
from __future__ import annotations

import re
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.responses import RedirectResponse

from emulator import errors, jobs
from emulator.http import query as q
from emulator.http.api import Body, Call, Reply, Route, StrictBody
from emulator.http.fields import text
from emulator.http.social import tenant_ctx
from emulator.pagination import page_request
from emulator.services import github, ingest, projects
from emulator.services.media_guard import UrlRefused, check_url

PlatformName = Literal["ios", "android", "web", "react-native", "flutter", "expo"]
REPO = r"^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$"


class Website(Body):
    url: text(1, 2048)  # type: ignore[valid-type]
    followLinks: bool = False
    maxPages: int = Field(default=1, ge=1, le=25)


class AppStore(Body):
    iosBundleId: text(1, 255) | None = None  # type: ignore[valid-type]
    androidPackage: text(1, 255) | None = None  # type: ignore[valid-type]
    appStoreUrl: text(1, 2048) | None = None  # type: ignore[valid-type]
    countryCode: str = Field(default="us", pattern=r"^[A-Za-z]{2}$")

    @model_validator(mode="after")
    def _one_source(self) -> AppStore:
        if not (self.iosBundleId or self.androidPackage or self.appStoreUrl):
            raise ValueError("send at least one of iosBundleId, androidPackage, appStoreUrl")
        return self


class SdkConfig(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    appName: text(1, 128) | None = None  # type: ignore[valid-type]
    includePlatforms: list[PlatformName] | None = None
    eventAllowlist: list[text(1, 128)] | None = None  # type: ignore[valid-type]


class GithubIngest(Body):
    repoFullName: str | None = Field(default=None, pattern=REPO)
    repo: str | None = Field(default=None, pattern=REPO)
    installationId: int | None = None
    branch: text(1, 255) | None = None  # type: ignore[valid-type]
    openPR: bool = True
    platforms: list[PlatformName] | None = None
    sdkConfig: SdkConfig | None = None
    prTitle: text(1, 256) = "chore: instrument with Layers SDK"  # type: ignore[valid-type]
    prBody: text(0, 65536) | None = None  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _repo(self) -> GithubIngest:
        if not (self.repoFullName or self.repo):
            raise ValueError("repoFullName (or repo) is required")
        if self.repoFullName and self.repo and self.repoFullName != self.repo:
            raise ValueError("repoFullName and repo disagree")
        return self


class Register(StrictBody):
    installationId: int = Field(ge=1)
    state: text(1, 128)  # type: ignore[valid-type]


def _job(job: dict[str, Any]) -> Reply:
    return Reply(jobs.envelope(job), 202)


async def ingest_website(call: Call) -> Reply:
    body: Website = call.body
    url = body.url
    try:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise UrlRefused("SCHEME_NOT_ALLOWED", "url must be an absolute http(s) URL.")
        host, _ = check_url("https://" + url.split("://", 1)[1]) if "://" in url else check_url(url)
    except (UrlRefused, ValueError) as exc:
        message = exc.message if isinstance(exc, UrlRefused) else "url is not a valid URL."
        raise errors.Validation(message, path="url") from None
    return _job(await ingest.website(call.ctx, call.params["projectId"], url, host, body.followLinks, body.maxPages))


async def ingest_appstore(call: Call) -> Reply:
    body: AppStore = call.body
    if body.appStoreUrl and not re.match(r"^https://", body.appStoreUrl):
        raise errors.Validation("appStoreUrl must be an https store URL.", path="appStoreUrl")
    return _job(await ingest.appstore(call.ctx, call.params["projectId"], body.iosBundleId, body.androidPackage,
                                      body.appStoreUrl, body.countryCode.lower()))


async def ingest_github(call: Call) -> Reply:
    body: GithubIngest = call.body
    platforms = body.platforms or (body.sdkConfig.includePlatforms if body.sdkConfig else None)
    params = {"repo": body.repoFullName or body.repo, "branch": body.branch, "openPR": body.openPR,
              "platforms": platforms, "prTitle": body.prTitle}
    await projects.get(call.ctx, call.params["projectId"])
    return _job(await ingest.github_ingest(call.ctx, call.params["projectId"], params, body.installationId))


async def install_url(call: Call) -> dict[str, Any]:
    return_url = call.query.get("returnUrl")
    if not return_url:
        raise errors.Validation("returnUrl is required.", path="returnUrl")
    return await github.install_url(call.ctx, return_url, call.query.get("state") or None, str(call.request.base_url))


async def install_page(call: Call) -> RedirectResponse:
    org, state = call.query.get("org") or "", call.query.get("state") or ""
    async with tenant_ctx(call.request, org) as ctx:
        target = github.redirect_for(ctx, state)
    return RedirectResponse(target, status_code=302)


async def register(call: Call) -> Reply:
    body: Register = call.body
    return Reply(github.public(await github.register(call.ctx, body.installationId, body.state)), 201)


async def get_installation(call: Call) -> dict[str, Any]:
    return github.public(await github.get(call.ctx))


async def list_repos(call: Call) -> dict[str, Any]:
    page = page_request(call.query, default=30, maximum=200)
    items, cursor = await github.repos(call.ctx, page, call.query.get("search") or None)
    return {"items": items, "nextCursor": cursor}


async def project_repos(call: Call) -> dict[str, Any]:
    await projects.get(call.ctx, call.params["projectId"])
    return await list_repos(call)


class InstallationStatus(Body):
    status: Literal["active", "uninstalled", "suspended"]


async def installation_status(call: Call) -> dict[str, Any]:
    return github.public(await github.set_status(call.ctx, call.body.status))


TAGS = ("ingest",)
GH = ("github",)
_ = q
ROUTES = [
    Route("POST", "/v1/projects/{projectId}/ingest/website", ingest_website, scope="ingest:write", body=Website,
          klass="long-running", status=202, summary="Ingest a website", tags=TAGS),
    Route("POST", "/v1/projects/{projectId}/ingest/appstore", ingest_appstore, scope="ingest:write", body=AppStore,
          klass="long-running", status=202, summary="Ingest an App Store / Play Store listing", tags=TAGS),
    Route("POST", "/v1/projects/{projectId}/ingest/github", ingest_github, scope="ingest:write", body=GithubIngest,
          klass="long-running", status=202, summary="Ingest a GitHub repo", tags=TAGS),
    Route("POST", "/v1/projects/{projectId}/github/ingest", ingest_github, scope="ingest:write", body=GithubIngest,
          klass="long-running", status=202, summary="Ingest a GitHub repo (seed path)", tags=TAGS),
    Route("GET", "/v1/github/installation/install-url", install_url, scope="github:admin",
          query=("returnUrl", "state"), summary="GitHub App install URL", tags=GH),
    Route("POST", "/v1/github/installation", register, scope="github:admin", body=Register, status=201,
          summary="Register the GitHub App installation", tags=GH),
    Route("GET", "/v1/github/installation", get_installation, scope="github:admin",
          summary="Get the GitHub App installation", tags=GH),
    Route("GET", "/v1/github/repos", list_repos, scope="github:admin", query=("cursor", "limit", "search"),
          summary="List repos the installation sees", tags=GH),
    Route("GET", "/v1/projects/{projectId}/github/repos", project_repos, scope="github:admin",
          query=("cursor", "limit", "search"), summary="List repos (project path)", tags=GH),
    Route("GET", "/_emulator/github/install", install_page, auth=False, klass=None, query=("org", "state"),
          summary="Sandbox GitHub App install page (redirects to returnUrl)", tags=("control",)),
    Route("POST", "/_emulator/github/installation", installation_status, klass=None, body=InstallationStatus,
          idempotent=False, summary="Flip the installation status", tags=("control",)),
]
