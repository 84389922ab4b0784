"""The `runtime:` and `traces:` sections of a YAML topology.

Runtime facts name NB objects (ports, switches, routers) and chassis; every such
name is checked against the topology, since a southbound binding to a port that
does not exist cannot happen in a real deployment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ovntwin.loaders.yaml_lines import Reporter
from ovntwin.loaders.yaml_names import Names, Where
from ovntwin.loaders.yaml_values import scalar_text, strmap
from ovntwin.model.runtime import (
    Chassis,
    Encap,
    FDBEntry,
    MACBinding,
    PortRuntime,
    RuntimeState,
)

Item = Mapping[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class NamedTrace:
    """A named microflow to trace (`ovntwin trace --name NAME`)."""

    name: str
    microflow: str
    datapath: str | None = None


def runtime_state(doc: Item, names: Names, report: Reporter) -> RuntimeState:
    section = doc.get("runtime") or {}
    base: Where = ("runtime",)
    chassis = tuple(
        _chassis(item, (*base, "chassis", i), report)
        for i, item in enumerate(section.get("chassis") or [])
    )
    _unique([c.name for c in chassis], (*base, "chassis"), "chassis", report)
    known = {c.name for c in chassis}
    ports = {
        str(port): _binding(
            str(port), item, (*base, "port_bindings", str(port)), names, known, report
        )
        for port, item in (section.get("port_bindings") or {}).items()
    }
    macs = tuple(
        _mac_binding(item, (*base, "mac_bindings", i), names, report)
        for i, item in enumerate(section.get("mac_bindings") or [])
    )
    fdb = tuple(
        _fdb(item, (*base, "fdb", i), names, report)
        for i, item in enumerate(section.get("fdb") or [])
    )
    keys = section.get("datapath_keys") or {}
    for name in keys:
        _datapath(str(name), (*base, "datapath_keys", str(name)), names, report)
    return RuntimeState(
        chassis=chassis,
        ports=ports,
        mac_bindings=macs,
        fdb=fdb,
        datapath_keys={str(k): int(v) for k, v in keys.items()},
    )


def traces(doc: Item, names: Names, report: Reporter) -> tuple[NamedTrace, ...]:
    result = []
    for i, item in enumerate(doc.get("traces") or []):
        datapath = item.get("datapath")
        if datapath is not None:
            _datapath(str(datapath), ("traces", i, "datapath"), names, report)
        result.append(
            NamedTrace(name=str(item["name"]), microflow=str(item["microflow"]), datapath=datapath)
        )
    _unique([t.name for t in result], ("traces",), "trace", report)
    return tuple(result)


def _unique(values: list[str], where: Where, what: str, report: Reporter) -> None:
    seen: dict[str, int] = {}
    for i, value in enumerate(values):
        if value in seen:
            first = report.line((*where, seen[value]))
            report.fail(
                (*where, i, "name"), f"duplicate {what} name {value!r} (first at line {first})"
            )
        seen[value] = i


def _datapath(name: str, where: Where, names: Names, report: Reporter) -> None:
    if not (names.has("switch", name) or names.has("router", name)):
        report.fail(where, f"unknown logical switch or router {name!r}")


def _port(name: str, where: Where, names: Names, report: Reporter) -> None:
    if not (names.has("lsp", name) or names.has("lrp", name)):
        report.fail(where, f"unknown logical port {name!r}")


def _chassis(item: Item, where: Where, report: Reporter) -> Chassis:
    encaps = tuple(
        Encap(type=str(e["type"]), ip=scalar_text(e["ip"]), options=strmap(e.get("options")))
        for e in item.get("encaps") or []
    )
    name = str(item["name"])
    return Chassis(
        name=name,
        hostname=str(item.get("hostname", name)),
        encaps=encaps,
        other_config=strmap(item.get("other_config")),
        external_ids=strmap(item.get("external_ids")),
        alive=bool(item.get("alive", True)),
    )


def _binding(
    port: str, item: Item, where: Where, names: Names, chassis: set[str], report: Reporter
) -> PortRuntime:
    _port(port, where, names, report)
    bound = item.get("chassis")
    if bound is not None and bound not in chassis:
        report.fail((*where, "chassis"), f"port {port}: unknown chassis {bound!r}")
    return PortRuntime(
        logical_port=port, chassis=bound, up=item.get("up"), tunnel_key=item.get("tunnel_key")
    )


def _mac_binding(item: Item, where: Where, names: Names, report: Reporter) -> MACBinding:
    port = str(item["logical_port"])
    _port(port, (*where, "logical_port"), names, report)
    datapath = item.get("datapath")
    if datapath is not None:
        _datapath(str(datapath), (*where, "datapath"), names, report)
    return MACBinding(
        logical_port=port, ip=str(item["ip"]), mac=str(item["mac"]), datapath=datapath
    )


def _fdb(item: Item, where: Where, names: Names, report: Reporter) -> FDBEntry:
    datapath, port = str(item["datapath"]), str(item["port"])
    if not names.has("switch", datapath):
        report.fail((*where, "datapath"), f"unknown logical switch {datapath!r}")
    _port(port, (*where, "port"), names, report)
    return FDBEntry(mac=str(item["mac"]), datapath=datapath, port=port)
