"""The request pipeline every API route goes through, declared once:

    authenticate → (tenant lock) settle due work → rate limit → parse and validate the body →
    idempotency replay/conflict → handler inside one transaction → record → respond

Handlers are small translators: `async def handler(call: Call) -> dict | Reply | Response`.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from emulator import errors
from emulator.auth import Principal, scope_granted
from emulator.clock import db_time, iso, rfc7231
from emulator.context import Ctx
from emulator.emulator import Emulator
from emulator.http.errors import dumps, render
from emulator.ids import normalize_id, ulid_from

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

    from emulator.http.body import Body, StrictBody

MAX_BODY = 1024 * 1024
IDEMPOTENCY_WINDOW = timedelta(hours=24)
MUTATING = ("POST", "PATCH", "PUT", "DELETE")
ORG_ID = re.compile(r"org_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# With --allow-remote every /_emulator route needs X-Admin-Token, except liveness and the
# capability URLs a browser or uploader opens without headers (they carry their own token).
ADMIN_EXEMPT = ("/_emulator/health", "/_emulator/media/", "/_emulator/uploads/", "/_emulator/content-uploads/",
                "/_emulator/oauth/authorize", "/_emulator/github/install")

_background: set[asyncio.Task[None]] = set()


def __getattr__(name: str) -> Any:
    """`Body` and `StrictBody` (emulator.http.body) load pydantic on first use, not with the
    pipeline: the liveness route answers before any body model exists."""
    if name in ("Body", "StrictBody"):
        from emulator.http import body

        return getattr(body, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class Reply:
    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    ctx: Ctx
    request: Request
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    json: Any
    principal: Principal | None

    @property
    def sent(self) -> set[str]:
        """Top-level body fields the caller actually sent (PATCH semantics)."""
        return set(self.json) if isinstance(self.json, dict) else set()


Handler = Callable[[Call], Awaitable[Any]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    scope: str | None = None
    klass: str | None = "auto"  # read-light | write-light | long-running | None (not limited)
    body: type[BaseModel] | None = None
    auth: bool = True
    idempotent: bool | None = None
    summary: str = ""
    status: int = 200
    query: tuple[str, ...] = ()
    raw: bool = False  # handler manages its own transactions (control routes like advance)
    audit: str | None = None
    tags: tuple[str, ...] = ()
    # answered before the other route modules are loaded (liveness): anonymous, and must not
    # touch timers, jobs or events, whose handlers those modules register
    early: bool = False

    @property
    def endpoint_class(self) -> str | None:
        if self.klass != "auto":
            return self.klass
        return "read-light" if self.method == "GET" else "write-light"

    @property
    def is_idempotent(self) -> bool:
        return self.idempotent if self.idempotent is not None else self.method in ("POST", "PATCH", "DELETE")


def api_key_from(request: Request) -> str | None:
    key = request.headers.get("x-api-key")
    if key:
        return key
    auth = request.headers.get("authorization")
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return ""
    return None


def issues_from(exc: ValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors(include_url=False):
        path = ".".join(str(p) for p in err["loc"])
        out.append({"path": path, "message": err["msg"], "code": err["type"]})
    return out


async def read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise errors.PayloadTooLarge("Request body is larger than 1 MB.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise errors.PayloadTooLarge("Request body is larger than 1 MB.")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(raw: bytes, content_type: str | None) -> Any:
    if not raw.strip():
        return None
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype != "application/json" and not ctype.endswith("+json"):
        raise errors.Validation(
            f"Content-Type must be application/json (got {ctype or 'none'}).", path=""
        )
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.Validation(f"Request body is not valid JSON: {exc}.", path="") from None


def validate(model: type[BaseModel], data: Any) -> BaseModel:
    from pydantic import ValidationError

    try:
        return model.model_validate({} if data is None else data)
    except ValidationError as exc:
        issues = issues_from(exc)
        first = issues[0]
        where = f" at '{first['path']}'" if first["path"] else ""
        raise errors.Validation(f"Invalid request body{where}: {first['message']}.", issues=issues) from None


def body_hash(raw: bytes, data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":")) if data is not None else ""
    if data is None and raw.strip():
        canonical = raw.decode(errors="replace")
    return hashlib.sha256(canonical.encode()).hexdigest()


def unauth_request_id(emu: Emulator) -> str:
    emu.__dict__.setdefault("_anon_requests", 0)
    emu.__dict__["_anon_requests"] += 1
    return "req_" + ulid_from(emu.wall.now(), emu.settings.seed, "anon", emu.__dict__["_anon_requests"])


def next_request_id(ctx_tenant: Any, now: Any, seed: int) -> str:
    n = int(ctx_tenant.settings.get("_requests", 0)) + 1
    ctx_tenant.set_setting("_requests", n)
    return "req_" + ulid_from(now, seed, ctx_tenant.id, "request", n)


def make_endpoint(route: Route) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        emu: Emulator = request.app.state.emulator
        request_id = unauth_request_id(emu)
        headers: dict[str, str] = {}
        try:
            _check_admin(route, request, emu)
            if not route.auth:
                return await _anonymous(route, request, emu, request_id)
            raw_key = api_key_from(request)
            async with emu.store.read() as db:  # the common case: a known key, no write needed
                principal = await emu.keys.authenticate(db, raw_key, provision=False)
            if principal is None:
                async with emu.store.tx() as db:
                    principal = await emu.keys.authenticate(db, raw_key)
            assert principal is not None
            principal = await _acting(route, request, emu, principal)
            tenant = principal.tenant
            headers["Date"] = rfc7231(tenant.now())
            if route.raw:
                request_id = next_request_id(tenant, tenant.now(), emu.settings.seed)
                return await _raw(route, request, emu, principal, request_id)
            async with tenant.lock:
                await emu.engine.settle(tenant, tenant.now(), background=True)
                return await _handle(route, request, emu, principal, headers)
        except errors.ApiError as exc:
            return render(exc, exc.__dict__.get("request_id", request_id), headers)
        except Exception as exc:  # a bug: keep the traceback for the harness, answer the envelope
            emu.note_error(request_id, request.method, request.url.path, exc)
            return render(errors.Internal("Internal error in the emulator; this is a bug."), request_id, headers)

    return endpoint


def _check_admin(route: Route, request: Request, emu: Emulator) -> None:
    if not emu.settings.allow_remote or not route.path.startswith("/_emulator"):
        return
    if route.path == ADMIN_EXEMPT[0] or route.path.startswith(ADMIN_EXEMPT[1:]):
        return
    sent = request.headers.get("x-admin-token", "")
    if not emu.settings.admin_token or not hmac.compare_digest(sent.encode(), emu.settings.admin_token.encode()):
        raise errors.Unauthenticated("This emulator accepts remote connections: /_emulator routes need the X-Admin-Token header.")


async def _acting(route: Route, request: Request, emu: Emulator, principal: Principal) -> Principal:
    """`X-Layers-Organization: org_<child>`: a parent key with `org:admin` acts inside a direct
    child (every route runs in the child tenant). Child keys and keys without the scope → 403;
    anything but a direct child → 404."""
    header = request.headers.get("x-layers-organization", "").strip()
    if not header:
        return principal
    if principal.tenant.parent_id is not None:
        raise errors.ForbiddenScope(
            "X-Layers-Organization is for parent keys; a child organization's key cannot use it.",
            details={"requiredScope": "org:admin", "grantedScopes": principal.scopes},
        )
    if not scope_granted("org:admin", principal.scopes):
        raise errors.ForbiddenScope(
            "X-Layers-Organization needs a key with the 'org:admin' scope.",
            details={"requiredScope": "org:admin", "grantedScopes": principal.scopes},
        )
    org_id = normalize_id("org", header)
    if not ORG_ID.fullmatch(org_id):
        raise errors.Validation("X-Layers-Organization must be org_<uuid>.", path="X-Layers-Organization")
    async with emu.store.read() as db:
        child = await emu.tenants.get(db, org_id)
        status = None
        if child is not None:
            cur = await db.execute("SELECT status FROM organizations WHERE id = ?", (org_id,))
            row = await cur.fetchone()
            status = row[0] if row else None
    if child is None or child.parent_id != principal.tenant.id:
        raise errors.NotFound(f"Organization {org_id} not found.")
    if status == "archived" and route.method in MUTATING:
        raise errors.Conflict(f"Organization {org_id} is archived: it is read-only.")
    return Principal(child, principal.key, acting_for=principal.tenant)


async def _anonymous(route: Route, request: Request, emu: Emulator, request_id: str) -> Response:
    data: Any = None
    if route.method in MUTATING and not route.raw:  # raw: the handler reads the body itself
        data = parse_json(await read_body(request), request.headers.get("content-type"))
    body = validate(route.body, data) if route.body else None
    call = Call(None, request, dict(request.path_params), dict(request.query_params), body, data, None)  # type: ignore[arg-type]
    result = await route.handler(call)
    return _to_response(result, route, request_id, {})


async def _raw(route: Route, request: Request, emu: Emulator, principal: Principal, request_id: str) -> Response:
    raw = await read_body(request)
    data = parse_json(raw, request.headers.get("content-type"))
    body = validate(route.body, data) if route.body else None
    call = Call(None, request, dict(request.path_params), dict(request.query_params), body, data, principal)  # type: ignore[arg-type]
    result = await route.handler(call)
    headers = {"Date": rfc7231(principal.tenant.now())}
    return _to_response(result, route, request_id, headers)


async def _handle(
    route: Route, request: Request, emu: Emulator, principal: Principal, headers: dict[str, str]
) -> Response:
    tenant = principal.tenant
    now = tenant.now()
    request_id = next_request_id(tenant, now, emu.settings.seed)  # persisted with the next commit
    try:
        klass = route.endpoint_class
        if klass is not None:
            enforce = tenant.settings.get("rateLimits", {}).get("enabled", emu.settings.rate_limits_default)
            if emu.settings.rate_limits is not None:
                enforce = emu.settings.rate_limits == "on"
            tier = tenant.settings.get("rateLimits", {}).get("tier", "sandbox")
            verdict = emu.rate_limiter.check(principal.key_id, klass, tier, now, bool(enforce))
            headers.update(
                {
                    "X-RateLimit-Limit": str(verdict.limit),
                    "X-RateLimit-Remaining": str(verdict.remaining),
                    "X-RateLimit-Reset": str(verdict.reset),
                    "X-RateLimit-Endpoint-Class": klass,
                }
            )
            if not verdict.allowed:
                headers["Retry-After"] = str(verdict.retry_after)
                raise errors.RateLimited(
                    f"Rate limit exceeded for {klass}; retry after {verdict.retry_after} s.",
                    details={"endpointClass": klass, "limit": verdict.limit, "retryAfterSeconds": verdict.retry_after},
                )
        if route.scope and not scope_granted(route.scope, principal.scopes):
            raise errors.ForbiddenScope(
                f"This key lacks the '{route.scope}' scope.",
                details={"requiredScope": route.scope, "grantedScopes": principal.scopes},
            )
        raw = b""
        data: Any = None
        if route.method in MUTATING or route.body is not None:
            raw = await read_body(request)
            if route.body is not None or raw.strip():
                data = parse_json(raw, request.headers.get("content-type"))
        body = validate(route.body, data) if route.body is not None else None
        idem_key = request.headers.get("idempotency-key") if route.is_idempotent else None
        endpoint = f"{route.method} {request.url.path}"
        if principal.acting_for is not None:  # the same key acting in a child is another namespace
            endpoint += f" @{tenant.id}"
        digest = body_hash(raw, data) if idem_key else ""
        async with emu.store.tx() as db:
            if idem_key:
                replay = await _idempotent_lookup(db, principal, endpoint, idem_key, digest, now)
                if replay is not None:
                    replay.headers.update(headers)
                    replay.headers["X-Request-Id"] = request_id
                    return replay
            ctx = Ctx(emu, tenant, now, db, principal.key_id, request_id)
            call = Call(ctx, request, dict(request.path_params), dict(request.query_params), body, data, principal)
            result = await route.handler(call)
            response = _to_response(result, route, request_id, headers)
            await _record(ctx, route, request, response.status_code)
            await emu.keys.touch(db, principal, now)
            if idem_key and response.status_code < 500:
                await db.execute(
                    "INSERT OR REPLACE INTO idempotency(api_key_id, endpoint, key, tenant_id, body_hash,"
                    " status, headers, body, created_at, expires_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (
                        principal.key_id, endpoint, idem_key, tenant.id, digest, response.status_code,
                        json.dumps({k: v for k, v in response.headers.items() if k.lower() in ("location", "etag", "content-type")}),
                        response.body, db_time(now), db_time(now + IDEMPOTENCY_WINDOW),
                    ),
                )
        for fn in ctx.after_commit:
            emu.engine.spawn(tenant, fn)
        return response
    except errors.ApiError as exc:
        exc.__dict__["request_id"] = request_id
        try:
            async with emu.store.tx() as db:
                ctx = Ctx(emu, tenant, now, db, principal.key_id, request_id)
                await _record(ctx, route, request, exc.status, code=exc.code)
        except Exception:  # recording must never mask the real answer
            pass
        raise


async def _idempotent_lookup(
    db: Any, principal: Principal, endpoint: str, key: str, digest: str, now: Any
) -> Response | None:
    cur = await db.execute(
        "SELECT body_hash, status, headers, body, expires_at FROM idempotency"
        " WHERE api_key_id = ? AND endpoint = ? AND key = ?",
        (principal.key_id, endpoint, key),
    )
    row = await cur.fetchone()
    if row is None:
        return None
    if row[4] <= db_time(now):
        await db.execute(
            "DELETE FROM idempotency WHERE api_key_id = ? AND endpoint = ? AND key = ?",
            (principal.key_id, endpoint, key),
        )
        return None
    if row[0] != digest:
        raise errors.IdempotencyConflict(
            "This Idempotency-Key was already used with a different request body."
        )
    stored = json.loads(row[2])
    stored["Idempotent-Replayed"] = "true"
    return Response(bytes(row[3]), status_code=row[1], headers=stored)


async def _record(ctx: Ctx, route: Route, request: Request, status: int, code: str | None = None) -> None:
    data: dict[str, Any] = {"method": route.method, "path": request.url.path, "status": status, "requestId": ctx.request_id}
    if code:
        data["code"] = code
    # named after the request, not drawn from the id stream: a read never shifts later ids
    await ctx.record("request", data, event_id=ctx.named_id("evt", "request", ctx.request_id))
    if route.method in MUTATING or status in (401, 403, 429):
        event_type = route.audit or f"api.{route.method.lower()}"
        if status == 429:
            event_type = "auth.rate_limited"
        elif status == 403 and code == "FORBIDDEN_SCOPE":
            event_type = "auth.scope_denied"
        row = {
            "event_id": ctx.tenant.ids.new("evt", ctx.now)[4:],
            "request_id": ctx.request_id,
            "event_type": event_type,
            "actor": ctx.api_key_id or "system",
            "api_key_id": ctx.api_key_id,
            "org_id": ctx.tenant_id,
            "project_id": request.path_params.get("projectId") or request.path_params.get("id") if "/projects/" in request.url.path else None,
            "data": {"method": route.method, "path": request.url.path, "status": status},
            "pii_redacted": False,
            "occurred_at": ctx.iso_now(),
        }
        await ctx.db.execute(
            "INSERT INTO audit_log(id, tenant_id, event_type, project_id, occurred_at, data) VALUES (?,?,?,?,?,?)",
            (row["event_id"], ctx.tenant_id, event_type, row["project_id"], db_time(ctx.now), json.dumps(row)),
        )


def _to_response(result: Any, route: Route, request_id: str, headers: dict[str, str]) -> Response:
    if isinstance(result, Response):
        result.headers["X-Request-Id"] = request_id
        for k, v in headers.items():
            result.headers[k] = v
        return result
    if not isinstance(result, Reply):
        result = Reply(result, route.status)
    merged = {**headers, **result.headers, "X-Request-Id": request_id}
    if result.status == 304:
        return Response(status_code=304, headers=merged)
    return Response(dumps(result.body), status_code=result.status, headers=merged, media_type="application/json")


def iso_or_none(value: Any) -> str | None:
    return iso(value) if value is not None else None
