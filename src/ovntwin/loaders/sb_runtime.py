"""Southbound rows -> RuntimeState: the facts ovn-controllers report, never logical flows.

Reads Chassis (+ Encap), Port_Binding (chassis, up, tunnel_key), MAC_Binding, FDB and
Datapath_Binding (tunnel keys, and the NB names northd copies into
`external_ids:name`). FDB rows carry only tunnel keys; they are turned back into
datapath and port names through Datapath_Binding and Port_Binding.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ovntwin.loaders.ovsdb_values import TableRows, as_list, as_map
from ovntwin.model.runtime import (
    Chassis,
    Encap,
    FDBEntry,
    MACBinding,
    PortRuntime,
    RuntimeState,
)

# The only SB tables ovntwin reads (Logical_Flow deliberately absent).
SB_TABLES: tuple[str, ...] = (
    "Chassis",
    "Encap",
    "Datapath_Binding",
    "Port_Binding",
    "MAC_Binding",
    "FDB",
)


def runtime_from_tables(tables: TableRows) -> RuntimeState:
    datapaths = tables.get("Datapath_Binding", {})
    dp_names = {uuid: _dp_name(row) for uuid, row in datapaths.items()}
    chassis = tables.get("Chassis", {})
    bindings = tables.get("Port_Binding", {})
    return RuntimeState(
        chassis=tuple(_chassis(row, tables.get("Encap", {})) for row in _sorted(chassis)),
        ports={
            row.get("logical_port", ""): _port(row, chassis)
            for row in _sorted(bindings, "logical_port")
        },
        mac_bindings=tuple(
            _mac_binding(row, dp_names)
            for row in _sorted(tables.get("MAC_Binding", {}), "logical_port", "ip")
        ),
        fdb=_fdb(tables.get("FDB", {}), datapaths, bindings, dp_names),
        datapath_keys={
            name: int(datapaths[uuid].get("tunnel_key", 0))
            for uuid, name in sorted(dp_names.items(), key=lambda kv: kv[1])
            if name
        },
    )


def _sorted(rows: Mapping[str, Mapping[str, Any]], *keys: str) -> list[Mapping[str, Any]]:
    """Rows in a stable order (by the given columns, else by name)."""
    cols = keys or ("name",)
    return sorted(rows.values(), key=lambda row: tuple(str(row.get(c, "")) for c in cols))


def _strmap(value: Any) -> Mapping[str, str]:
    return MappingProxyType({str(k): str(v) for k, v in as_map(value or {}).items()})


def _optional(value: Any) -> Any:
    items = as_list(value) if value is not None else []
    return items[0] if items else None


def _dp_name(row: Mapping[str, Any]) -> str:
    ids = as_map(row.get("external_ids", {}))
    return str(ids.get("name", ""))


def _chassis(row: Mapping[str, Any], encaps: Mapping[str, Mapping[str, Any]]) -> Chassis:
    refs = as_list(row.get("encaps", []))
    return Chassis(
        name=str(row.get("name", "")),
        hostname=str(row.get("hostname", "")),
        encaps=tuple(_encap(encaps[u]) for u in refs if u in encaps),
        other_config=_strmap(row.get("other_config")),
        external_ids=_strmap(row.get("external_ids")),
    )


def _encap(row: Mapping[str, Any]) -> Encap:
    return Encap(
        type=str(row.get("type", "")),
        ip=str(row.get("ip", "")),
        options=_strmap(row.get("options")),
    )


def _port(row: Mapping[str, Any], chassis: Mapping[str, Mapping[str, Any]]) -> PortRuntime:
    ch = _optional(row.get("chassis"))
    up = _optional(row.get("up"))
    return PortRuntime(
        logical_port=str(row.get("logical_port", "")),
        chassis=str(chassis[ch].get("name", "")) if ch in chassis else None,
        up=bool(up) if up is not None else None,
        tunnel_key=int(row["tunnel_key"]) if "tunnel_key" in row else None,
    )


def _mac_binding(row: Mapping[str, Any], dp_names: Mapping[str, str]) -> MACBinding:
    dp = _optional(row.get("datapath"))
    return MACBinding(
        logical_port=str(row.get("logical_port", "")),
        ip=str(row.get("ip", "")),
        mac=str(row.get("mac", "")),
        datapath=dp_names.get(dp) or None,
    )


def _fdb(
    rows: Mapping[str, Mapping[str, Any]],
    datapaths: Mapping[str, Mapping[str, Any]],
    bindings: Mapping[str, Mapping[str, Any]],
    dp_names: Mapping[str, str],
) -> tuple[FDBEntry, ...]:
    dp_by_key = {int(row.get("tunnel_key", 0)): uuid for uuid, row in datapaths.items()}
    port_by_key = {
        (_optional(row.get("datapath")), int(row.get("tunnel_key", 0))): str(
            row.get("logical_port")
        )
        for row in bindings.values()
    }
    entries = []
    for row in _sorted(rows, "dp_key", "mac"):
        dp_uuid = dp_by_key.get(int(row.get("dp_key", 0)))
        port = port_by_key.get((dp_uuid, int(row.get("port_key", 0))))
        if dp_uuid is None or port is None:
            continue  # a stale entry for a datapath or port that no longer exists
        entries.append(FDBEntry(mac=str(row.get("mac", "")), datapath=dp_names[dp_uuid], port=port))
    return tuple(entries)
