"""The HTML report (filled in by the next commit)."""
from __future__ import annotations

import html as _html
import json
from typing import Any


def render(data: dict[str, Any]) -> str:
    body = _html.escape(json.dumps(data, indent=2, sort_keys=True))
    return f"<!doctype html><html><head><meta charset='utf-8'><title>scenario</title></head><body><pre>{body}</pre></body></html>"
