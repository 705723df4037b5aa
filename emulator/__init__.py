"""layers-emulator: a local, deterministic emulator of the Layers Partner API.

The public surface is deliberately small; everything else is importable but internal.
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "create_app", "Settings", "verify_signature"]


def __getattr__(name: str) -> object:  # lazy, so `import emulator` stays cheap
    if name == "create_app":
        from emulator.app import create_app

        return create_app
    if name == "Settings":
        from emulator.settings import Settings

        return Settings
    if name == "verify_signature":  # for webhook receivers: check X-Layers-Signature
        from emulator.domain.signing import verify_signature

        return verify_signature
    raise AttributeError(name)
