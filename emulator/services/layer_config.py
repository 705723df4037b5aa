"""Layer templates and config validation (distribution.md §4.1-§4.5, §5.2).

Validation is field by field: every problem becomes one issue whose `path` names the field
from the request body's root (`config.schedule.times[1]`, `schedule.cron`), and the first one
is the error message. Unknown config keys are kept as given (the real `config_schema` is not
public; the product's layers carry more settings than the emulator acts on).
"""
from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from emulator import errors
from emulator.domain.cron import InvalidCronExpression, validate_cron
from emulator.domain.slots import DISTRIBUTION_MODES, MAX_CUSTOM_TIMES, validate_times

SOCIAL_DISTRIBUTION = "social-distribution"


@dataclass(frozen=True)
class Command:
    id: str
    workflow: str
    trigger: str  # internal | executable | scheduled
    cron: str | None = None
    overridable: bool = False


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    version: str
    commands: tuple[Command, ...]
    default_config: dict[str, Any] = field(default_factory=dict)

    def command(self, command_id: str) -> Command | None:
        return next((c for c in self.commands if c.id == command_id), None)

    @property
    def recurring(self) -> tuple[Command, ...]:
        return tuple(c for c in self.commands if c.cron is not None)


TEMPLATES: dict[str, Template] = {
    SOCIAL_DISTRIBUTION: Template(
        id=SOCIAL_DISTRIBUTION,
        name="Social Distribution",
        version="1.0.0",
        commands=(
            Command("initialize", "social-distribution-plan", "internal"),
            Command("refresh-schedule", "social-distribution-plan", "executable"),
            Command("refresh-schedule-scheduled", "social-distribution-plan", "scheduled", "0 3 * * *", True),
            Command("attach-to-schedule", "social-distribution-attach", "executable"),
            Command("process-due", "social-distribution-publish-due", "scheduled", "* * * * *"),
            Command("recover-overdue", "social-distribution-recover-overdue", "scheduled", "*/5 * * * *"),
        ),
        default_config={
            "distributionMode": "automatic",
            "generationMode": "manual",
            "willPublish": False,
        },
    ),
}

# Other areas add templates (ad managers): register the template in TEMPLATES, an installer
# `async (ctx, project_id, template_id, config, cron) -> layer` in INSTALLERS (POST
# /api/project-layers delegates to it) and a config validator `(config) -> config` in
# VALIDATORS (PATCH validates the merged config with it).
INSTALLERS: dict[str, Callable[..., Awaitable[dict[str, Any]]]] = {}
VALIDATORS: dict[str, Callable[[Any], dict[str, Any]]] = {}

# A change to any of these re-runs the planner (§5.8; contentLayerSourceIds is an addition).
REFRESH_KEYS = (
    "distributionMode", "willPublish", "postsPerDay", "schedule.times", "contentLayerSourceIds",
    "generationMode",
)


def template(template_id: Any) -> Template:
    if not isinstance(template_id, str) or template_id not in TEMPLATES:
        raise errors.Validation(
            f"templateId must be one of {', '.join(sorted(TEMPLATES))} (the emulated templates).",
            path="templateId",
        )
    return TEMPLATES[template_id]


