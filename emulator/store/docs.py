"""Document tables: each row keeps its full object as JSON in `data`, plus the columns that
queries filter and sort on. Records are plain dicts shaped like the API objects."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from emulator.errors import NotFound, Validation
from emulator.pagination import PageRequest, encode_cursor
from emulator.store import codec
from emulator.store.db import Db

Record = dict[str, Any]


class Docs:
    def __init__(
        self, table: str, columns: dict[str, Callable[[Record], Any]], noun: str, *, id_key: str = "id"
    ) -> None:
        self.id_key = id_key
        self.table = table
        self.columns = columns
        self.noun = noun
        cols = ["id", "tenant_id", *columns, "data"]
        self._insert = (
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
        )
        self._current = f"SELECT {', '.join(columns) or '1'} FROM {table} WHERE id = ? AND tenant_id = ?"
        self._get = f"SELECT data FROM {table} WHERE id = ? AND tenant_id = ?"
        self._names = tuple(columns)
        self._fns = tuple(columns.values())
        # by the positions of the columns that changed: the UPDATE and the columns' names
        self._updates: dict[tuple[int, ...], tuple[str, tuple[str, ...]]] = {}

    def _values(self, record: Record) -> list[Any]:
        return [fn(record) for fn in self._fns]

    async def insert(self, db: Db, tenant_id: str, record: Record) -> Record:
        db.run(self._insert, [record[self.id_key], tenant_id, *self._values(record), codec.dumps(record)])
        return record

    async def save(self, db: Db, tenant_id: str, record: Record) -> Record:
        """Rewrite the row, setting only the indexed columns whose value changed: SQLite
        rewrites the entries of every index on a column named in SET, so a save that changes one
        status costs a third of one that names them all."""
        await self.save_changed(db, tenant_id, record)
        return record

    async def save_changed(self, db: Db, tenant_id: str, record: Record) -> tuple[str, ...] | None:
        """`save`, answering which indexed columns changed (None: there is no such row)."""
        values = self._values(record)
        key = record[self.id_key]
        current = db.run(self._current, (key, tenant_id)).fetchone()
        if current is None:
            return None
        diff = tuple([i for i, new in enumerate(values) if new != current[i]])
        update = self._updates.get(diff)
        if update is None:
            names = tuple(self._names[i] for i in diff)
            sets = ", ".join(f"{c} = ?" for c in (*names, "data"))
            update = self._updates[diff] = (f"UPDATE {self.table} SET {sets} WHERE id = ? AND tenant_id = ?", names)
        db.run(update[0], [*[values[i] for i in diff], codec.dumps(record), key, tenant_id])
        return update[1]

    async def get(self, db: Db, tenant_id: str, id_: str) -> Record | None:
        row = db.run(self._get, (id_, tenant_id)).fetchone()
        return codec.loads(row[0]) if row else None

    async def require_in(self, db: Db, tenant_id: str, id_: str, project_id: str) -> Record:
        """The record if it belongs to the project, else 404 NOT_FOUND."""
        record = await self.get(db, tenant_id, id_)
        if record is None or record.get("projectId") != project_id:
            raise NotFound(f"{self.noun} {id_} not found.")
        return record

    async def require(self, db: Db, tenant_id: str, id_: str) -> Record:
        record = await self.get(db, tenant_id, id_)
        if record is None:
            raise NotFound(f"{self.noun} {id_} not found.")
        return record

    async def find(
        self,
        db: Db,
        tenant_id: str,
        where: str = "1=1",
        params: Sequence[Any] = (),
        order: str = "rowid",
        limit: int | None = None,
    ) -> list[Record]:
        sql = f"SELECT data FROM {self.table} WHERE tenant_id = ? AND ({where}) ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [codec.loads(r[0]) for r in db.run(sql, (tenant_id, *params)).fetchall()]

    async def count(
        self, db: Db, tenant_id: str, where: str = "1=1", params: Sequence[Any] = ()
    ) -> int:
        cur = await db.execute(
            f"SELECT COUNT(*) FROM {self.table} WHERE tenant_id = ? AND ({where})", (tenant_id, *params)
        )
        row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def page(
        self,
        db: Db,
        tenant_id: str,
        page: PageRequest,
        *,
        where: str = "1=1",
        params: Sequence[Any] = (),
        sort: str = "created_at",
        descending: bool = True,
    ) -> tuple[list[Record], str | None]:
        """One keyset page ordered by (sort, rowid); `rowid` breaks ties between rows created
        at the same virtual instant, in insertion order."""
        op, direction = ("<", "DESC") if descending else (">", "ASC")
        clauses, args = [f"({where})"], list(params)
        if page.cursor is not None:
            k, r = page.cursor.get("k"), page.cursor.get("r")
            if not isinstance(r, int) or (k is not None and not isinstance(k, (str, int, float))):
                raise Validation("cursor is malformed; pass back nextCursor verbatim", path="cursor")
            clauses.append(f"({sort} {op} ? OR ({sort} = ? AND rowid {op} ?))")
            args += [k, k, r]
        sql = (
            f"SELECT data, {sort}, rowid FROM {self.table} WHERE tenant_id = ? AND "
            f"{' AND '.join(clauses)} ORDER BY {sort} {direction}, rowid {direction} LIMIT ?"
        )
        rows = await db.execute_fetchall(sql, (tenant_id, *args, page.limit + 1))
        items = [codec.loads(r[0]) for r in rows[: page.limit]]
        next_cursor = None
        if len(rows) > page.limit:
            last = rows[page.limit - 1]
            next_cursor = encode_cursor({"k": last[1], "r": last[2]})
        return items, next_cursor


async def log_page(
    db: Db,
    table: str,
    page: PageRequest,
    *,
    columns: str,
    where: list[str],
    params: list[Any],
    newest_first: bool = True,
) -> tuple[list[Any], str | None]:
    """One page of an append-only log ordered by its `seq` column (audit log, ledger, timeline,
    webhook inbox). Returns the raw rows (`seq` first, then `columns`) and the next cursor."""
    clauses, args = list(where), list(params)
    if page.cursor is not None:
        seq = page.cursor.get("r")
        if not isinstance(seq, int):
            raise Validation("cursor is malformed; pass back nextCursor verbatim", path="cursor")
        clauses.append("seq < ?" if newest_first else "seq > ?")
        args.append(seq)
    order = "DESC" if newest_first else "ASC"
    rows = await db.execute_fetchall(
        f"SELECT seq, {columns} FROM {table} WHERE {' AND '.join(clauses) or '1=1'} ORDER BY seq {order} LIMIT ?",
        (*args, page.limit + 1),
    )
    cursor = encode_cursor({"r": rows[page.limit - 1][0]}) if len(rows) > page.limit else None
    return list(rows[: page.limit]), cursor
