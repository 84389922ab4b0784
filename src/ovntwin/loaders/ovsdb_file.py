"""Reader for OVSDB standalone database files (and `ovsdb-client backup` output).

The file is a sequence of records. Each record is a header line
`OVSDB JSON <length> <sha1>` and then <length> bytes of JSON (the length counts the
JSON's trailing newline). Record 0 is the schema; every later record is a
transaction `{"Table": {"uuid": row-or-null, ...}, "_date": ..., "_comment": ...}` to
replay in order. Since OVS 2.15 records carry `"_is_diff": true` and their set and map
columns hold differences, not new values (see `ovsdb_values.apply_column`). A
compacted file is the same thing with a single transaction that inserts every row.
The sha1 is not checked: a corrupt body almost always fails to parse anyway.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ovntwin.errors import LoadError
from ovntwin.loaders.ovsdb_values import (
    ColumnKind,
    TableRows,
    apply_column,
    column_kinds,
    decode,
    empty_value,
)

_HEADER = re.compile(rb"OVSDB JSON (\d+) ([0-9a-fA-F]+)")
_CLUSTER_MAGIC = b"OVSDB CLUSTER"


@dataclass(frozen=True, slots=True)
class DbFile:
    """The final state of a database file: its schema and its rows."""

    schema: dict[str, Any]
    tables: TableRows

    @property
    def name(self) -> str:
        return str(self.schema.get("name", "?"))


@dataclass(frozen=True, slots=True)
class _Record:
    number: int
    offset: int  # byte offset of the header line
    body: Any


def read_db_file(path: Path, expect: str, tables: Collection[str] | None = None) -> DbFile:
    """Replay the database file at `path`, whose schema must be named `expect`.

    Only `tables` (all when None) are kept.
    """
    try:
        data = path.read_bytes()
    except OSError as err:
        raise LoadError(f"{path}: cannot read: {err.strerror or err}") from None
    if data.startswith(_CLUSTER_MAGIC):
        raise LoadError(
            f"{path}: is a clustered OVSDB database, which ovntwin cannot read; make a "
            "standalone copy with `ovsdb-client backup REMOTE > FILE` (or "
            "`ovsdb-tool cluster-to-standalone FILE CLUSTERED-DB`) and load that"
        )
    records = _records(path, data)
    first = next(records, None)
    if first is None:
        raise LoadError(f"{path}: empty file, not an OVSDB database")
    schema = first.body
    if not isinstance(schema, dict) or not isinstance(schema.get("tables"), dict):
        raise LoadError(f"{path}: record 0 at byte offset 0 is not an OVSDB schema")
    if schema.get("name") != expect:
        raise LoadError(
            f"{path}: not an {_describe(expect)} database (schema {schema.get('name')})"
        )
    state = _Replay(column_kinds(schema), tables)
    for record in records:
        state.apply(path, record)
    return DbFile(schema, state.rows)


def _describe(schema_name: str) -> str:
    return {"OVN_Northbound": "OVN northbound", "OVN_Southbound": "OVN southbound"}.get(
        schema_name, schema_name
    )


def _records(path: Path, data: bytes) -> Iterator[_Record]:
    offset, number = 0, 0
    end_of_records = len(data.rstrip())  # trailing whitespace is not a record
    while offset < end_of_records:
        end = data.find(b"\n", offset)
        header = data[offset : end if end >= 0 else len(data)].rstrip(b"\r")
        where = f"{path}: record {number} at byte offset {offset}"
        match = _HEADER.fullmatch(header)
        if match is None:
            raise LoadError(f"{where}: bad record header {header[:60]!r}")
        start, length = end + 1, int(match.group(1))
        body = data[start : start + length]
        if len(body) < length:
            raise LoadError(f"{where}: truncated record ({len(body)} of {length} bytes)")
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError) as err:
            raise LoadError(f"{where}: bad JSON: {err}") from None
        yield _Record(number, offset, parsed)
        offset, number = start + length, number + 1


class _Replay:
    """The rows of a database while its transactions are replayed."""

    def __init__(self, kinds: dict[str, dict[str, ColumnKind]], keep: Collection[str] | None):
        self.kinds = kinds
        self.keep = keep
        self.rows: TableRows = {}

    def apply(self, path: Path, record: _Record) -> None:
        txn = record.body
        where = f"{path}: record {record.number} at byte offset {record.offset}"
        if not isinstance(txn, dict):
            raise LoadError(f"{where}: a transaction must be a JSON object")
        is_diff = bool(txn.get("_is_diff", False))
        for table, changes in txn.items():
            if table.startswith("_") or (self.keep is not None and table not in self.keep):
                continue
            if table not in self.kinds or not isinstance(changes, dict):
                raise LoadError(f"{where}: bad transaction on table {table!r}")
            try:
                self._apply_table(table, changes, is_diff)
            except (ValueError, TypeError, AttributeError) as err:
                raise LoadError(f"{where}: bad row in table {table}: {err}") from None

    def _apply_table(self, table: str, changes: dict[str, Any], is_diff: bool) -> None:
        rows = self.rows.setdefault(table, {})
        kinds = self.kinds[table]
        for uuid, change in changes.items():
            if change is None:
                rows.pop(uuid, None)
                continue
            row = rows.setdefault(uuid, {})
            for column, value in change.items():
                kind = kinds.get(column)
                if kind is None:
                    continue  # a column the schema does not have: nothing to model
                old = row.get(column, empty_value(kind))
                row[column] = apply_column(kind, old, decode(value), is_diff)
