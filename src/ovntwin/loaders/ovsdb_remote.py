"""A one-time snapshot of a live OVSDB server (`unix:PATH`, `tcp:HOST:PORT`, `ssl:...`).

Uses the `ovs` Python package: the schema is fetched from the server with a JSON-RPC
`get_schema` request, then an `ovs.db.idl.Idl` replicates the chosen tables once and
is closed. Rows come out decoded like `ovsdb_values` does for database files, so the
same converters serve both sources.
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Collection
from typing import Any

import ovs.db.idl
import ovs.jsonrpc
import ovs.poller
import ovs.stream

from ovntwin.errors import LoadError
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
            _wait(remote, deadline, idl.wait)
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
    error, stream = ovs.stream.Stream.open_block(
        ovs.stream.Stream.open(remote), _remaining_ms(deadline)
    )
    if error:
        raise LoadError(f"{remote}: cannot connect: {os.strerror(error)}")
    rpc = ovs.jsonrpc.Connection(stream)
    try:
        databases = _call(rpc, remote, "list_dbs", [], deadline)
        if database not in databases:
            served = ", ".join(str(d) for d in databases if d != "_Server") or "nothing"
            raise LoadError(f"{remote}: serves {served}, not {database}")
        schema = _call(rpc, remote, "get_schema", [database], deadline)
    finally:
        rpc.close()
    if not isinstance(schema, dict):
        raise LoadError(f"{remote}: bad get_schema reply")
    return schema


def _call(rpc: Any, remote: str, method: str, params: list[Any], deadline: float) -> Any:
    request = ovs.jsonrpc.Message.create_request(method, params)
    error = rpc.send(request)
    while not error:
        rpc.run()
        error, msg = rpc.recv()
        if error == errno.EAGAIN:
            error = 0
            _wait(remote, deadline, lambda p: (rpc.wait(p), rpc.recv_wait(p)))
            continue
        if msg is not None and msg.id == request.id:
            if msg.type != ovs.jsonrpc.Message.T_REPLY:
                raise LoadError(f"{remote}: {method} failed: {msg.error}")
            return msg.result
    raise LoadError(f"{remote}: {method} failed: {_errstr(error)}")


def _errstr(error: int) -> str:
    return "connection closed" if error == ovs.jsonrpc.EOF else os.strerror(error)


def _wait(remote: str, deadline: float, arm: Any) -> None:
    remaining = _remaining_ms(deadline)
    if remaining <= 0:
        raise LoadError(f"{remote}: timed out waiting for the OVSDB server")
    poller = ovs.poller.Poller()
    arm(poller)
    poller.timer_wait(remaining)
    poller.block()


def _remaining_ms(deadline: float) -> int:
    return max(0, int((deadline - time.monotonic()) * 1000))
