"""Test helper: turn ovntwin NB rows into an OVSDB `transact` that inserts them as they are."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from ovntwin.model import rows as r
from ovntwin.model.db import TABLE_NAMES, NorthboundDB

NB_SCHEMA = "/usr/share/ovn/ovn-nb.ovsschema"


def insert_ops(nb: NorthboundDB, schema_path: str = NB_SCHEMA) -> list[dict[str, Any]]:
    with open(schema_path) as f:
        schema = json.load(f)["tables"]
    ops = []
    for cls, table in TABLE_NAMES.items():
        columns = schema[table]["columns"]
        for row in nb.rows(cls):
            encoded = {
                f.name: _encode(getattr(row, f.name), columns[f.name]["type"])
                for f in dataclasses.fields(row)
                if f.name in columns
            }
            ops.append({"op": "insert", "table": table, "uuid": row.uuid, "row": encoded})
    return ops


def _atom(value: Any, atype: Any) -> Any:
    is_ref = isinstance(atype, dict) and atype.get("type") == "uuid"
    return ["uuid", value] if is_ref else value


def _encode(value: Any, ctype: Any) -> Any:
    if not isinstance(ctype, dict):
        return value
    key = ctype["key"]
    if "value" in ctype:
        pairs = [[_atom(k, key), _atom(v, ctype["value"])] for k, v in dict(value).items()]
        return ["map", pairs]
    if isinstance(value, tuple):
        return ["set", [_atom(v, key) for v in value]]
    if value is None:
        return ["set", []]
    return _atom(value, key)


def normalized(nb: NorthboundDB) -> dict[str, dict[str, dict[str, Any]]]:
    """Tables as plain dicts with sets sorted, so that row order does not matter."""
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for cls, table in TABLE_NAMES.items():
        result[table] = {row.uuid: _plain(row) for row in nb.rows(cls)}
    return result


def _plain(row: r.Row) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(row):
        value = getattr(row, f.name)
        if isinstance(value, tuple):
            value = sorted(value)
        elif isinstance(value, Mapping):
            value = dict(value)
        out[f.name] = value
    return out
