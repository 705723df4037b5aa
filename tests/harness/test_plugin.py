"""The pytest plugin, exercised the way a user's suite uses it (pytester runs inner suites)."""
from __future__ import annotations

from pathlib import Path

import pytest

import emulator.harness  # noqa: F401
import emulator.pytest_plugin  # noqa: F401
from emulator.http.routes import all_routes

pytest_plugins = ["pytester"]

# In-process pytester runs drop every module first imported during the run. Import what the
# inner runs import (the whole route table, httpx, uvicorn) up front, so later tests in this
# process do not get second copies of modules with registries (job kinds, timer handlers).
all_routes()

REPO = Path(__file__).resolve().parents[2]
PLUGIN = ("-p", "emulator.pytest_plugin", "-p", "no:randomly", "-p", "no:cacheprovider")

CRASH_CONFTEST = """
import pytest
from emulator.http.api import Route
from emulator.http.routes import starlette_routes

async def boom(call):
    raise ZeroDivisionError("kaboom in the handler")

def _install(app):
    if not getattr(app.state, "boom_installed", False):
        app.router.routes[:0] = starlette_routes([Route("GET", "/v1/_test_boom", boom)])
        app.state.boom_installed = True

@pytest.fixture(autouse=True)
def crash_route(request):
    for name in ("layers_emulator", "layers_emulator_asgi"):
        if name in request.fixturenames:
            _install(request.getfixturevalue(name).app)
"""


@pytest.fixture
def inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    # the plugin is loaded explicitly, whether or not the package is installed
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    for name in ("START", "SEED", "STRICT_KEYS"):
        monkeypatch.delenv(f"LAYERS_EMULATOR_{name}", raising=False)
    return pytester


def test_layers_fixture_gives_a_working_tenant(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        """
        import httpx
        from datetime import datetime, timezone

        def test_tenant(layers, layers_emulator):
            assert layers.base_url == layers_emulator.base_url
            assert layers.base_url.startswith("http://127.0.0.1:")
            assert layers.api_key.startswith("lp_test_")
            assert isinstance(layers.client, httpx.Client)
            r = layers.client.post("/v1/projects", json={"name": "Acme App", "timezone": "UTC"})
            assert r.status_code == 201, r.text
            # code under test makes its own calls with only the URL and the key
            own = httpx.get(f"{layers.base_url}/v1/projects", headers={"Authorization": f"Bearer {layers.api_key}"})
            assert [p["id"] for p in own.json()["items"]] == [r.json()["id"]]
            assert layers.now() == datetime(2026, 5, 11, tzinfo=timezone.utc)
            assert layers.advance(duration="P1D")["now"] == "2026-05-12T00:00:00.000Z"
            layers.advance(seconds=90)
            layers.advance(to="2026-05-13T00:00:00Z")
            assert layers.now() == datetime(2026, 5, 13, tzinfo=timezone.utc)
            kinds = {e["kind"] for e in layers.events()}
            assert "clock" in kinds and "request" in kinds
        """
    )
    inner.runpytest(*PLUGIN).assert_outcomes(passed=1)


def test_each_test_gets_its_own_tenant(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        """
        import pytest

        seen = set()

        @pytest.mark.parametrize("i", range(3))
        def test_isolated(layers, i):
            assert layers.api_key not in seen
            seen.add(layers.api_key)
            assert layers.client.get("/v1/projects").json()["items"] == []
            layers.client.post("/v1/projects", json={"name": f"Project {i}", "timezone": "UTC"})
            layers.advance(duration="P3D")
        """
    )
    inner.runpytest(*PLUGIN).assert_outcomes(passed=3)


def test_server_exception_fails_the_test_with_its_traceback(inner: pytest.Pytester) -> None:
    inner.makeconftest(CRASH_CONFTEST)
    inner.makepyfile(
        """
        def test_causes_500(layers):
            r = layers.client.get("/v1/_test_boom")
            assert r.status_code == 500   # the client only sees the envelope...

        def test_fine_afterwards(layers):
            assert layers.client.get("/v1/projects").status_code == 200
        """
    )
    result = inner.runpytest(*PLUGIN)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*test_causes_500*", "*EmulatorServerError*", "*GET /v1/_test_boom*",
                                 "*ZeroDivisionError: kaboom in the handler*"])
    assert "FAILED test_server_exception_fails_the_test_with_its_traceback.py::test_causes_500" in result.stdout.str()


def test_server_exception_is_added_to_an_already_failing_test(inner: pytest.Pytester) -> None:
    inner.makeconftest(CRASH_CONFTEST)
    inner.makepyfile(
        """
        def test_client_chokes(layers_asgi):
            r = layers_asgi.client.get("/v1/_test_boom")
            assert r.json()["items"] == []
        """
    )
    result = inner.runpytest(*PLUGIN)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*KeyError*", "*ZeroDivisionError: kaboom in the handler*"])
    assert "error" not in result.parseoutcomes()


