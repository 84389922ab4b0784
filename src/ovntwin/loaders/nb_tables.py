"""NorthboundDB -> decoded OVSDB rows (the inverse of `nb_convert.nb_from_tables`).

The form every loader reads (table -> uuid -> column -> value): a set column is a
list, a map a dict, an empty optional column `[]`, a scalar itself. The API stores and
publishes its NB this way and `export-nb` encodes it for a real OVSDB server.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ovntwin.loaders.ovsdb_values import TableRows
from ovntwin.model import rows as r
from ovntwin.model.db import TABLE_NAMES, NorthboundDB


def row_columns(row: r.Row) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(row):
        if f.name == "uuid":
            continue
        value = getattr(row, f.name)
        if isinstance(value, tuple):
            out[f.name] = list(value)
        elif isinstance(value, Mapping):
            out[f.name] = dict(sorted(value.items()))
        elif value is None:
            out[f.name] = []  # an empty optional column
        else:
            out[f.name] = value
    return out


def nb_tables(nb: NorthboundDB) -> TableRows:
    """Every non-empty NB table of `nb` (in TABLE_NAMES order)."""
    return {
        name: {uuid: row_columns(row) for uuid, row in nb.tables.get(cls, {}).items()}
        for cls, name in TABLE_NAMES.items()
        if nb.tables.get(cls)
    }
