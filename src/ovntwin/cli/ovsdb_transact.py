"""Writing NB rows into a real OVSDB server: one `transact` replacing a database's contents.

`replace_ops` encodes decoded rows (table -> uuid -> column -> value, the loaders' form) as
RFC 7047 operations, column by column as the server's schema types them: first every row
of every table goes (except NB_Global and the Connection / SSL rows it points at), then
every row is inserted under its own UUID (the `uuid` member of insert, ovsdb-server 2.13+),
or updated in place when the server already holds that UUID (`ovsdb_rpc.call` sends it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ovntwin.cli.ovsdb_rpc import ExportError

KEPT_TABLES = ("NB_Global", "Connection", "SSL")  # the database's own settings stay
Tables = Mapping[str, Mapping[str, Mapping[str, Any]]]


def replace_ops(
    schema: Mapping[str, Any], tables: Tables, existing: Mapping[str, set[str]] | None = None
) -> list[dict[str, Any]]:
    """The operations of one transaction that makes the database hold exactly `tables`.

    `existing` (table -> uuids the server holds now): rows of ours already there are
    updated in place (OVSDB refuses to re-insert a UUID deleted in the same transaction),
    the others deleted. Without it, every row of every table is deleted first.
    """
    defs: Mapping[str, Any] = schema["tables"]
    unknown = sorted(t for t in tables if t not in defs)
    if unknown:
        raise ExportError(f"the server's {schema.get('name')} schema has no table {unknown[0]}")
    replaced = [t for t in defs if t not in KEPT_TABLES]
    if existing is None:
        ops: list[dict[str, Any]] = [{"op": "delete", "table": t, "where": []} for t in replaced]
        existing = {}
    else:
        ops = [
            {"op": "delete", "table": t, "where": [_is(u)]}
            for t in replaced
            for u in sorted(existing.get(t, set()) - set(tables.get(t, {})))
        ]
    for table, rows in tables.items():
        columns = defs[table]["columns"]
        for u, row in rows.items():
            if u in existing.get(table, set()):
                update = {c: _datum(columns[c]["type"], v) for c, v in row.items() if c in columns}
                ops.append({"op": "update", "table": table, "where": [_is(u)], "row": update})
                continue
            insert = {
                c: _datum(columns[c]["type"], v)
                for c, v in row.items()
                if c in columns and not _empty(v)
            }
            ops.append({"op": "insert", "table": table, "uuid": u, "row": insert})
    return ops


def _is(uuid: str) -> list[Any]:
    return ["_uuid", "==", ["uuid", uuid]]


def existing_ops(schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Selects of every replaced table's row UUIDs (for `existing_uuids`)."""
    return [
        {"op": "select", "table": t, "where": [], "columns": ["_uuid"]}
        for t in schema["tables"]
        if t not in KEPT_TABLES
    ]


def existing_uuids(ops: list[dict[str, Any]], result: Any) -> dict[str, set[str]]:
    check_results(result, ops)
    return {
        op["table"]: {row["_uuid"][1] for row in answer.get("rows", [])}
        for op, answer in zip(ops, result, strict=False)
    }


def _empty(value: Any) -> bool:
    return isinstance(value, (list, dict)) and not value


def _datum(ctype: Any, value: Any) -> Any:
    if not isinstance(ctype, Mapping):
        return _atom(ctype, value)
    key = ctype["key"]
    if "value" in ctype:
        pairs = value.items() if isinstance(value, Mapping) else []
        return ["map", [[_atom(key, k), _atom(ctype["value"], v)] for k, v in pairs]]
    items = value if isinstance(value, list) else [value]
    if ctype.get("max", 1) == 1 and ctype.get("min", 1) == 1:
        return _atom(key, items[0])
    return ["set", [_atom(key, x) for x in items]]


def _atom(btype: Any, value: Any) -> Any:
    kind = btype.get("type") if isinstance(btype, Mapping) else btype
    if kind == "uuid":
        return ["uuid", value]  # rows keep their UUIDs, so a reference is the UUID itself
    if kind == "integer":
        return int(value)
    if kind == "real":
        return float(value)
    if kind == "boolean":
        return bool(value)
    return str(value)


def check_results(result: Any, ops: list[dict[str, Any]]) -> None:
    """Raise on the first failed operation (or a failed commit) of a transact reply."""
    if not isinstance(result, list):
        raise ExportError(f"unexpected transact reply: {result!r}")
    for i, item in enumerate(result):
        if isinstance(item, dict) and item.get("error"):
            where = f" (operation {i}: {ops[i]['op']} {ops[i]['table']})" if i < len(ops) else ""
            detail = f": {item['details']}" if item.get("details") else ""
            raise ExportError(f"the OVSDB server refused the NB{where}: {item['error']}{detail}")