def test_asgi_variant_needs_no_socket(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        """
        import socket
        import pytest

        def test_no_socket(layers_asgi, monkeypatch):
            def refuse(*a, **k):
                raise AssertionError("a socket was opened")
            monkeypatch.setattr(socket, "create_connection", refuse)
            r = layers_asgi.client.post("/v1/projects", json={"name": "Acme App", "timezone": "UTC"})
            assert r.status_code == 201
            layers_asgi.advance(duration="PT1H")
            assert layers_asgi.now().hour == 1
            assert len(layers_asgi.events(kind="clock")) == 1
        """
    )
    inner.runpytest(*PLUGIN).assert_outcomes(passed=1)


def test_settings_fixture_override_and_marker(inner: pytest.Pytester) -> None:
    inner.makeconftest(
        """
        import pytest
        from emulator.harness import HarnessSettings

        @pytest.fixture(scope="session")
        def layers_emulator_settings():
            return HarnessSettings(start="2026-03-01T08:00:00Z", seed=42, strict_keys=True)
        """
    )
    inner.makepyfile(
        """
        import httpx
        import pytest

        def test_session_start(layers):
            assert layers.now().isoformat() == "2026-03-01T08:00:00+00:00"

        @pytest.mark.layers(start="2026-07-04T12:00:00Z")
        def test_marker_start(layers_asgi):
            assert layers_asgi.now().isoformat() == "2026-07-04T12:00:00+00:00"

        @pytest.mark.layers(scopes=["projects:read"])
        def test_marker_scopes(layers):
            assert layers.client.get("/v1/projects").status_code == 200
            denied = layers.client.post("/v1/projects", json={"name": "Acme App", "timezone": "UTC"})
            assert denied.status_code == 403
            assert denied.json()["error"]["code"] == "FORBIDDEN_SCOPE"

        def test_strict_keys(layers, layers_emulator):
            made_up = httpx.get(f"{layers.base_url}/v1/projects", headers={"Authorization": "Bearer lp_test_made_up"})
            assert made_up.status_code == 401
            assert layers.client.get("/v1/projects").status_code == 200
            assert layers_emulator.settings.seed == 42
        """
    )
    inner.runpytest(*PLUGIN).assert_outcomes(passed=4)


def test_command_line_and_ini_options(inner: pytest.Pytester) -> None:
    inner.makeini("[pytest]\nlayers_emulator_start = 2026-01-02T00:00:00Z\nlayers_emulator_seed = 5\n")
    inner.makepyfile(
        """
        def test_options(layers, layers_emulator_settings):
            assert layers.now().isoformat() == "2026-02-03T04:05:00+00:00"
            assert layers_emulator_settings.seed == 5
        """
    )
    inner.runpytest(*PLUGIN, "--layers-start", "2026-02-03T04:05:00Z").assert_outcomes(passed=1)


def test_bad_option_is_one_clear_usage_error(inner: pytest.Pytester) -> None:
    inner.makepyfile("def test_x(layers):\n    pass\n")
    result = inner.runpytest(*PLUGIN, "--layers-seed", "many")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--layers-seed must be an integer, not 'many'*"])


def test_unknown_marker_argument_is_refused(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        """
        import pytest

        @pytest.mark.layers(begin="2026-01-01T00:00:00Z")
        def test_x(layers):
            pass
        """
    )
    result = inner.runpytest(*PLUGIN)
    result.stdout.fnmatch_lines(["*unknown argument(s): begin*"])
    assert result.ret != 0


def test_parallel_xdist_workers_never_interfere(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("i", range(8))
        def test_worker(layers, i):
            r = layers.client.post("/v1/projects", json={"name": f"Project {i}", "timezone": "UTC"})
            assert r.status_code == 201
            layers.advance(seconds=i * 60)
            items = layers.client.get("/v1/projects").json()["items"]
            assert [p["name"] for p in items] == [f"Project {i}"]
            assert layers.now().minute == i
        """
    )
    result = inner.runpytest_subprocess(*PLUGIN, "-p", "xdist.plugin", "-n", "2")
    result.assert_outcomes(passed=8)


def test_the_readme_examples_run(inner: pytest.Pytester) -> None:
    text = (REPO / "scenarios" / "README.md").read_text()
    blocks = text.split("```python\n")[1:]
    example, conftest, marker = (b.split("```")[0] for b in blocks[:3])
    inner.makeconftest(conftest)
    inner.makepyfile(test_example=example, test_marker=marker.replace("...", "assert layers.now().month == 11"))
    inner.runpytest(*PLUGIN).assert_outcomes(passed=3)


def test_layers_target_uses_a_running_emulator(inner: pytest.Pytester) -> None:
    from emulator.harness import HarnessSettings, ThreadedEmulator

    inner.makepyfile(
        """
        def test_remote(layers, layers_emulator):
            assert layers.base_url == layers_emulator.base_url
            assert layers.client.post("/v1/projects", json={"name": "Acme App", "timezone": "UTC"}).status_code == 201
            layers.advance(duration="PT1H")
            assert layers.now().isoformat() == "2026-05-11T01:00:00+00:00"
        """
    )
    with ThreadedEmulator(HarnessSettings()) as running:
        result = inner.runpytest(*PLUGIN, "--layers-target", running.base_url)
        orgs = running.emulator.tenants
    result.assert_outcomes(passed=1)
    assert orgs is not None
