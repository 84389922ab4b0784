"""OVSDB JSON values: decoding datums, column kinds from a schema, applying row diffs.

The wire/file encoding (RFC 7047 section 5.1): an atom is a JSON scalar or
`["uuid", U]`; a set is a bare atom (one element) or `["set", [...]]`; a map is
`["map", [[k, v], ...]]`. Decoded here into plain Python: a uuid atom becomes its
string, a set a sorted list, a map a dict. Everything downstream of the database
loaders (file, remote) works on these decoded values, keyed
table -> row uuid -> column.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

# table name -> row uuid -> column name -> decoded value
TableRows = dict[str, dict[str, dict[str, Any]]]


class ColumnKind(Enum):
    SCALAR = "scalar"  # exactly one atom (min 1, max 1, no value type)
    OPTIONAL = "optional"  # min 0, max 1, no value type: zero or one atom
    SET = "set"  # max > 1, no value type
    MAP = "map"  # has a value type


def decode(value: Any) -> Any:
    """Decode one OVSDB datum into a scalar, a list (set) or a dict (map)."""
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str):
        tag, body = value
        if tag in ("uuid", "named-uuid"):
            return body
        if tag == "set" and isinstance(body, list):
            return sorted((decode(x) for x in body), key=_sort_key)
        if tag == "map" and isinstance(body, list):
            return {decode(k): decode(v) for k, v in sorted(body, key=lambda kv: _sort_key(kv[0]))}
    if isinstance(value, list):
        raise ValueError(f"not an OVSDB datum: {value!r}")
    return value


def _sort_key(atom: Any) -> tuple[str, Any]:
    # Sets hold atoms of one type; the type name only keeps mixed junk sortable.
    return (type(atom).__name__, atom)


def column_kinds(schema: Mapping[str, Any]) -> dict[str, dict[str, ColumnKind]]:
    """Table -> column -> kind, from a parsed `.ovsschema` document."""
    kinds: dict[str, dict[str, ColumnKind]] = {}
    for table, tdef in schema.get("tables", {}).items():
        kinds[table] = {c: _kind(cdef.get("type")) for c, cdef in tdef.get("columns", {}).items()}
    return kinds


def _kind(ctype: Any) -> ColumnKind:
    if not isinstance(ctype, Mapping):
        return ColumnKind.SCALAR
    if "value" in ctype:
        return ColumnKind.MAP
    if ctype.get("max", 1) == 1:
        return ColumnKind.SCALAR if ctype.get("min", 1) == 1 else ColumnKind.OPTIONAL
    return ColumnKind.SET


def as_list(value: Any) -> list[Any]:
    """A decoded set column: a list, or one bare atom standing for a 1-element set."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value)
    return [value]


def as_map(value: Any) -> dict[Any, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and not value:
        return {}
    raise ValueError(f"not an OVSDB map: {value!r}")


def apply_column(kind: ColumnKind, old: Any, new: Any, is_diff: bool) -> Any:
    """The column's value after a transaction wrote `new` (a diff when `is_diff`)."""
    if kind is ColumnKind.OPTIONAL:
        # Written whole, even in a diff (a 1-element "diff" is the new value).
        return as_list(new)
    if kind is ColumnKind.SCALAR or not is_diff:
        return as_map(new) if kind is ColumnKind.MAP else new
    if kind is ColumnKind.SET:
        # A set diff is the symmetric difference between the old and new sets.
        before, change = as_list(old), as_list(new)
        kept = [x for x in before if x not in change]
        return sorted(kept + [x for x in change if x not in before], key=_sort_key)
    # A map diff lists removed pairs (same value as before), changed and added ones.
    result = dict(as_map(old))
    for key, value in as_map(new).items():
        if key in result and result[key] == value:
            del result[key]
        else:
            result[key] = value
    return dict(sorted(result.items(), key=lambda kv: _sort_key(kv[0])))


def empty_value(kind: ColumnKind) -> Any:
    if kind is ColumnKind.MAP:
        return {}
    return None if kind is ColumnKind.SCALAR else []
