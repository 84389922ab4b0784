"""The physical description under OVN: networks, ToR switches, chassis, hosts, links.

Frozen values only; `load.py` builds them from a scenario file and checks every
reference. Names follow OVN/OVS where a concept exists there (`ovn-bridge-mappings`,
`ovn-chassis-mac-mappings`, `ingress_policing_rate`...). Times are integer
microseconds, rates kbit/s, bursts kbit, as OVS counts them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

NetworkKind = Literal["vlan", "flat", "overlay"]
ChassisRole = Literal["compute", "gateway"]
PortMode = Literal["trunk", "access"]
MoveAction = Literal["notify", "stop-learning", "err-disable"]

SECOND_US = 1_000_000
# Cisco IOS / NX-OS, Junos, AOS-CX, Comware and Huawei all age MACs after 300 s.
DEFAULT_MAC_AGING_US = 300 * SECOND_US
# IEEE 802.1Q default PVID: untagged frames on a trunk belong to VLAN 1.
DEFAULT_NATIVE_VLAN = 1
ALL_VLANS = tuple(range(1, 4095))  # 802.1Q VIDs 1..4094 (0 and 4095 are reserved)


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class PhysicalNetwork:
    """A physical network: an OVN physnet (vlan / flat) or the tunnel underlay (overlay)."""

    name: str  # the physnet name of localnet `network_name` and `ovn-bridge-mappings`
    kind: NetworkKind
    underlay: str | None = None  # overlay only: the encap IP subnet, e.g. 192.0.2.0/24
    mtu: int = 1500


@dataclass(frozen=True, slots=True, kw_only=True)
class MovePolicy:
    """MAC-move detection: `moves` moves of one (VLAN, MAC) within `window_us` fire `action`.

    `hold_us` is how long the action lasts (None: until cleared by hand).
    """

    moves: int
    window_us: int
    action: MoveAction
    hold_us: int | None = None
    preset: str | None = None  # the preset name it came from, for reports


# Real switch defaults (sources: /work/shared/reference/anchors.md section 3c).
MOVE_POLICY_PRESETS: Mapping[str, MovePolicy] = MappingProxyType(
    {
        # Cisco Nexus 9000 "MAC move policy" (NX-OS 10.5) enabled defaults: 6 moves in
        # 30 s, learning on the VLAN disabled for 120 s.
        "nexus-9000": MovePolicy(
            moves=6,
            window_us=30 * SECOND_US,
            hold_us=120 * SECOND_US,
            action="stop-learning",
            preset="nexus-9000",
        ),
        # EVPN MAC mobility (RFC 7432 section 15.1; Juniper duplicate-mac-detection
        # defaults): duplicate after 5 moves in 180 s, suppressed until cleared.
        "evpn-rfc7432": MovePolicy(
            moves=5,
            window_us=180 * SECOND_US,
            hold_us=None,
            action="stop-learning",
            preset="evpn-rfc7432",
        ),
        # HPE/H3C Comware mac-move suppression: 3 moves within the 1 min detection
        # interval shut the port, which recovers after 30 s.
        "comware": MovePolicy(
            moves=3,
            window_us=60 * SECOND_US,
            hold_us=30 * SECOND_US,
            action="err-disable",
            preset="comware",
        ),
        # Cisco Catalyst `mac address-table notification mac-move`: a syslog line
        # (%SW_MATM-4-MACFLAP_NOTIF) for every move, nothing else.
        "catalyst-notify": MovePolicy(
            moves=1,
            window_us=1 * SECOND_US,
            hold_us=None,
            action="notify",
            preset="catalyst-notify",
        ),
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class SwitchPort:
    """A ToR port. Trunk: tagged `vlans` + untagged `native_vlan`; access: untagged `vlan`."""

    name: str
    mode: PortMode = "trunk"
    vlans: tuple[int, ...] = ALL_VLANS  # trunk: allowed tagged VLANs
    native_vlan: int = DEFAULT_NATIVE_VLAN  # trunk: VLAN of untagged frames; access: its VLAN

    def carries(self, vlan: int | None) -> bool:
        """Whether a frame tagged `vlan` (None: untagged) may cross this port."""
        if vlan is None:
            return True
        if self.mode == "access":
            return False  # an access port drops tagged frames
        return vlan in self.vlans or vlan == self.native_vlan


@dataclass(frozen=True, slots=True, kw_only=True)
class TorSwitch:
    name: str
    ports: tuple[SwitchPort, ...]
    mac_aging_us: int = DEFAULT_MAC_AGING_US
    learning: bool = True
    flood_unknown: bool = True  # flood unknown unicast to every port of the VLAN
    move_detection: MovePolicy | None = None  # None: no detection (the usual default)

    def port(self, name: str) -> SwitchPort | None:
        return next((p for p in self.ports if p.name == name), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Attachment:
    """Where a NIC is plugged: port `port` of ToR `switch` ("tor:port" in files)."""

    switch: str
    port: str

    def __str__(self) -> str:
        return f"{self.switch}:{self.port}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Nic:
    name: str  # e.g. eth1
    network: str  # PhysicalNetwork name
    attachment: Attachment


@dataclass(frozen=True, slots=True, kw_only=True)
class ChassisSpec:
    """A hypervisor or gateway node running ovs-vswitchd + ovn-controller."""

    name: str
    role: ChassisRole = "compute"
    encap_type: str = "geneve"
    encap_ip: str | None = None  # on the overlay network
    bridge_mappings: Mapping[str, str] = field(default_factory=_empty)  # physnet -> bridge
    chassis_mac_mappings: Mapping[str, str] = field(default_factory=_empty)  # physnet -> MAC
    nics: tuple[Nic, ...] = ()
    other_config: Mapping[str, str] = field(default_factory=_empty)  # extra SB other_config

    def nic_on(self, network: str) -> Nic | None:
        return next((n for n in self.nics if n.network == network), None)

    def ovn_bridge_mappings(self) -> str:
        """The `ovn-bridge-mappings` external-id, as ovn-controller reads it."""
        return ",".join(f"{net}:{br}" for net, br in self.bridge_mappings.items())

    def ovn_chassis_mac_mappings(self) -> str:
        return ",".join(f"{net}:{mac}" for net, mac in self.chassis_mac_mappings.items())


@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalHost:
    """A machine outside OVN (upstream router, server) on a physical network."""

    name: str
    network: str
    mac: str
    ip: str  # address
    prefix_len: int
    attachment: Attachment
    vlan: int | None = None  # tag on the wire; None: untagged
    gateway: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Placement:
    """A VIF bound on a chassis, with its OVS Interface policing (0 = off, as OVS)."""

    vif: str
    chassis: str
    ingress_policing_rate: int = 0  # kbit/s
    ingress_policing_burst: int = 0  # kbit; OVS reads 0 as its default (8000 kbit)


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkSpec:
    delay_us: int
    rate_kbps: int | None = None  # None: no serialisation delay


# A few metres of fibre plus a switch hop: 10 us one way is a usual intra-rack figure.
DEFAULT_LINK_DELAY_US = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class Links:
    """Delay (and optional rate) of every NIC <-> ToR port link; overrides by "tor:port"."""

    default: LinkSpec = field(default_factory=lambda: LinkSpec(delay_us=DEFAULT_LINK_DELAY_US))
    overrides: Mapping[str, LinkSpec] = field(default_factory=dict)

    def at(self, attachment: Attachment) -> LinkSpec:
        return self.overrides.get(str(attachment), self.default)


@dataclass(frozen=True, slots=True, kw_only=True)
class FabricSpec:
    networks: tuple[PhysicalNetwork, ...]
    switches: tuple[TorSwitch, ...]
    chassis: tuple[ChassisSpec, ...]
    hosts: tuple[ExternalHost, ...] = ()
    links: Links = field(default_factory=Links)

    def network(self, name: str) -> PhysicalNetwork | None:
        return next((n for n in self.networks if n.name == name), None)

    def switch(self, name: str) -> TorSwitch | None:
        return next((s for s in self.switches if s.name == name), None)

    def chassis_named(self, name: str) -> ChassisSpec | None:
        return next((c for c in self.chassis if c.name == name), None)

    def host(self, name: str) -> ExternalHost | None:
        return next((h for h in self.hosts if h.name == name), None)

    def overlay(self) -> PhysicalNetwork | None:
        return next((n for n in self.networks if n.kind == "overlay"), None)
