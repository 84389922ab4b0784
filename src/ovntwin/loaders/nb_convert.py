"""Decoded OVSDB rows (see `ovsdb_values`) -> ovntwin NB row dataclasses.

Works for any source of decoded rows: a database file or a live remote.
Each dataclass attribute is filled from the OVSDB column of the same name;
columns ovntwin does not model are dropped, absent columns take the OVSDB default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from ovntwin.loaders.ovsdb_values import TableRows, as_list, as_map
from ovntwin.model import rows as r
from ovntwin.model.db import TABLE_NAMES, NorthboundDB
from ovntwin.model.runtime import RuntimeState

# The OVSDB default of a required (min 1, max 1) column of each atomic type.
_ATOM_DEFAULTS: Mapping[str, Any] = {"str": "", "int": 0, "bool": False}


def nb_from_tables(tables: TableRows, runtime: RuntimeState | None = None) -> NorthboundDB:
    """A NorthboundDB from decoded rows of the NB tables ovntwin models."""
    return NorthboundDB.build(_rows(tables), runtime)


def _rows(tables: TableRows) -> Iterator[r.Row]:
    for cls, table in TABLE_NAMES.items():
        for uuid, columns in tables.get(table, {}).items():
            yield row_from_columns(cls, uuid, columns)


def row_from_columns(cls: type[r.Row], uuid: str, columns: Mapping[str, Any]) -> r.Row:
    kwargs: dict[str, Any] = {"uuid": uuid}
    for f in dataclasses.fields(cls):
        if f.name == "uuid":
            continue
        annotation = str(f.type)
        if f.name in columns:
            kwargs[f.name] = _coerce(annotation, columns[f.name])
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            kwargs[f.name] = _ATOM_DEFAULTS.get(annotation, "")
    return cls(**kwargs)


def _coerce(annotation: str, value: Any) -> Any:
    """Shape a decoded value the way the dataclass attribute's annotation wants it."""
    if annotation.startswith("tuple"):
        return tuple(as_list(value))
    if annotation.startswith("Mapping"):
        return MappingProxyType(dict(as_map(value)))
    if annotation.endswith("| None"):
        items = as_list(value)
        return items[0] if items else None
    if isinstance(value, list):  # a scalar column never decodes to a list; be lenient
        return value[0] if value else _ATOM_DEFAULTS.get(annotation, "")
    return value
