"""Migrations: every missing one applied in one transaction, recorded, and never re-run."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from emulator.store import db as store_db
from emulator.store.db import Store


def _versions(path: str) -> list[int]:
    async def read() -> list[int]:
        store = Store(path)
        await store.open()
        try:
            rows = await store.db.execute_fetchall("SELECT version FROM schema_migrations ORDER BY version")  # type: ignore[union-attr]
            return [r[0] for r in rows]
        finally:
            await store.close()

    return asyncio.run(read())


def test_a_fresh_file_records_every_migration_and_a_reopen_adds_only_new_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(tmp_path / "m.db")
    known = store_db._migration_files()
    assert _versions(path) == [n for n, _, _ in known]
    extra = (9990, "9990_extra.sql", "CREATE TABLE extra_things (id TEXT PRIMARY KEY);\n-- trailing note")
    monkeypatch.setattr(store_db, "_migration_files", lambda: [*known, extra])
    assert _versions(path)[-1] == 9990
    assert _versions(path).count(9990) == 1


def test_a_failing_migration_applies_none_of_the_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(tmp_path / "m.db")
    known = store_db._migration_files()
    broken = (9991, "9991_broken.sql", "CREATE TABLE fine_table (id TEXT);\nCREATE TABLE broken (;")
    monkeypatch.setattr(store_db, "_migration_files", lambda: [*known, broken])
    with pytest.raises(store_db.StoreError):
        _versions(path)
    monkeypatch.setattr(store_db, "_migration_files", lambda: known)
    assert _versions(path) == [n for n, _, _ in known]  # the earlier ones were rolled back too

    async def tables() -> set[str]:
        store = Store(path)
        await store.open()
        rows = await store.db.execute_fetchall("SELECT name FROM sqlite_master WHERE type='table'")  # type: ignore[union-attr]
        await store.close()
        return {r[0] for r in rows}

    assert "fine_table" not in asyncio.run(tables())
