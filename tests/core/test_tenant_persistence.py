"""A tenant's id counter, clock and settings reach the `tenants` row at the next commit after
they change, and only changed tenants are written (a long-lived server sees thousands)."""
from __future__ import annotations

from typing import Any

from tests.support import emulator_client


def test_only_changed_tenants_are_written_and_a_rolled_back_change_waits_for_the_next_commit() -> None:
    with emulator_client() as client:
        emu = client.app.state.emulator  # type: ignore[attr-defined]
        tenants = emu.tenants

        async def scenario() -> dict[str, Any]:
            async with emu.store.tx() as db:
                a = await tenants.create(db, "persist-a")
                b = await tenants.create(db, "persist-b")
            after_create = dict(tenants._dirty)
            try:
                async with emu.store.tx():
                    a.ids.new("prj", a.now())  # drawn, then the transaction fails
                    raise RuntimeError("boom")
            except RuntimeError:
                pass
            pending = set(tenants._dirty)
            writes: list[str] = []
            emu.store.direct.raw.set_trace_callback(
                lambda sql: writes.append(sql) if sql.startswith("UPDATE tenants") else None)
            async with emu.store.tx():
                pass  # any later commit writes it
            emu.store.direct.raw.set_trace_callback(None)
            async with emu.store.read() as db:
                rows = await db.execute_fetchall(
                    "SELECT id, id_counter FROM tenants WHERE id IN (?, ?)", (a.id, b.id))
            return {"after_create": after_create, "pending": pending, "a": a.id, "writes": writes,
                    "counters": dict(rows), "left": dict(tenants._dirty), "b": b.id}

        out = client.portal.call(scenario)
        assert out["after_create"] == {}
        assert out["pending"] == {out["a"]}
        assert len(out["writes"]) == 1 and out["a"] in out["writes"][0]  # b, unchanged, is not written
        assert out["counters"] == {out["a"]: 1, out["b"]: 0}
        assert out["left"] == {}
