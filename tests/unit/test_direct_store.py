"""The inline statement surface (store/direct.py): buffered timeline events follow savepoints and
are written before anything reads the events table."""
from __future__ import annotations

import asyncio
import sqlite3

from emulator.store.direct import DirectConnection


def _db() -> DirectConnection:
    raw = sqlite3.connect(":memory:", isolation_level=None)
    raw.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT, tenant_id TEXT, at TEXT, kind TEXT,"
                " type TEXT, project_id TEXT, data TEXT)")
    return DirectConnection(raw)


def _event(n: int) -> tuple[object, ...]:
    return (f"evt_{n}", "t", "2026-05-11T00:00:00.000Z", "k", None, None, "{}")


def test_a_rolled_back_savepoint_drops_its_buffered_events_and_a_released_one_keeps_them() -> None:
    async def run() -> list[str]:
        db = _db()
        db.raw.execute("BEGIN")
        db.defer_event(_event(1))
        await db.execute("SAVEPOINT layer_run")
        db.defer_event(_event(2))
        await db.execute("ROLLBACK TO layer_run")
        await db.execute("RELEASE layer_run")
        await db.execute("SAVEPOINT layer_run")
        db.defer_event(_event(3))
        await db.execute("RELEASE layer_run")
        # a read of the events table inside the transaction sees every kept event
        rows = await db.execute_fetchall("SELECT id FROM events ORDER BY seq")
        db.raw.execute("COMMIT")
        return [r[0] for r in rows]

    assert asyncio.run(run()) == ["evt_1", "evt_3"]


def test_discard_forgets_what_a_failed_transaction_buffered() -> None:
    db = _db()
    db.defer_event(_event(1))
    db.discard()
    db.flush()
    assert db.raw.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 0
