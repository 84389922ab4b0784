"""A one-time snapshot of a live OVSDB server (`unix:PATH`, `tcp:HOST:PORT`, `ssl:...`).

Uses the `ovs` Python package: the schema is fetched from the server with a JSON-RPC
`get_schema` request, then an `ovs.db.idl.Idl` replicates the chosen tables once and
is closed. Rows come out decoded like `ovsdb_values` does for database files, so the
same converters serve both sources.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from typing import Any

import ovs.db.idl

from ovntwin.errors import LoadError
from ovntwin.loaders.ovsdb_rpc import call, connect, wait
from ovntwin.loaders.ovsdb_values import TableRows, decode

DEFAULT_TIMEOUT_S = 10.0


def snapshot(
    remote: str, database: str, tables: Collection[str], timeout: float = DEFAULT_TIMEOUT_S
) -> TableRows:
    """The rows of `tables` of `database` on `remote`, read once."""
    deadline = time.monotonic() + timeout
    schema = _fetch_schema(remote, database, deadline)
    helper = ovs.db.idl.SchemaHelper(schema_json=schema)
    for table in tables:
        if table in schema.get("tables", {}):
            helper.register_table(table)
    idl = ovs.db.idl.Idl(remote, helper, probe_interval=0)
    try:
        while not idl.has_ever_connected():
            idl.run()
            if idl.has_ever_connected():
                break
            wait(remote, deadline, idl.wait)
        return _rows(idl)
    finally:
        idl.close()


def _rows(idl: Any) -> TableRows:
    rows: TableRows = {}
    for name, table in idl.tables.items():
        rows[name] = {
            str(uuid): {col: decode(row._data[col].to_json()) for col in table.columns}
            for uuid, row in table.rows.items()
        }
    return rows


def _fetch_schema(remote: str, database: str, deadline: float) -> dict[str, Any]:
    rpc = connect(remote, deadline)
    try:
        databases = call(rpc, remote, "list_dbs", [], deadline)
        if database not in databases:
            served = ", ".join(str(d) for d in databases if d != "_Server") or "nothing"
            raise LoadError(f"{remote}: serves {served}, not {database}")
        schema = call(rpc, remote, "get_schema", [database], deadline)
    finally:
        rpc.close()
    if not isinstance(schema, dict):
        raise LoadError(f"{remote}: bad get_schema reply")
    return schema
