"""Northbound rows: one frozen dataclass per OVN NB table (schema 7.0.0, OVN 23.03).

Attribute names are the OVSDB column names, so `ovn-nb(5)` documents this module too.
Reference columns hold the referenced rows' UUIDs (as strings); `NorthboundDB` in
`model/db.py` resolves them. Optional scalar columns (OVSDB "min 0, max 1") are
`X | None`; set columns are tuples; map columns are `Mapping[str, str]`.
Columns ovntwin does not interpret yet are still carried (e.g. `external_ids`,
`ipv6_ra_configs`) so that a database round-trips.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

EMPTY: Mapping[str, str] = MappingProxyType({})


def _map() -> Mapping[str, str]:
    return EMPTY


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    """Every NB row has a UUID; ovntwin generates deterministic ones for YAML input."""

    uuid: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NBGlobal(Row):
    name: str = ""
    options: Mapping[str, str] = field(default_factory=_map)
    external_ids: Mapping[str, str] = field(default_factory=_map)


@dataclass(frozen=True, slots=True, kw_only=True)
class LogicalSwitch(Row):
    name: str = ""
    ports: tuple[str, ...] = ()  # -> LogicalSwitchPort
    acls: tuple[str, ...] = ()  # -> ACL
    qos_rules: tuple[str, ...] = ()  # -> QoS
    load_balancer: tuple[str, ...] = ()
    other_config: Mapping[str, str] = field(default_factory=_map)
    external_ids: Mapping[str, str] = field(default_factory=_map)


@dataclass(frozen=True, slots=True, kw_only=True)
class LogicalSwitchPort(Row):
    name: str
    type: str = ""
    options: Mapping[str, str] = field(default_factory=_map)
    parent_name: str | None = None
    tag_request: int | None = None
    tag: int | None = None
    addresses: tuple[str, ...] = ()
    dynamic_addresses: str | None = None
    port_security: tuple[str, ...] = ()
    up: bool | None = None
    enabled: bool | None = None
    ha_chassis_group: str | None = None  # -> HAChassisGroup
    external_ids: Mapping[str, str] = field(default_factory=_map)


@dataclass(frozen=True, slots=True, kw_only=True)
class LogicalRouter(Row):
    name: str = ""
    ports: tuple[str, ...] = ()  # -> LogicalRouterPort
    static_routes: tuple[str, ...] = ()  # -> LogicalRouterStaticRoute
    policies: tuple[str, ...] = ()  # -> LogicalRouterPolicy
    enabled: bool | None = None
    nat: tuple[str, ...] = ()  # -> NAT
    load_balancer: tuple[str, ...] = ()
    options: Mapping[str, str] = field(default_factory=_map)
    external_ids: Mapping[str, str] = field(default_factory=_map)


@dataclass(frozen=True, slots=True, kw_only=True)
class LogicalRouterPort(Row):
    name: str
    mac: str
    networks: tuple[str, ...] = ()
    peer: str | None = None
    enabled: bool | None = None
    gateway_chassis: tuple[str, ...] = ()  # -> GatewayChassis
    ha_chassis_group: str | None = None  # -> HAChassisGroup
    options: Mapping[str, str] = field(default_factory=_map)
    ipv6_ra_configs: Mapping[str, str] = field(default_factory=_map)
    ipv6_prefix: tuple[str, ...] = ()
    external_ids: Mapping[str, str] = field(default_factory=_map)


@dataclass(frozen=True, slots=True, kw_only=True)
class LogicalRouterStaticRoute(Row):
    ip_prefix: str
    nexthop: str
    route_table: str = ""
    policy: str | None = None  # "dst-ip" (default) or "src-ip"
    output_port: str | None = None  # LRP name
    bfd: str | None = None
    options: Mapping[str, str] = field(default_factory=_map)
    external_ids: Mapping[str, str] = field(default_factory=_map)


@dataclass(frozen=True, slots=True, kw_only=True)
class LogicalRouterPolicy(Row):
    priority: int
    match: str
    action: str  # allow | drop | reroute
    nexthop: str | None = None
    nexthops: tuple[str, ...] = ()
    options: Mapping[str, str] = field(default_factory=_map)
    external_ids: Mapping[str, str] = field(default_factory=_map)


@dataclass(frozen=True, slots=True, kw_only=True)
class ACL(Row):
    priority: int
    direction: str  # from-lport | to-lport
    match: str
    action: str  # allow | allow-related | allow-stateless | drop | reject
    name: str | None = None
    log: bool = False
    severity: str | None = None
    meter: str | None = None
    label: int = 0
    options: Mapping[str, str] = field(default_factory=_map)
    external_ids: Mapping[str, str] = field(default_factory=_map)


@dataclass(frozen=True, slots=True, kw_only=True)
class PortGroup(Row):
    name: str
    ports: tuple[str, ...] = ()  # -> LogicalSwitchPort
    acls: tuple[str, ...] = ()  # -> ACL
    external_ids: Mapping[str, str] = field(default_factory=_map)


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressSet(Row):
    name: str
    addresses: tuple[str, ...] = ()
    external_ids: Mapping[str, str] = field(default_factory=_map)


@dataclass(frozen=True, slots=True, kw_only=True)
class QoS(Row):
    priority: int
    direction: str  # from-lport | to-lport
    match: str
    action: Mapping[str, int] = field(default_factory=dict)  # "dscp" -> 0..63
    bandwidth: Mapping[str, int] = field(default_factory=dict)  # "rate", "burst"
    external_ids: Mapping[str, str] = field(default_factory=_map)


@dataclass(frozen=True, slots=True, kw_only=True)
class NAT(Row):
    type: str  # snat | dnat | dnat_and_snat
    external_ip: str
    logical_ip: str
    external_mac: str | None = None
    external_port_range: str = ""
    logical_port: str | None = None
    allowed_ext_ips: str | None = None  # -> AddressSet
    exempted_ext_ips: str | None = None  # -> AddressSet
    gateway_port: str | None = None  # -> LogicalRouterPort
    options: Mapping[str, str] = field(default_factory=_map)
    external_ids: Mapping[str, str] = field(default_factory=_map)


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewayChassis(Row):
    name: str
    chassis_name: str
    priority: int = 0
    options: Mapping[str, str] = field(default_factory=_map)
    external_ids: Mapping[str, str] = field(default_factory=_map)


@dataclass(frozen=True, slots=True, kw_only=True)
class HAChassis(Row):
    chassis_name: str
    priority: int = 0
    external_ids: Mapping[str, str] = field(default_factory=_map)


@dataclass(frozen=True, slots=True, kw_only=True)
class HAChassisGroup(Row):
    name: str
    ha_chassis: tuple[str, ...] = ()  # -> HAChassis
    external_ids: Mapping[str, str] = field(default_factory=_map)


@dataclass(frozen=True, slots=True, kw_only=True)
class MeterBand(Row):
    action: str = "drop"
    rate: int = 0
    burst_size: int = 0
    external_ids: Mapping[str, str] = field(default_factory=_map)


@dataclass(frozen=True, slots=True, kw_only=True)
class Meter(Row):
    name: str
    unit: str = "kbps"  # kbps | pktps
    bands: tuple[str, ...] = ()  # -> MeterBand
    fair: bool | None = None
    external_ids: Mapping[str, str] = field(default_factory=_map)
