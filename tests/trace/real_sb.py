"""Build a SouthboundDB from a real OVN southbound database (tracer isolation tests).

Real flows + our tracer must print exactly what real ovn-trace prints, so this
separates tracer bugs from compiler bugs.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

from ovntwin.loaders.ovsdb_values import as_list, as_map, decode
from ovntwin.model.runtime import FDBEntry, MACBinding, RuntimeState
from ovntwin.southbound.rows import (
    DatapathBinding,
    LogicalFlow,
    MulticastGroup,
    PortBinding,
    SouthboundDB,
)

TABLES = (
    "Datapath_Binding", "Port_Binding", "Multicast_Group", "Logical_Flow",
    "Logical_DP_Group", "MAC_Binding", "FDB", "Address_Set", "Port_Group",
)  # fmt: skip


def select_all(remote: str) -> dict[str, dict[str, dict[str, Any]]]:
    ops = [{"op": "select", "table": t, "where": []} for t in TABLES]
    done = subprocess.run(
        ["ovsdb-client", "transact", remote, json.dumps(["OVN_Southbound", *ops])],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for table, result in zip(TABLES, json.loads(done.stdout), strict=True):
        out[table] = {
            decode(row["_uuid"]): {k: decode(v) for k, v in row.items()} for row in result["rows"]
        }
    return out


def sb_from_remote(remote: str) -> SouthboundDB:
    t = select_all(remote)
    dps = tuple(_datapath(u, r) for u, r in t["Datapath_Binding"].items())
    pbs = tuple(_port(u, r) for u, r in t["Port_Binding"].items())
    names = {p.uuid: p.logical_port for p in pbs}
    mcs = tuple(
        MulticastGroup(
            datapath=r["datapath"],
            name=r["name"],
            tunnel_key=r["tunnel_key"],
            ports=tuple(names[p] for p in as_list(r["ports"])),
        )  # fmt: skip
        for r in t["Multicast_Group"].values()
    )
    dp_groups = {u: as_list(r["datapaths"]) for u, r in t["Logical_DP_Group"].items()}
    flows: list[LogicalFlow] = []
    for uuid, r in t["Logical_Flow"].items():
        ids = as_map(r["external_ids"])
        dp_list = as_list(r["logical_datapath"]) or dp_groups.get(
            (as_list(r["logical_dp_group"]) or [""])[0], []
        )
        for dp in dp_list:
            flows.append(
                LogicalFlow(
                    uuid=uuid,
                    datapath=dp,
                    pipeline=r["pipeline"],
                    table_id=r["table_id"],
                    stage_name=ids.get("stage-name", ""),
                    priority=r["priority"],
                    match=r["match"],
                    actions=r["actions"],
                    source=ids.get("source", ""),
                )  # fmt: skip
            )
    dp_names = {d.uuid: d.name for d in dps}
    runtime = RuntimeState(
        mac_bindings=tuple(
            MACBinding(
                logical_port=r["logical_port"],
                ip=r["ip"],
                mac=r["mac"],
                datapath=dp_names.get(r["datapath"]),
            )  # fmt: skip
            for r in t["MAC_Binding"].values()
        ),
        fdb=tuple(_fdb(r, dps, pbs) for r in t["FDB"].values()),
    )
    sets = {r["name"]: tuple(as_list(r["addresses"])) for r in t["Address_Set"].values()}
    groups = {r["name"]: tuple(as_list(r["ports"])) for r in t["Port_Group"].values()}
    return SouthboundDB(dps, pbs, mcs, tuple(flows), runtime, sets, groups)


def _datapath(uuid: str, r: dict[str, Any]) -> DatapathBinding:
    ids = as_map(r["external_ids"])
    kind = "router" if "logical-router" in ids else "switch"
    nb = ids.get("logical-router") or ids.get("logical-switch") or uuid
    return DatapathBinding(
        uuid=uuid, tunnel_key=r["tunnel_key"], kind=kind, nb_uuid=nb, external_ids=ids
    )


def _port(uuid: str, r: dict[str, Any]) -> PortBinding:
    tag = as_list(r["tag"])
    return PortBinding(
        uuid=uuid, logical_port=r["logical_port"], type=r["type"], datapath=r["datapath"],
        tunnel_key=r["tunnel_key"], mac=tuple(as_list(r["mac"])), options=as_map(r["options"]),
        port_security=tuple(as_list(r["port_security"])), tag=tag[0] if tag else None,
        external_ids=as_map(r["external_ids"]),
    )  # fmt: skip


def _fdb(
    r: dict[str, Any], dps: tuple[DatapathBinding, ...], pbs: tuple[PortBinding, ...]
) -> FDBEntry:
    dp = next(d for d in dps if d.tunnel_key == r["dp_key"])
    port = next(p for p in pbs if p.datapath == dp.uuid and p.tunnel_key == r["port_key"])
    return FDBEntry(mac=r["mac"], datapath=dp.name, port=port.logical_port)
