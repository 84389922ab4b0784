"""Southbound rows the compiler produces and the tracer and fabric consume.

Names follow OVN's SB schema (20.27.0): Datapath_Binding, Port_Binding,
Multicast_Group, Logical_Flow. Runtime facts (chassis, MAC bindings, FDB) come in
through `model.runtime.RuntimeState` and are referenced from `SouthboundDB`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ovntwin.model.rows import EMPTY
from ovntwin.model.runtime import RuntimeState


def _map() -> Mapping[str, str]:
    return EMPTY


@dataclass(frozen=True, slots=True, kw_only=True)
class DatapathBinding:
    uuid: str
    tunnel_key: int
    kind: str  # "switch" | "router"
    nb_uuid: str  # the Logical_Switch / Logical_Router row
    external_ids: Mapping[str, str] = field(default_factory=_map)  # name, name2, logical-*

    @property
    def name(self) -> str:
        return self.external_ids.get("name", "")


@dataclass(frozen=True, slots=True, kw_only=True)
class PortBinding:
    uuid: str
    logical_port: str
    type: str  # "" | patch | localnet | chassisredirect | l3gateway | ...
    datapath: str  # DatapathBinding uuid
    tunnel_key: int
    mac: tuple[str, ...] = ()
    options: Mapping[str, str] = field(default_factory=_map)
    port_security: tuple[str, ...] = ()
    parent_port: str | None = None
    tag: int | None = None
    chassis: str | None = None
    up: bool | None = None
    nat_addresses: tuple[str, ...] = ()
    external_ids: Mapping[str, str] = field(default_factory=_map)


@dataclass(frozen=True, slots=True, kw_only=True)
class MulticastGroup:
    datapath: str  # DatapathBinding uuid
    name: str
    tunnel_key: int
    ports: tuple[str, ...] = ()  # logical_port names


@dataclass(frozen=True, slots=True, kw_only=True)
class LogicalFlow:
    uuid: str
    datapath: str  # DatapathBinding uuid
    pipeline: str  # "ingress" | "egress"
    table_id: int
    stage_name: str
    priority: int
    match: str
    actions: str
    source: str = ""  # our builder's file:line (OVN prints northd.c:LINE)
    hint: str = ""  # uuid of the NB row that caused the flow, if any


@dataclass(frozen=True, slots=True)
class SouthboundDB:
    datapaths: tuple[DatapathBinding, ...]
    port_bindings: tuple[PortBinding, ...]
    multicast_groups: tuple[MulticastGroup, ...]
    logical_flows: tuple[LogicalFlow, ...]
    runtime: RuntimeState = field(default_factory=RuntimeState)
    # Match-language sets, as SB Address_Set / Port_Group (port groups may be keyed
    # "<datapath tunnel key>_<name>" like northd's per-datapath SB rows).
    address_sets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    port_groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # For one-shot traces: the flows of one datapath (by uuid), computed on first use,
    # in addition to `logical_flows`. None when every flow is already in `logical_flows`.
    lazy_flows: Callable[[str], tuple[LogicalFlow, ...]] | None = None
