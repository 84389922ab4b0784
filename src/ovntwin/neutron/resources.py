"""Neutron resources as frozen values, with Neutron's attribute names.

A `NeutronState` is one consistent snapshot of every resource; `ml2ovn.build_nb` turns
it into the NB rows ML2/OVN would have written. Provider attributes carry their API
names without the `provider:` prefix; `binding:host_id` is `binding_host_id`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Segment:
    id: str
    network_type: str  # vlan | flat | geneve | vxlan
    physical_network: str | None = None
    segmentation_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Network:
    id: str
    name: str = ""
    project_id: str = ""
    admin_state_up: bool = True
    mtu: int = 1500
    router_external: bool = False
    segments: tuple[Segment, ...] = ()
    qos_policy_id: str | None = None
    availability_zone_hints: tuple[str, ...] = ()
    revision_number: int = 1

    @property
    def network_type(self) -> str | None:
        return self.segments[0].network_type if self.segments else None

    @property
    def physical_network(self) -> str | None:
        return self.segments[0].physical_network if self.segments else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Subnet:
    id: str
    network_id: str
    cidr: str
    ip_version: int = 4
    name: str = ""
    gateway_ip: str | None = None
    enable_dhcp: bool = True
    revision_number: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class FixedIP:
    subnet_id: str
    ip_address: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressPair:
    ip_address: str
    mac_address: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Port:
    id: str
    network_id: str
    mac_address: str
    name: str = ""
    project_id: str = ""
    admin_state_up: bool = True
    fixed_ips: tuple[FixedIP, ...] = ()
    device_owner: str = ""
    device_id: str = ""
    binding_host_id: str = ""
    binding_vnic_type: str = "normal"
    security_groups: tuple[str, ...] = ()
    port_security_enabled: bool = True
    allowed_address_pairs: tuple[AddressPair, ...] = ()
    qos_policy_id: str | None = None
    revision_number: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalGateway:
    network_id: str
    enable_snat: bool = True
    external_fixed_ips: tuple[FixedIP, ...] = ()
    qos_policy_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    destination: str
    nexthop: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Router:
    """Interfaces and the gateway port are Neutron ports whose device_id is the router."""

    id: str
    name: str = ""
    project_id: str = ""
    admin_state_up: bool = True
    external_gateway_info: ExternalGateway | None = None
    routes: tuple[Route, ...] = ()
    availability_zone_hints: tuple[str, ...] = ()
    revision_number: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class FloatingIP:
    id: str
    floating_network_id: str
    floating_ip_address: str
    floating_port_id: str = ""  # the FIP's own port (device_owner network:floatingip)
    port_id: str | None = None
    fixed_ip_address: str | None = None
    router_id: str | None = None
    qos_policy_id: str | None = None
    project_id: str = ""
    revision_number: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class SecurityGroupRule:
    id: str
    security_group_id: str
    direction: str  # ingress | egress
    ethertype: str = "IPv4"  # IPv4 | IPv6
    protocol: str | None = None  # name or number as a string; None = any
    port_range_min: int | None = None
    port_range_max: int | None = None
    remote_ip_prefix: str | None = None
    remote_group_id: str | None = None
    remote_address_group_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SecurityGroup:
    id: str
    name: str = ""
    project_id: str = ""
    stateful: bool = True
    rules: tuple[SecurityGroupRule, ...] = ()
    revision_number: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class BandwidthLimitRule:
    id: str
    max_kbps: int
    max_burst_kbps: int = 0
    direction: str = "egress"


@dataclass(frozen=True, slots=True, kw_only=True)
class DscpMarkingRule:
    id: str
    dscp_mark: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MinimumBandwidthRule:
    id: str
    min_kbps: int
    direction: str = "egress"


QosRule = BandwidthLimitRule | DscpMarkingRule | MinimumBandwidthRule


@dataclass(frozen=True, slots=True, kw_only=True)
class QosPolicy:
    id: str
    name: str = ""
    project_id: str = ""
    shared: bool = False
    is_default: bool = False
    rules: tuple[QosRule, ...] = ()
    revision_number: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class NeutronState:
    networks: tuple[Network, ...] = ()
    subnets: tuple[Subnet, ...] = ()
    ports: tuple[Port, ...] = ()
    routers: tuple[Router, ...] = ()
    floatingips: tuple[FloatingIP, ...] = ()
    security_groups: tuple[SecurityGroup, ...] = ()
    qos_policies: tuple[QosPolicy, ...] = ()

    def network(self, network_id: str) -> Network | None:
        return next((n for n in self.networks if n.id == network_id), None)

    def subnet(self, subnet_id: str) -> Subnet | None:
        return next((s for s in self.subnets if s.id == subnet_id), None)

    def port(self, port_id: str) -> Port | None:
        return next((p for p in self.ports if p.id == port_id), None)

    def qos_policy(self, policy_id: str | None) -> QosPolicy | None:
        return next((q for q in self.qos_policies if q.id == policy_id), None)

    def router_ports(self, router_id: str, device_owner: str) -> list[Port]:
        return [
            p for p in self.ports if p.device_id == router_id and p.device_owner == device_owner
        ]
