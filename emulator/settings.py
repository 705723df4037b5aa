"""Settings, built in one place from CLI flags and `LAYERS_EMULATOR_*` environment variables."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime

from emulator.clock import parse_instant


class SettingsError(ValueError):
    """A flag or environment variable has an unusable value (one clear sentence)."""


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8787
    db: str = "./layers-emulator.db"
    clock: str = "real"  # real | virtual
    start: datetime | None = None
    seed: int = 0
    strict_keys: bool = False
    rate_limits: str | None = None  # on | off | None (mode default)
    return_url_allowlist: tuple[str, ...] = ()
    allow_remote: bool = False
    admin_token: str | None = None
    scheduler: bool = True  # start APScheduler with the real clock
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.clock not in ("real", "virtual"):
            raise SettingsError(f"--clock must be 'real' or 'virtual', not {self.clock!r}")
        if not 0 <= self.port <= 65535:
            raise SettingsError(f"--port must be between 0 and 65535, not {self.port}")
        if self.rate_limits not in (None, "on", "off"):
            raise SettingsError(f"--rate-limits must be 'on' or 'off', not {self.rate_limits!r}")

    @property
    def rate_limits_default(self) -> bool:
        if self.rate_limits is not None:
            return self.rate_limits == "on"
        return self.clock == "real"


ENV_PREFIX = "LAYERS_EMULATOR_"


def parse_bool(name: str, text: str | bool) -> bool:
    if isinstance(text, bool):
        return text
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"{name} must be true or false, not {text!r}")


def parse_start(text: str | None) -> datetime | None:
    if text is None or text == "":
        return None
    try:
        return parse_instant(text)
    except ValueError as exc:
        raise SettingsError(f"--start {exc}") from None


def parse_int(name: str, text: str | int) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        raise SettingsError(f"{name} must be an integer, not {text!r}") from None


def env(name: str) -> str | None:
    return os.environ.get(ENV_PREFIX + name)
