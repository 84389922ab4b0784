"""The published OpenAPI document, derived from the attribute maps.

The routes read raw requests (Neutron's body and query conventions are not pydantic's),
so FastAPI alone would publish operations without bodies or parameters. Here each
operation named create_X / update_X / list_Xs gets the request body and query parameters
that resource's attribute map declares, and every operation its NeutronError answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.routing import BaseRoute

from ovntwin.api.attributes import REQUIRED, Attr, schema_of
from ovntwin.api.resource import ResourceSpec

Schema = dict[str, Any]
NEUTRON_ERROR: Schema = {
    "type": "object",
    "required": ["NeutronError"],
    "properties": {
        "NeutronError": {
            "type": "object",
            "required": ["type", "message", "detail"],
            "properties": {
                "type": {"type": "string"},
                "message": {"type": "string"},
                "detail": {"type": "string"},
            },
        }
    },
}
ERROR_STATUSES = {
    "400": "Bad request: the NeutronError names the attribute",
    "404": "Not found",
    "409": "Conflict",
}
PAGING: tuple[tuple[str, Schema], ...] = (
    ("limit", {"type": "integer"}),
    ("marker", {"type": "string"}),
    ("page_reverse", {"type": "boolean"}),
    ("sort_dir", {"type": "string", "enum": ["asc", "desc"]}),
)


def _body(spec: ResourceSpec, create: bool) -> Schema:
    allowed = [a for a in spec.attrs if (a.post if create else a.put)]
    inner: Schema = {
        "type": "object",
        "properties": {a.name: schema_of(a.convert) for a in allowed},
        "additionalProperties": False,
    }
    required = [a.name for a in allowed if create and a.default is REQUIRED]
    if required:
        inner["required"] = required
    return {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": [spec.singular],
                    "properties": {spec.singular: inner},
                }
            }
        },
    }


def _query(name: str, schema: Schema, many: bool = False) -> Schema:
    if many:
        schema = {"type": "array", "items": schema}
    return {"name": name, "in": "query", "required": False, "schema": schema}


def _filter_schema(attr: Attr) -> Schema:
    found = schema_of(attr.convert)
    return found if found.get("type") in ("string", "integer", "boolean") else {"type": "string"}


def _list_params(spec: ResourceSpec) -> list[Schema]:
    names = [a.name for a in spec.attrs if a.visible]
    sortable = [a.name for a in spec.attrs if a.sort]
    params = [_query("fields", {"type": "string", "enum": names}, many=True)]
    params += [_query(name, schema) for name, schema in PAGING]
    if sortable:
        params.append(_query("sort_key", {"type": "string", "enum": sortable}, many=True))
    params += [_query(a.name, _filter_schema(a)) for a in spec.attrs if a.filter]
    return params


def _operation_name(route: BaseRoute) -> tuple[str, str] | None:
    """(verb, resource key) of a route named verb_key, e.g. create_network."""
    name = getattr(route, "name", "")
    verb, _, key = name.partition("_")
    return (verb, key) if key else None


def _enrich(operation: Schema, verb: str, key: str, by_key: dict[str, ResourceSpec]) -> None:
    spec = by_key.get(key)
    if spec is not None and verb in ("create", "update"):
        operation["requestBody"] = _body(spec, verb == "create")
    elif spec is not None and verb == "list" and key == spec.plural:
        operation["parameters"] = operation.get("parameters", []) + _list_params(spec)
    for status, text in ERROR_STATUSES.items():
        operation.setdefault("responses", {})[status] = {
            "description": text,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/NeutronError"}}
            },
        }
    operation["responses"].pop("422", None)  # FastAPI's own validation answer is never sent


def document(app: FastAPI, specs: Iterable[ResourceSpec]) -> Schema:
    """The OpenAPI 3 document of every route of `app`, bodies and filters included."""
    by_key: dict[str, ResourceSpec] = {}
    for spec in specs:
        by_key[spec.singular] = by_key[spec.plural] = spec
    doc = get_openapi(title=app.title, version=app.version, routes=app.routes)
    for route in app.routes:
        named = _operation_name(route)
        path, methods = getattr(route, "path", None), getattr(route, "methods", None)
        if named is None or path is None or not methods:
            continue
        for method in methods:
            operation = doc["paths"].get(path, {}).get(method.lower())
            if operation is not None:
                _enrich(operation, *named, by_key)
    doc.setdefault("components", {}).setdefault("schemas", {})["NeutronError"] = NEUTRON_ERROR
    return doc


def install(app: FastAPI, specs: Iterable[ResourceSpec]) -> None:
    """Serve `document()` at /openapi.json (computed once, on first request)."""
    specs = tuple(specs)
    cached: list[Schema] = []

    def openapi() -> Schema:
        if not cached:
            cached.append(document(app, specs))
        return cached[0]

    app.openapi = openapi  # type: ignore[method-assign]
