"""`POST /v1/organizations/migrate` (platform sheet §6.1): move projects of the caller's own org
into NEW child organizations, one child per distinct name, all or nothing.

A project moves with everything of the caller's that carries its `project_id` (containers,
scheduled posts, layers, media, ...), the timers about those rows, and its layers' runs. Any
mapped project with in-flight work (a running job or layer run) refuses the whole call (409)."""
from __future__ import annotations

from typing import Any

from emulator import errors
from emulator.context import Ctx
from emulator.ids import normalize_id
from emulator.services import organizations as orgs


async def _tables_with(ctx: Ctx, *columns: str) -> list[str]:
    rows = await ctx.db.execute_fetchall(
        "SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND "
        + " AND ".join(
            f"EXISTS (SELECT 1 FROM pragma_table_info(m.name) p WHERE p.name = '{c}')" for c in columns
        )
    )
    return [r[0] for r in rows]


async def _in_flight(ctx: Ctx, project_id: str) -> bool:
    cur = await ctx.db.execute(
        "SELECT 1 FROM jobs WHERE tenant_id = ? AND project_id = ? AND status = 'running' LIMIT 1",
        (ctx.tenant_id, project_id),
    )
    if await cur.fetchone():
        return True
    if {"layer_runs", "project_layers"} <= set(await _tables_with(ctx, "tenant_id")):
        cur = await ctx.db.execute(
            "SELECT 1 FROM layer_runs r JOIN project_layers l ON l.id = r.layer_id AND l.tenant_id = r.tenant_id"
            " WHERE r.tenant_id = ? AND l.project_id = ? AND r.status = 'running' LIMIT 1",
            (ctx.tenant_id, project_id),
        )
        if await cur.fetchone():
            return True
    return False


def _validate(mapping: Any) -> dict[str, str]:
    if not isinstance(mapping, dict) or not mapping:
        raise errors.Validation("mapping must be a non-empty object {projectId: childOrgName}.", path="mapping")
    out: dict[str, str] = {}
    for raw, name in mapping.items():
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 128:
            raise errors.Validation("each child org name is a string of 1-128 characters.", path=f"mapping.{raw}")
        if not raw.strip():
            raise errors.Validation("mapping keys are project ids (prj_<uuid> or a bare UUID).", path="mapping")
        project_id = normalize_id("prj", raw.strip())
        if project_id in out:
            raise errors.Validation(f"project {project_id} is mapped twice.", path=f"mapping.{raw}")
        out[project_id] = name.strip()
    return out


async def migrate(ctx: Ctx, mapping: Any) -> dict[str, Any]:
    orgs.require_parent(ctx)
    wanted = _validate(mapping)
    for project_id in wanted:  # check everything before anything moves
        cur = await ctx.db.execute("SELECT 1 FROM projects WHERE id = ? AND tenant_id = ?", (project_id, ctx.tenant_id))
        if await cur.fetchone() is None:
            raise errors.NotFound(f"Project {project_id} not found.", details={"projectId": project_id})
        if await _in_flight(ctx, project_id):
            raise errors.Conflict(
                f"Project {project_id} has work in flight; nothing was migrated. Retry when it settles.",
                details={"projectId": project_id},
            )
    children: dict[str, dict[str, Any]] = {}
    for project_id, name in wanted.items():
        if name not in children:
            record = await orgs.create_child(ctx, name=name, metadata=None, billing_email=None)
            children[name] = {"id": record["id"], "name": name, "projectIds": []}
        await _move_project(ctx, project_id, children[name]["id"])
        children[name]["projectIds"].append(project_id)
    await ctx.record("transition", {"projectsMoved": len(wanted), "childrenCreated": len(children)},
                     type="organization.migrated")
    return {"projectsMoved": len(wanted), "childrenCreated": len(children), "children": list(children.values())}


HISTORY = ("audit_log", "events", "credit_events", "idempotency", "timers", "api_keys", "organizations",
           "credit_transfers", "tenants")


async def _move_project(ctx: Ctx, project_id: str, child_id: str) -> None:
    """Re-home every row of the caller's that belongs to the project: rows with its
    `project_id`, rows keyed by the project id itself (per-project state), and rows whose object
    names it as `projectId`; then the timers about any of them. History stays where it happened."""
    parent_id = ctx.tenant_id
    moved_ids: set[str] = {project_id}
    ctx.emu.no_endpoints.discard(child_id)  # the project's webhook endpoints may move over
    for table in await _tables_with(ctx, "tenant_id"):
        if table in HISTORY:
            continue
        cols = {r[1] for r in await ctx.db.execute_fetchall(f"PRAGMA table_info({table})")}
        conds, args = [], []
        if "project_id" in cols:
            conds.append("project_id = ?")
            args.append(project_id)
        if "id" in cols:
            conds.append("id = ?")
            args.append(project_id)
        if "data" in cols:
            conds.append("(json_valid(data) AND json_type(data) = 'object' AND json_extract(data, '$.projectId') = ?)")
            args.append(project_id)
        if not conds:
            continue
        where = " OR ".join(conds)
        if "id" in cols:
            rows = await ctx.db.execute_fetchall(
                f"SELECT id FROM {table} WHERE tenant_id = ? AND ({where})", (parent_id, *args)
            )
            moved_ids |= {str(r[0]) for r in rows}
        await ctx.db.execute(
            f"UPDATE {table} SET tenant_id = ? WHERE tenant_id = ? AND ({where})", (child_id, parent_id, *args)
        )
        if "data" in cols:  # objects that carry their org id
            await ctx.db.execute(
                f"UPDATE {table} SET data = json_set(data, '$.organizationId', ?) WHERE tenant_id = ? AND ({where})"
                " AND json_valid(data) AND json_type(data) = 'object' AND json_extract(data, '$.organizationId') = ?",
                (child_id, child_id, *args, parent_id),
            )
    if "layer_runs" in await _tables_with(ctx, "tenant_id", "layer_id"):
        await ctx.db.execute(
            "UPDATE layer_runs SET tenant_id = ? WHERE tenant_id = ? AND layer_id IN"
            " (SELECT id FROM project_layers WHERE tenant_id = ? AND project_id = ?)",
            (child_id, parent_id, child_id, project_id),
        )
    rows = await ctx.db.execute_fetchall("SELECT id, ref, payload FROM timers WHERE tenant_id = ?", (parent_id,))
    for timer_id, ref, payload in rows:
        if ref in moved_ids or any(i in (payload or "") for i in moved_ids):
            await ctx.db.execute("UPDATE timers SET tenant_id = ? WHERE id = ?", (child_id, timer_id))
