"""The pytest plugin (entry point `pytest11`, installed with the package).

Fixtures:

- `layers_emulator` (session): a real emulator on a free loopback port, `.base_url`;
- `layers` (function): a fresh tenant on it: `.base_url`, `.api_key`, `.client` (an
  `httpx.Client` with the key set), `.now()`, `.advance(seconds=|duration=|to=)`, `.events()`;
- `layers_emulator_asgi` / `layers_asgi`: the same, in process, with no socket;
- `layers_emulator_settings` (session): start time, seed, strict keys; override it in a
  `conftest.py`, or use `--layers-start/--layers-seed/--layers-strict-keys`, the ini keys
  `layers_emulator_start/_seed/_strict_keys` or `LAYERS_EMULATOR_START/_SEED/_STRICT_KEYS`;
  `--layers-target URL` (ini `layers_emulator_target`, `LAYERS_EMULATOR_TARGET`) uses a running
  emulator instead of starting one.

`@pytest.mark.layers(start="2026-06-01T09:00:00Z", scopes=[...])` picks one test's tenant clock
start and key scopes. A server-side exception (a 500) fails the test that caused it, with the
server traceback in the report.
"""
from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from typing import Any

import pytest

from emulator.harness import (
    DEFAULT_START,
    Backend,
    EmulatorServerError,
    HarnessSettings,
    InProcessEmulator,
    RemoteEmulator,
    Tenant,
    ThreadedEmulator,
)
from emulator.settings import SettingsError, parse_bool, parse_int, parse_start

__all__ = ["EmulatorServerError", "HarnessSettings", "Tenant"]

_OPTIONS = (
    ("start", "--layers-start", "start instant of every tenant's virtual clock (ISO-8601 Z)", DEFAULT_START),
    ("seed", "--layers-seed", "the emulator's seed (names, ids, synthetic numbers)", "0"),
    ("strict_keys", "--layers-strict-keys", "accept only keys minted through /_emulator/keys", "false"),
    ("target", "--layers-target", "use the emulator already running at this URL instead of starting one", ""),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("layers-emulator", "Layers Partner API emulator")
    for name, flag, help_text, _default in _OPTIONS:
        group.addoption(flag, dest=f"layers_{name}", default=None, help=help_text)
        parser.addini(f"layers_emulator_{name}", help=help_text, default=None)


_SETTINGS = pytest.StashKey[HarnessSettings]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_SETTINGS] = settings_from_config(config)  # bad values: one usage error, at once
    config.addinivalue_line(
        "markers",
        "layers(start=None, scopes=None): the clock start and key scopes of this test's `layers` tenant",
    )


def _option(config: pytest.Config, name: str, default: str) -> str:
    value = config.getoption(f"layers_{name}")
    if value is None:
        value = config.getini(f"layers_emulator_{name}")
    if value in (None, "", []):
        value = os.environ.get(f"LAYERS_EMULATOR_{name.upper()}")
    return str(value) if value not in (None, "") else default


def settings_from_config(config: pytest.Config) -> HarnessSettings:
    values = {name: _option(config, name, default) for name, _flag, _help, default in _OPTIONS}
    try:
        start = parse_start(values["start"])
        return HarnessSettings(
            start=start,
            seed=parse_int("--layers-seed", values["seed"]),
            strict_keys=parse_bool("--layers-strict-keys", values["strict_keys"]),
        )
    except SettingsError as exc:
        raise pytest.UsageError(f"layers-emulator: {exc}") from None


@pytest.fixture(scope="session")
def layers_emulator_settings(pytestconfig: pytest.Config) -> HarnessSettings:
    """Override in a conftest.py to choose start time, seed or strict keys for the session:

        @pytest.fixture(scope="session")
        def layers_emulator_settings():
            return HarnessSettings(start="2026-03-01T00:00:00Z", seed=7)
    """
    return pytestconfig.stash[_SETTINGS]


@pytest.fixture(scope="session")
def layers_emulator(pytestconfig: pytest.Config, layers_emulator_settings: HarnessSettings) -> Iterator[Backend]:
    """A real emulator server on 127.0.0.1 (free port), started once per session (per xdist
    worker); with `--layers-target URL`, the emulator already running there."""
    target = _option(pytestconfig, "target", "")
    server: Backend = (RemoteEmulator(target, layers_emulator_settings) if target
                       else ThreadedEmulator(layers_emulator_settings)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def layers_emulator_asgi(layers_emulator_settings: HarnessSettings) -> Iterator[InProcessEmulator]:
    """The emulator in process: no socket; clients talk to the ASGI app directly."""
    emu = InProcessEmulator(layers_emulator_settings).start()
    try:
        yield emu
    finally:
        emu.stop()


def _tenant(request: pytest.FixtureRequest, backend: Backend) -> Generator[Tenant, None, None]:
    marker = request.node.get_closest_marker("layers")
    kwargs: dict[str, Any] = dict(marker.kwargs) if marker else {}
    unknown = set(kwargs) - {"start", "scopes", "name"}
    if unknown:
        raise pytest.UsageError(f"@pytest.mark.layers got unknown argument(s): {', '.join(sorted(unknown))}")
    tenant = backend.tenant(**kwargs)
    try:
        yield tenant
    finally:
        tenant.close()
        tenant.check()  # errors raised after the test body (e.g. by other fixtures' teardown)


@pytest.fixture
def layers(request: pytest.FixtureRequest, layers_emulator: Backend) -> Generator[Tenant, None, None]:
    """A fresh tenant (its own key, organization, clock and data) on the session's server."""
    yield from _tenant(request, layers_emulator)


@pytest.fixture
def layers_asgi(request: pytest.FixtureRequest, layers_emulator_asgi: InProcessEmulator) -> Generator[Tenant, None, None]:
    """A fresh tenant on the in-process emulator (`.client` needs no socket)."""
    yield from _tenant(request, layers_emulator_asgi)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """A server-side exception fails the test whose requests caused it, with its traceback."""
    tenants = [v for v in getattr(item, "funcargs", {}).values() if isinstance(v, Tenant)]
    try:
        result = yield
    except BaseException as exc:  # the test failed anyway: add the server's side of the story
        for tenant in tenants:
            try:
                tenant.check()
            except EmulatorServerError as server_side:
                exc.add_note(str(server_side))
        raise
    for tenant in tenants:
        tenant.check()
    return result
