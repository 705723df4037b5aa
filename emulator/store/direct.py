"""The store's statement surface, run inline on the event loop.

aiosqlite opens the connection on its worker thread and keeps it there for the slow, whole-file
work (opening, migrations, the closing checkpoint). Every statement of a transaction, though,
runs while `Store.lock` is held, so nothing else could touch the database meanwhile; sending each
one through the worker thread costs a queue hand-off and an event-loop wake-up (about 100-200 µs)
for a statement that itself takes 5-20 µs. A week of automatic posting runs tens of thousands of
statements, so the store hands out this wrapper instead: the same awaitable API the handlers were
written against (`execute`, `executemany`, `execute_fetchall`, cursors with `fetchone`,
`fetchall`, `rowcount`, `lastrowid`), calling the underlying `sqlite3.Connection` directly.

The connection is opened with `check_same_thread=False`; the store lock is what guarantees that
the loop thread and the worker thread never use it at the same time.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Generator, Iterable, Sequence
from typing import Any


class DirectCursor:
    """A cursor with aiosqlite's awaitable surface. `execute` returns it directly: awaiting it
    (`cur = await db.execute(...)`) answers itself at once, and `async with db.execute(...) as
    cur` works too, so a statement costs one wrapper object."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    def __await__(self) -> Generator[Any, None, DirectCursor]:
        # a generator that returns at once: cheaper to await than a coroutine
        return self
        yield  # pragma: no cover  (makes this a generator)

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size) if size is not None else self._cursor.fetchmany()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def description(self) -> Any:
        return self._cursor.description

    async def __aenter__(self) -> DirectCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()


_SAVEPOINT_VERBS = ("SAVEPOINT", "ROLLBACK", "RELEASE", "savepoint", "rollback", "release")
EVENT_INSERT = "INSERT INTO events(id, tenant_id, at, kind, type, project_id, data) VALUES (?,?,?,?,?,?,?)"


class DirectConnection:
    """Besides running statements, it buffers timeline events (`defer_event`): a posting week
    appends tens of thousands, and one `executemany` at commit costs a fraction of as many
    INSERTs. The buffer follows savepoints (a rolled-back run drops its events) and is written
    before any statement that touches the events table, so no read in the transaction misses
    one."""

    __slots__ = ("raw", "_events", "_marks")

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw
        self._events: list[tuple[Any, ...]] = []
        self._marks: list[tuple[str, int]] = []

    def defer_event(self, row: tuple[Any, ...]) -> None:
        self._events.append(row)

    def flush(self) -> None:
        if self._events:
            self.raw.executemany(EVENT_INSERT, self._events)
            self._events.clear()

    def discard(self) -> None:
        """The transaction rolled back: so do its buffered events."""
        self._events.clear()
        self._marks.clear()

    def _savepoints(self, sql: str) -> None:
        words = sql.split()
        verb = words[0].upper()
        if verb == "SAVEPOINT":
            self._marks.append((words[1], len(self._events)))
        elif verb == "ROLLBACK" and len(words) > 2 and words[1].upper() == "TO":
            name = words[-1]
            for i in range(len(self._marks) - 1, -1, -1):
                if self._marks[i][0] == name:
                    del self._events[self._marks[i][1]:]
                    del self._marks[i + 1:]
                    break
        elif verb == "RELEASE":
            name = words[-1]
            for i in range(len(self._marks) - 1, -1, -1):
                if self._marks[i][0] == name:
                    del self._marks[i:]
                    break

    def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> DirectCursor:
        if self._events and "events" in sql:
            self.flush()
        if sql.startswith(_SAVEPOINT_VERBS):  # cheap on the hot path: no split of every SELECT
            self._savepoints(sql)
        return DirectCursor(self.raw.execute(sql, parameters))

    def run(self, sql: str, parameters: Sequence[Any] = ()) -> sqlite3.Cursor:
        """A statement answered with the plain sqlite3 cursor, for the hot paths that run tens
        of thousands a posting week (documents in `store/docs.py`, timers in `Ctx` and the
        engine) and need no awaitable around each. Not for the timeline or savepoints:
        `execute` keeps those in step."""
        return self.raw.execute(sql, parameters)

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> DirectCursor:
        if self._events and "events" in sql:
            self.flush()
        return DirectCursor(self.raw.executemany(sql, parameters))

    async def execute_fetchall(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        if self._events and "events" in sql:
            self.flush()
        return self.raw.execute(sql, parameters).fetchall()

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    @property
    def total_changes(self) -> int:
        return self.raw.total_changes