def deep_merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """PATCH semantics for config: objects merge, anything else replaces, null removes."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def pick(config: dict[str, Any], dotted: str) -> Any:
    value: Any = config
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def changed_refresh_keys(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [k for k in REFRESH_KEYS if pick(before, k) != pick(after, k)]


def lift_cron(config: dict[str, Any], schedule: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """D11: `config.schedule.cron` is accepted and moved to `schedule.cron`."""
    sched = config.get("schedule")
    if isinstance(sched, dict) and "cron" in sched:
        config = copy.deepcopy(config)
        cron = config["schedule"].pop("cron")
        if not config["schedule"]:
            config.pop("schedule")
        if schedule is None or "cron" not in schedule:
            schedule = {**(schedule or {}), "cron": cron}
    return config, schedule


def validate_schedule(schedule: Any) -> dict[str, Any]:
    if schedule is None:
        return {"cron": None}
    if not isinstance(schedule, dict):
        raise errors.Validation("schedule must be an object such as {\"cron\": \"0 3 * * *\"}.", path="schedule")
    cron = schedule.get("cron")
    if cron is not None:
        if not isinstance(cron, str):
            raise errors.Validation("schedule.cron must be a 5-field cron string (UTC).", path="schedule.cron")
        try:
            validate_cron(cron)
        except InvalidCronExpression as exc:
            raise errors.Validation(f"schedule.cron: {exc.reason}.", path="schedule.cron") from None
    return {"cron": cron}


def _issue(issues: list[dict[str, Any]], path: str, message: str) -> None:
    issues.append({"path": path, "message": message})


def validate_social_distribution(config: Any, platform: str | None) -> dict[str, Any]:
    """The normalized config (defaults filled) or 422 VALIDATION naming every bad field."""
    issues: list[dict[str, Any]] = []
    if not isinstance(config, dict):
        raise errors.Validation("config must be an object.", path="config")
    out = copy.deepcopy(config)
    for key, value in TEMPLATES[SOCIAL_DISTRIBUTION].default_config.items():
        out.setdefault(key, value)

    social = out.get("social")
    if not isinstance(social, dict):
        _issue(issues, "config.social", "config.social must be an object with socialAccountId.")
    elif not isinstance(social.get("socialAccountId"), str) or not social["socialAccountId"]:
        _issue(issues, "config.social.socialAccountId", "socialAccountId is required (the bound social account, sa_...).")

    mode = out.get("distributionMode")
    if mode not in DISTRIBUTION_MODES:
        _issue(issues, "config.distributionMode", f"distributionMode must be one of {', '.join(DISTRIBUTION_MODES)}.")

    sched = out.get("schedule")
    times = None
    if sched is not None and not isinstance(sched, dict):
        _issue(issues, "config.schedule", "config.schedule must be an object with times.")
    elif isinstance(sched, dict) and "times" in sched:
        times = sched["times"]
        for problem in validate_times(times):
            where = problem.split(" ", 1)[0]
            path = f"config.schedule.{where}" if where.startswith("times[") else "config.schedule.times"
            _issue(issues, path, problem)
    if mode == "custom" and times is None:
        _issue(issues, "config.schedule.times", "custom distributionMode requires schedule.times (1-5 \"HH:MM\").")

    ppd = out.get("postsPerDay")
    if ppd is not None:
        if type(ppd) is not int or not 1 <= ppd <= MAX_CUSTOM_TIMES:
            _issue(issues, "config.postsPerDay", f"postsPerDay must be an integer from 1 to {MAX_CUSTOM_TIMES}.")
        elif mode == "custom" and isinstance(times, list) and ppd != len(times):
            _issue(issues, "config.postsPerDay", f"postsPerDay ({ppd}) must equal the number of schedule.times ({len(times)}) in custom mode.")

    if out.get("generationMode") not in ("automatic", "manual"):
        _issue(issues, "config.generationMode", "generationMode must be automatic or manual.")
    if not isinstance(out.get("willPublish"), bool):
        _issue(issues, "config.willPublish", "willPublish must be a boolean.")

    sources = out.get("contentLayerSourceIds")
    if sources is not None:
        if not isinstance(sources, list):
            _issue(issues, "config.contentLayerSourceIds", "contentLayerSourceIds must be a list of project layer ids.")
        else:
            for i, s in enumerate(sources):
                if not isinstance(s, str) or not s:
                    _issue(issues, f"config.contentLayerSourceIds[{i}]", "each entry must be a project layer id string.")

    posting = out.get("postingMode")
    if posting is None:
        if platform is not None:
            out["postingMode"] = "manual" if platform == "tiktok" else "automatic"
    elif posting not in ("automatic", "manual"):
        _issue(issues, "config.postingMode", "postingMode must be automatic or manual.")

    if issues:
        raise errors.Validation(f"Invalid layer config at '{issues[0]['path']}': {issues[0]['message']}", issues=issues)
    return out
