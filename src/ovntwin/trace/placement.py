"""Where things run: the chassis picture a chassis-aware trace needs.

Built from the runtime facts (chassis, encaps, port bindings, liveness) and the NB
gateway configuration (Gateway_Chassis / HA_Chassis_Group priorities):

* which chassis hosts each VIF (Port_Binding.chassis),
* the active gateway of each distributed gateway port: the highest-priority chassis
  that is alive (what the BFD-driven HA logic of ovn-controller converges to),
* per chassis: encap (tunnel endpoint), `ovn-bridge-mappings` (physnet -> bridge) and
  `ovn-chassis-mac-mappings` (physnet -> chassis MAC).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from ovntwin.model.db import NorthboundDB
from ovntwin.model.rows import (
    GatewayChassis,
    HAChassis,
    HAChassisGroup,
    LogicalRouter,
    LogicalRouterPort,
)
from ovntwin.model.runtime import Chassis
from ovntwin.southbound.rows import PortBinding

EVERYWHERE: Final = "*"  # patch / localnet / router ports exist on every chassis
# Port types ovn-controller instantiates on every chassis that has their datapath.
_DISTRIBUTED_TYPES = frozenset({"patch", "localnet", "localport", "router"})


def parse_mappings(text: str) -> dict[str, str]:
    """ "physnet1:br-ex,ext:br-ext" (or with MACs as values) -> {physnet: value}."""
    out: dict[str, str] = {}
    for item in text.split(","):
        key, sep, value = item.strip().partition(":")
        if sep and key and value:
            out[key.strip()] = value.strip()
    return out


@dataclass(frozen=True, slots=True)
class ChassisView:
    name: str
    alive: bool
    encap_type: str
    encap_ip: str
    bridges: Mapping[str, str]  # physnet -> OVS bridge
    macs: Mapping[str, str]  # physnet -> chassis MAC

    @staticmethod
    def of(ch: Chassis) -> ChassisView:
        encap = ch.encaps[0] if ch.encaps else None
        return ChassisView(
            name=ch.name,
            alive=ch.alive,
            encap_type=encap.type if encap else "",
            encap_ip=encap.ip if encap else "",
            bridges=parse_mappings(ch.other_config.get("ovn-bridge-mappings", "")),
            macs=parse_mappings(ch.other_config.get("ovn-chassis-mac-mappings", "")),
        )


@dataclass(frozen=True, slots=True)
class Placement:
    chassis: Mapping[str, ChassisView]
    bindings: Mapping[str, str]  # VIF name -> chassis
    gateways: Mapping[str, tuple[tuple[str, int], ...]]  # DGP name -> (chassis, prio), best first
    reside: frozenset[str] = field(default_factory=frozenset)  # LRPs with reside-on-redirect
    router_dgps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # LRP -> DGPs

    def active_gateway(self, dgp: str) -> str | None:
        """The highest-priority live gateway chassis of a distributed gateway port."""
        for name, _prio in self.gateways.get(dgp, ()):
            view = self.chassis.get(name)
            if view is None or view.alive:  # an unknown chassis cannot be seen dead
                return name
        return None

    def home(self, pb: PortBinding) -> str | None:
        """The chassis a port is bound to, EVERYWHERE for distributed ports, None if unbound."""
        if pb.type in _DISTRIBUTED_TYPES:
            return EVERYWHERE
        if pb.type == "chassisredirect":
            return self.active_gateway(pb.options.get("distributed-port", ""))
        if pb.type == "l3gateway":
            return pb.options.get("l3gateway-chassis") or None
        return self.bindings.get(pb.logical_port) or pb.chassis

    def resident(self, port: str, chassis: str) -> bool:
        """is_chassis_resident(port) as ovn-controller on `chassis` evaluates it."""
        if port.startswith("cr-") and port[3:] in self.gateways:
            return self.active_gateway(port[3:]) == chassis
        return self.bindings.get(port) == chassis

    def mac_owner_gateway(self, lrp: str) -> str | None:
        """For a router port whose MAC only one chassis answers for: that chassis."""
        if lrp in self.gateways:
            return self.active_gateway(lrp)
        if lrp in self.reside:
            for dgp in self.router_dgps.get(lrp, ()):
                return self.active_gateway(dgp)
        return None


def build_placement(nb: NorthboundDB) -> Placement:
    rt = nb.runtime
    bindings = {name: pr.chassis for name, pr in rt.ports.items() if pr.chassis}
    gateways: dict[str, tuple[tuple[str, int], ...]] = {}
    reside: set[str] = set()
    router_dgps: dict[str, tuple[str, ...]] = {}
    for router in nb.rows(LogicalRouter):
        lrps = nb.resolve(LogicalRouterPort, router.ports)
        dgps = []
        for lrp in lrps:
            prios = _priorities(nb, lrp)
            if prios:
                gateways[lrp.name] = prios
                dgps.append(lrp.name)
            if lrp.options.get("reside-on-redirect-chassis") == "true":
                reside.add(lrp.name)
        for lrp in lrps:
            router_dgps[lrp.name] = tuple(dgps)
    return Placement(
        chassis={ch.name: ChassisView.of(ch) for ch in rt.chassis},
        bindings=bindings,
        gateways=gateways,
        reside=frozenset(reside),
        router_dgps=router_dgps,
    )


def _priorities(nb: NorthboundDB, lrp: LogicalRouterPort) -> tuple[tuple[str, int], ...]:
    """Gateway chassis by priority (highest first; ties by name, as northd orders them)."""
    pairs: list[tuple[str, int]] = []
    if lrp.ha_chassis_group:
        group = nb.tables.get(HAChassisGroup, {}).get(lrp.ha_chassis_group)
        if isinstance(group, HAChassisGroup):
            pairs = [(h.chassis_name, h.priority) for h in nb.resolve(HAChassis, group.ha_chassis)]
    elif lrp.gateway_chassis:
        gcs = nb.resolve(GatewayChassis, lrp.gateway_chassis)
        pairs = [(g.chassis_name, g.priority) for g in gcs]
    elif lrp.options.get("redirect-chassis"):  # legacy single gateway option
        pairs = [(lrp.options["redirect-chassis"], 0)]
    return tuple(sorted(pairs, key=lambda p: (-p[1], p[0])))
