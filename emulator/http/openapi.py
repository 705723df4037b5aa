"""`/openapi.json`: OpenAPI 3.1 generated from the route table and the pydantic body models."""
from __future__ import annotations

import re
from typing import Any

from emulator import __version__
from emulator.http.api import Call, Route

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "requestId"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "requestId": {"type": "string", "pattern": "^req_"},
                "details": {"type": "object"},
            },
        }
    },
}


def build(routes: list[Route]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    for r in routes:
        op: dict[str, Any] = {
            "operationId": f"{r.method.lower()}_{re.sub(r'[^A-Za-z0-9]+', '_', r.path).strip('_')}",
            "summary": r.summary or f"{r.method} {r.path}",
            "tags": list(r.tags),
            "parameters": [
                {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                for p in re.findall(r"{(\w+)}", r.path)
            ]
            + [{"name": p, "in": "query", "required": False, "schema": {"type": "string"}} for p in r.query],
            "responses": {
                str(r.status): {"description": "Success", "content": {"application/json": {"schema": {}}}},
                "default": {
                    "description": "Error envelope",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
            },
        }
        if r.auth:
            op["security"] = [{"bearer": []}, {"apiKey": []}]
        if r.body is not None:
            name = r.body.__name__
            schema = r.body.model_json_schema(ref_template="#/components/schemas/{model}")
            for def_name, definition in schema.pop("$defs", {}).items():
                schemas[def_name] = definition
            schemas[name] = schema
            op["requestBody"] = {
                "required": bool(schema.get("required")),
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
            }
        paths.setdefault(r.path, {})[r.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Layers Partner API (layers-emulator)", "version": __version__},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            },
        },
    }


async def openapi(call: Call) -> dict[str, Any]:
    """Built from the route table on the first request, then kept on the app."""
    state = call.request.app.state
    if getattr(state, "openapi", None) is None:
        state.openapi = build(list(state.routes))
    return dict(state.openapi)


ROUTES = [Route("GET", "/openapi.json", openapi, auth=False, klass=None, summary="This document", tags=("meta",))]
