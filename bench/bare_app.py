"""The baseline: a bare Starlette + aiosqlite app with the same two endpoints and the same
storage shape (JSON document + indexed columns), no auth, no envelope, no idempotency.
Run: python bench/bare_app.py PORT DBPATH"""
from __future__ import annotations

import json
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiosqlite
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

DB: dict[str, aiosqlite.Connection] = {}


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    db = await aiosqlite.connect(sys.argv[2], isolation_level=None)
    await db.execute("PRAGMA journal_mode=WAL")
    await db.execute("PRAGMA synchronous=NORMAL")
    await db.execute("CREATE TABLE IF NOT EXISTS projects (id TEXT PRIMARY KEY, name TEXT, created_at TEXT, data TEXT)")
    DB["db"] = db
    yield
    await db.close()


async def create(request: Request) -> JSONResponse:
    body = await request.json()
    project = {"id": f"prj_{uuid.uuid4()}", **body}
    await DB["db"].execute("INSERT INTO projects VALUES (?,?,?,?)", (project["id"], body.get("name"), "now", json.dumps(project)))
    return JSONResponse(project, status_code=201)


async def get(request: Request) -> JSONResponse:
    cur = await DB["db"].execute("SELECT data FROM projects WHERE id = ?", (request.path_params["id"],))
    row = await cur.fetchone()
    if row is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    return JSONResponse(json.loads(row[0]))


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[Route("/v1/projects", create, methods=["POST"]), Route("/v1/projects/{id}", get),
            Route("/_emulator/health", health)],
    lifespan=lifespan,
)

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
