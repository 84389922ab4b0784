"""Validate a parsed topology against `topology.schema.json`, reporting FILE:LINE.

The JSON Schema is the single description of which keys and value types a topology
may have (docs/topology-format.md explains it). jsonschema reports the failing
instance path; `yaml_lines.line_of` turns that into the line of the node.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from ovntwin.errors import LoadError
from ovntwin.loaders.yaml_lines import YamlMap, describe_path, line_of

SCHEMA_RESOURCE = "topology.schema.json"


def topology_schema() -> dict[str, Any]:
    """The topology JSON Schema (a fresh copy)."""
    text = resources.files("ovntwin.loaders").joinpath(SCHEMA_RESOURCE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def validate(path: Path, data: Any) -> None:
    """Raise LoadError for the first (topmost in the file) schema violation."""
    validator = jsonschema.Draft202012Validator(topology_schema())
    problems = [_locate(data, err) for err in validator.iter_errors(data)]
    if not problems:
        return
    problems.sort(key=lambda p: p[0])
    line, message = problems[0]
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    raise LoadError(f"{path}:{line}: {message}{more}")


def _locate(data: Any, err: jsonschema.ValidationError) -> tuple[int, str]:
    where = list(err.absolute_path)
    node = err.instance
    if err.validator == "additionalProperties" and isinstance(node, YamlMap):
        allowed = err.schema.get("properties", {}) if isinstance(err.schema, dict) else {}
        unknown = [k for k in node if k not in allowed]
        if unknown:
            key = unknown[0]
            return node.key_lines[key], f"{describe_path(where)}: unknown key {key!r}"
    if err.validator == "required" and isinstance(node, YamlMap):
        return node.line, f"{describe_path(where)}: {err.message}"
    return line_of(data, where), f"{describe_path(where)}: {_short(err)}"


def _short(err: jsonschema.ValidationError) -> str:
    if err.validator == "type":
        expected = err.validator_value
        kinds = " or ".join(expected) if isinstance(expected, list) else str(expected)
        return f"{err.instance!r} is not of type {kinds}"
    return err.message
