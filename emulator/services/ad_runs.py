"""Partner-triggered ad manager work as jobs (spec measurement.md §8.6, §9.2):

- `POST …/ads/optimizer/run` → job `ads_optimizer_run` (10 min on the tenant clock); the
  layer run (`ad-optimize`, trigger `manual`) is created at once in `running` and executed when
  the job completes; `ads.optimizer.run.completed` then fires with the change list.
- `POST …/ads/:platform/content-refresh` → job `content_refresh` (7 min), same pattern with
  the `content-refresh` command.
- `GET …/ads/optimizer/runs/:runId` → the run object (`counts`, `decisions`, job stage).
"""
from __future__ import annotations

from typing import Any

from emulator import errors, jobs
from emulator.context import Ctx
from emulator.services import ad_layers, layers, runs

OPTIMIZER_KIND = "ads_optimizer_run"
REFRESH_KIND = "content_refresh"
TEMPLATE_OF = {"meta_ads": ad_layers.META, "tiktok_ads": ad_layers.TIKTOK}


async def layer_for(ctx: Ctx, project_id: str, layer_id: str, platform: str) -> dict[str, Any]:
    """The ads layer (`lyr_…` and `pl_…` name the same layer) of the project for `platform`."""
    key = "pl_" + layer_id[4:] if layer_id.startswith("lyr_") else layer_id
    layer = await layers.LAYERS.get(ctx.db, ctx.tenant_id, key)
    if layer is None or layer["projectId"] != project_id or layer["status"] == "deleted":
        raise errors.NotFound(f"Ads layer {layer_id} not found in project {project_id}.")
    if layer["templateId"] != TEMPLATE_OF.get(platform):
        raise errors.Validation(
            f"Layer {layer['id']} is a {layer['templateId']} layer, not an ads layer for {platform}.", path="layerId")
    if layer["status"] != "active":
        raise errors.Conflict(f"Layer {layer['id']} is {layer['status']}.", details={"status": layer["status"]})
    return layer


async def _start(ctx: Ctx, layer: dict[str, Any], command: str, kind: str, params: dict[str, Any]) -> dict[str, Any]:
    tpl = ad_layers.TEMPLATES[layer["templateId"]]
    cmd = tpl.command(command)
    assert cmd is not None
    run = runs.new_run(ctx, layer, command, cmd.workflow, "manual", params)
    job = await jobs.start(ctx, kind, pointers={"projectId": layer["projectId"], "runId": run["runId"]},
                           params={"runId": run["runId"], "layerId": layer["id"], "command": command})
    run["_jobId"] = job["jobId"]
    await runs.insert(ctx, run)
    return {"jobId": job["jobId"], "runId": run["runId"], "kind": kind, "status": "running",
            "locationUrl": job["locationUrl"]}


async def start_optimizer(ctx: Ctx, project_id: str, layer_id: str, platform: str, dry_run: bool) -> dict[str, Any]:
    layer = await layer_for(ctx, project_id, layer_id, platform)
    return await _start(ctx, layer, "ad-optimize", OPTIMIZER_KIND, {"dryRun": dry_run})


async def start_refresh(ctx: Ctx, project_id: str, layer_id: str, platform: str,
                        max_new: int | None) -> dict[str, Any]:
    layer = await layer_for(ctx, project_id, layer_id, platform)
    params = {"maxNewCreatives": 3 if max_new is None else max_new}
    return await _start(ctx, layer, "content-refresh", REFRESH_KIND, params)


def run_object(run: dict[str, Any], job: dict[str, Any] | None) -> dict[str, Any]:
    out = run.get("output") or {}
    return {
        "runId": run["runId"], "jobId": run.get("_jobId"), "layerId": run["projectLayerId"],
        "platform": ad_layers.PLATFORM.get(run["templateId"]), "dryRun": bool(run["parameters"].get("dryRun")),
        "status": run["status"] if run["status"] != "running" else "running",
        "stage": (job or {}).get("stage"), "startedAt": run["startedAt"], "finishedAt": run["finishedAt"],
        "counts": out.get("counts") or {"evaluated": 0, "paused": 0, "budgetChanges": 0, "queued": 0, "denied": 0,
                                         "held": 0},
        "decisions": out.get("decisions") or [],
    }


async def get_optimizer_run(ctx: Ctx, project_id: str, run_id: str) -> dict[str, Any]:
    run = await runs.RUNS.get(ctx.db, ctx.tenant_id, run_id)
    if run is None or run["projectId"] != project_id or run["commandId"] != "ad-optimize":
        raise errors.NotFound(f"Optimizer run {run_id} not found in project {project_id}.")
    job = await jobs.JOBS.get(ctx.db, ctx.tenant_id, run["_jobId"]) if run.get("_jobId") else None
    return run_object(run, job)


async def _finish(ctx: Ctx, job: dict[str, Any]) -> dict[str, Any]:
    params = job["_params"]
    run = await runs.get(ctx, params["runId"])
    layer = await layers.get(ctx, params["layerId"])
    body = ad_layers.run_ad_optimize if params["command"] == "ad-optimize" else ad_layers.run_content_refresh
    if layer["status"] != "active":
        raise errors.Conflict(f"Layer {layer['id']} is no longer active.")
    run = await runs.execute(ctx, run, layer, body)
    if params["command"] == "ad-optimize":
        result = run_object(run, job)
        changes = [f"{d['action']} {d['entityName']}: {d['reason']}" for d in result["decisions"] if d["action"] != "HOLD"]
        await ctx.emit("ads.optimizer.run.completed", {
            "jobId": job["jobId"], "runId": run["runId"], "projectId": layer["projectId"],
            "platform": result["platform"], "dryRun": result["dryRun"], "changes": changes,
        }, project_id=layer["projectId"])
        return result
    return {"runId": run["runId"], "status": run["status"], **(run.get("output") or {})}


async def _end_run(ctx: Ctx, job: dict[str, Any], status: str) -> None:
    run = await runs.RUNS.get(ctx.db, ctx.tenant_id, job["_params"]["runId"])
    if run is not None and run["status"] == "running":
        error = job.get("error") or {"code": "JOB_CANCELED", "message": "The job was canceled."}
        run.update(status=status, finishedAt=ctx.iso_now(), error={**error, "stack": ""})
        await runs.save(ctx, run)


async def _failed(ctx: Ctx, job: dict[str, Any]) -> None:
    await _end_run(ctx, job, "failed")


async def _canceled(ctx: Ctx, job: dict[str, Any]) -> None:
    await _end_run(ctx, job, "canceled")


jobs.register(jobs.JobKind(OPTIMIZER_KIND, stages=(("queued", 30), ("evaluating", 570)),
                           on_complete=_finish, on_fail=_failed, on_cancel=_canceled))
jobs.register(jobs.JobKind(REFRESH_KIND, stages=(("queued", 30), ("refreshing", 390)),
                           on_complete=_finish, on_fail=_failed, on_cancel=_canceled))
