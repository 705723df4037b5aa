"""Schemathesis against /openapi.json of a real emulator process (`--port 0 --db :memory:
--clock virtual`): every operation, a bounded number of generated requests each, with a tenant
key; no 5xx, error responses match the documented envelope, JSON where JSON is promised; at the
end the server's own list of unexpected exceptions is empty. Then a create → get chain over the
created resources (the schema declares no links, so the chain is explicit)."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, settings

import schemathesis  # noqa: E402  (in the `test` extra)
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
)

pytestmark = pytest.mark.server

KEY = "lp_test_fuzz_tenant"
AUTH = {"Authorization": f"Bearer {KEY}"}
# The chains run on a tenant of their own: the fuzz tenant may have had its limits, credits or
# rate limits changed by generated control requests by then.
CHAIN_AUTH = {"Authorization": "Bearer lp_test_fuzz_chains"}
EXAMPLES = int(os.environ.get("LAYERS_FUZZ_EXAMPLES", "8"))
CHECKS = [response_schema_conformance, content_type_conformance]
# Documented 5xx answers (a killed key or suspended organization, an injected platform fault).
DOCUMENTED_5XX = {"KILL_SWITCH", "PLATFORM_ERROR"}
# Wipes the seeded tenant; fuzzed elsewhere (tests/core) and of no interest here.
EXCLUDED = r"^/_emulator/reset$"


@pytest.fixture(scope="session")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("fuzz") / "server.log"
    with log.open("w") as sink:  # a file, not a pipe: a full pipe would stall the server
        proc = subprocess.Popen(
            [sys.executable, "-m", "emulator", "serve", "--port", "0", "--db", ":memory:", "--clock", "virtual",
             "--start", "2026-05-11T00:00:00Z"],
            stdout=subprocess.PIPE, stderr=sink, text=True,
            env={k: v for k, v in os.environ.items() if not k.startswith("LAYERS_EMULATOR_")},
        )
    url = proc.stdout.readline().strip()  # type: ignore[union-attr]
    proc.stdout.readline()  # type: ignore[union-attr]
    assert url.startswith("http://127.0.0.1:"), log.read_text()
    try:
        yield url
        errors = httpx.get(f"{url}/_emulator/server-errors", timeout=30).json()
        items = errors.get("items", errors) if isinstance(errors, dict) else errors
        for e in items:
            print(e.get("method"), e.get("path"), "\n", e.get("traceback"))
        assert not items, f"{len(items)} unexpected exceptions in the emulator (tracebacks printed above)"
    finally:
        proc.kill()
        proc.wait()


def seed_tenant(url: str) -> dict[str, str]:
    """Fill the fuzz tenant (tests/hardening/world.py) and answer one real id per path parameter,
    so generated requests reach real resources instead of stopping at 404."""
    from tests.hardening.world import build, collect
    from tests.support import Api

    with httpx.Client(base_url=url, timeout=120) as http:
        api = Api(http, KEY)  # type: ignore[arg-type]
        ids = build(api)
        routes = [_RouteLike(m, p) for p, ops in httpx.get(f"{url}/openapi.json").json()["paths"].items() for m in ops]
        collect(api, routes, ids, {"platform": "tiktok"})
    ids["id"] = ids.get("projectLayerId", set())
    # keyId and orgId stay generated: killing the fuzz key or suspending its organization would
    # (correctly) answer 503 KILL_SWITCH to everything after it.
    return {name: sorted(values)[0] for name, values in ids.items() if values}


class _RouteLike:
    def __init__(self, method: str, path: str) -> None:
        self.method, self.path, self.auth = method.upper(), path, not path.startswith("/openapi")


@pytest.fixture(scope="session")
def fuzz_schema(fuzz_server: str) -> Any:
    real = seed_tenant(fuzz_server)
    params = {name: value for name, value in real.items()
              if name in {p["name"] for ops in httpx.get(f"{fuzz_server}/openapi.json").json()["paths"].values()
                          for op in ops.values() for p in op["parameters"] if p["in"] == "path"}}
    # The coverage phase (every boundary combination, unbounded by max-examples) is what makes a
    # run long; examples + fuzzing with a fixed budget keep CI within minutes.
    config = schemathesis.Config.from_dict({
        "phases": {"coverage": {"enabled": False}},
        "generation": {"max-examples": EXAMPLES, "deterministic": True},
        "parameters": params,
    })
    return schemathesis.openapi.from_url(f"{fuzz_server}/openapi.json", config=config).exclude(path_regex=EXCLUDED)


schema = schemathesis.pytest.from_fixture("fuzz_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
def test_no_server_error_and_documented_envelope(case: Any) -> None:
    response = case.call(headers=AUTH, timeout=60)
    if response.status_code >= 500:
        code = response.json().get("error", {}).get("code") if "json" in response.headers.get("content-type", "") else None
        assert code in DOCUMENTED_5XX, f"{case.method} {case.formatted_path} -> {response.status_code} {response.text[:500]}"
    case.validate_response(response, checks=CHECKS)


def _created_id(body: Any, param: str) -> str | None:
    if not isinstance(body, dict):
        return None
    for key in (param, "id"):
        if isinstance(body.get(key), str):
            return str(body[key])
    nested = [v for v in body.values() if isinstance(v, dict) and isinstance(v.get("id"), str)]
    return str(nested[0]["id"]) if len(nested) == 1 else None


def test_created_resources_read_back(fuzz_schema: Any, fuzz_server: str) -> None:
    """The create → get link for every family that has one: generated valid bodies; whenever the
    create answers 201, the item route answers 200 with the same id."""
    from hypothesis import given

    raw = httpx.get(f"{fuzz_server}/openapi.json").json()["paths"]
    pairs = []
    for path, ops in raw.items():
        if "post" not in ops or "201" not in ops["post"]["responses"]:
            continue
        for other, other_ops in raw.items():
            tail = other[len(path):]
            if other.startswith(path + "/{") and tail.count("/") == 1 and tail.endswith("}") and "get" in other_ops:
                pairs.append((path, other, tail[2:-1]))
    assert len(pairs) >= 4, pairs
    created: dict[str, int] = {}
    for post_path, get_path, param in pairs:
        operation = fuzz_schema[post_path]["POST"]

        @given(case=operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE))
        @settings(max_examples=EXAMPLES * 2, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.generate])
        def chain(case: Any) -> None:
            r = case.call(headers=CHAIN_AUTH, timeout=60)
            assert r.status_code < 500, r.text
            if r.status_code != 201:
                return
            new_id = _created_id(r.json(), param)
            assert new_id, (post_path, r.text[:300])
            item = case.formatted_path + "/" + new_id
            got = httpx.get(f"{fuzz_server}{item}", headers=CHAIN_AUTH, timeout=60)
            assert got.status_code == 200, (item, got.text[:300])
            assert new_id in got.text
            created[post_path] = created.get(post_path, 0) + 1

        chain()
    # Free-form strings the schema cannot constrain (IANA zones, URLs) make most generated creates
    # a 422; at least one family must complete the chain for the test to mean something.
    assert sum(created.values()) > 0, created
    print("create → get chains exercised:", created)
