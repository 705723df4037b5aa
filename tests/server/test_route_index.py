"""The app routes from a generated index (method, path, module, early) so it can listen before
the route modules are imported. The index must say exactly what the modules declare, a server
must not import them (nor pydantic, httpx) before it listens, and every request but liveness
waits for them."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from emulator.http.route_index import INDEX
from emulator.http.routes import REGENERATE, RouteTable, discover, index_of
from tests.support import emulator_client

REPO = Path(__file__).resolve().parents[2]


def test_the_index_is_what_the_route_modules_declare() -> None:
    assert index_of(discover()) == INDEX, f"emulator/http/route_index.py is stale: run `{REGENERATE}`"


def test_early_routes_are_anonymous_reads_without_a_body() -> None:
    early = [r for _, r in discover() if r.early]
    assert [(r.method, r.path) for r in early] == [("GET", "/_emulator/health")]
    assert all(not r.auth and r.body is None and not r.raw for r in early)


def test_a_stale_index_is_refused_when_the_modules_load() -> None:
    table = RouteTable(INDEX[:-1])
    try:
        table.load()
    except RuntimeError as exc:
        assert REGENERATE in str(exc)
    else:
        raise AssertionError("a stale index loaded")


def test_the_server_listens_without_the_route_modules() -> None:
    probe = (
        "import sys, emulator.server\n"
        "from emulator.app import create_app\n"
        "from emulator.settings import Settings\n"
        "create_app(Settings(db=':memory:', clock='virtual'))\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'httpx', 'apscheduler')\n"
        "               or m.startswith(('emulator.services', 'emulator.http.projects', 'emulator.jobs')))\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_liveness_answers_first_and_the_api_waits_for_the_load() -> None:
    with emulator_client() as client:
        table = client.app.state.routes
        r = client.get("/_emulator/health")
        assert r.status_code == 200 and r.json()["status"] == "ok"
        me = client.get("/v1/whoami", headers={"Authorization": "Bearer lp_test_lazy"})
        assert me.status_code == 200, me.text
        assert table.loading is not None and table.loading.done()
        assert len(list(table)) == len(INDEX)


def test_wrong_methods_and_unknown_paths_keep_their_envelopes() -> None:
    with emulator_client() as client:
        wrong = client.delete("/_emulator/health")
        assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
        missing = client.get("/v1/nothing-here", headers={"Authorization": "Bearer lp_test_lazy"})
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"
        aliased = client.get("/partner/v1/whoami", headers={"Authorization": "Bearer lp_test_lazy"})
        assert aliased.status_code == 200
