"""The base classes of request bodies (pydantic). Kept out of `emulator.http.api` so that
importing the pipeline, which a launch needs before it can answer, does not import pydantic;
route modules still write `from emulator.http.api import Body`. `defer_build`: a model's
validator is built when it first validates (a few milliseconds), not when its route module is
imported, which keeps about 0.2 s of schema building out of the route modules' load."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Body(BaseModel):
    """Base for request bodies: strict types (no "5" for 5), unknown keys ignored."""

    model_config = ConfigDict(strict=True, extra="ignore", defer_build=True)


class StrictBody(Body):
    """For the routes the docs call strict: unknown keys are a VALIDATION error."""

    model_config = ConfigDict(strict=True, extra="forbid", defer_build=True)
