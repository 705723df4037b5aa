"""The SQLite store: one aiosqlite connection, WAL, foreign keys, versioned migrations.

Every write happens inside `Store.tx()`, which holds one asyncio lock for the whole transaction,
so a request or a timer firing is applied completely or not at all. Migrations are the files in
`emulator/store/migrations/NNNN_name.sql`, applied in number order and recorded in
`schema_migrations`, so a newer emulator opens an older file by applying only what is missing.
Number ranges per area keep parallel work from colliding: 0001-0099 core, 01xx onboarding,
02xx content and publishing, 03xx distribution, 04xx measurement, 05xx webhooks, 06xx harness.
"""
from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from emulator.store.direct import DirectConnection


class StoreError(Exception):
    """The database file cannot be used (unreadable, not SQLite, newer schema, ...)."""


def _migration_files() -> list[tuple[int, str, str]]:
    out = []
    for entry in resources.files("emulator.store").joinpath("migrations").iterdir():
        name = entry.name
        if not name.endswith(".sql") or not name[:4].isdigit():
            continue
        out.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    out.sort()
    numbers = [n for n, _, _ in out]
    if len(numbers) != len(set(numbers)):
        raise StoreError(f"two migrations share a number: {sorted(numbers)}")
    return out


class Store:
    def __init__(self, path: str) -> None:
        self.path = path
        self.db: aiosqlite.Connection | None = None
        self.direct: DirectConnection | None = None  # the statement surface handed to tx() / read()
        self.lock = asyncio.Lock()
        self._before_commit: list[Callable[[Db], Awaitable[None]]] = []

    async def open(self) -> None:
        if self.path != ":memory:":
            parent = Path(self.path).expanduser().resolve().parent
            if not parent.is_dir():
                raise StoreError(f"the directory for --db {self.path!r} does not exist")
        try:
            # check_same_thread=False: statements run inline under `self.lock` (see store/direct.py)
            # cached_statements: the emulator runs several hundred distinct statements; re-preparing
            # one evicted from a small cache (triggers included) costs more than running it
            self.db = await aiosqlite.connect(
                self.path, isolation_level=None, check_same_thread=False, cached_statements=4096
            )
            await self.db.execute("PRAGMA foreign_keys = ON")
            if self.path != ":memory:":
                await self.db.execute("PRAGMA journal_mode = WAL")
                await self.db.execute("PRAGMA synchronous = NORMAL")
            await self.db.execute("PRAGMA busy_timeout = 5000")
            await self._migrate()
            self.direct = DirectConnection(self.db._conn)
        except sqlite3.DatabaseError as exc:
            if self.db is not None:
                await self.db.close()
                self.db = None
            raise StoreError(f"--db {self.path!r} is not a usable SQLite database ({exc})") from exc

    async def close(self) -> None:
        if self.db is not None:
            if self.path != ":memory:":
                await self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            await self.db.close()
            self.db = None
            self.direct = None

    async def _migrate(self) -> None:
        assert self.db is not None
        await self.db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL)"
        )
        rows = await self.db.execute_fetchall("SELECT version FROM schema_migrations")
        applied = {r[0] for r in rows}
        known = _migration_files()
        newest_known = max((n for n, _, _ in known), default=0)
        unknown = [v for v in applied if v > newest_known]
        if unknown:
            raise StoreError(
                f"--db {self.path!r} was written by a newer emulator (schema {max(unknown)}); "
                "upgrade layers-emulator to open it"
            )
        missing = [(number, name, sql) for number, name, sql in known if number not in applied]
        if not missing:
            return
        # every missing migration in one transaction and one call: a fresh file (or :memory:)
        # costs one commit instead of one per migration and a thread hop per statement
        script = "\n".join(
            f"{sql.rstrip().rstrip(';')};\n"
            f"INSERT INTO schema_migrations(version, name) VALUES ({number}, '{name}');"
            for number, name, sql in missing
        )
        try:
            await self.db.executescript(f"BEGIN IMMEDIATE;\n{script}\nCOMMIT;")
        except Exception:
            if self.db._conn.in_transaction:
                await self.db.execute("ROLLBACK")
            raise

    def before_commit(self, hook: Callable[[Db], Awaitable[None]]) -> None:
        self._before_commit.append(hook)

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[Db]:
        """One serialized transaction; rolled back if the block raises."""
        db = self.direct
        assert db is not None, "store is not open"
        async with self.lock:
            db.raw.execute("BEGIN IMMEDIATE")
            try:
                yield db
                for hook in self._before_commit:
                    await hook(db)
                db.flush()
                db.raw.execute("COMMIT")
            except BaseException:
                db.discard()
                db.raw.execute("ROLLBACK")
                raise

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Db]:
        """Serialized read access (one connection: reads wait for writes to finish)."""
        db = self.direct
        assert db is not None, "store is not open"
        async with self.lock:
            try:
                yield db
            finally:
                db.flush()  # an event recorded outside a transaction is written at once

    async def tables_with_tenant(self, db: Db) -> list[str]:
        rows = await db.execute_fetchall(
            "SELECT m.name FROM sqlite_master m WHERE m.type='table' AND EXISTS "
            "(SELECT 1 FROM pragma_table_info(m.name) p WHERE p.name='tenant_id')"
        )
        return [r[0] for r in rows]


Row = dict[str, Any]
Db = DirectConnection  # what handlers receive as `db` / `ctx.db`
