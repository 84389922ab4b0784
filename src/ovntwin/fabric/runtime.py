"""Southbound runtime facts of a scenario, as the fabric's ovn-controllers would report.

Each fabric chassis becomes an SB Chassis: its encap, the feature flags of a 23.03
ovn-controller, `ovn-bridge-mappings`, `ovn-chassis-mac-mappings` and, for gateways,
`ovn-cms-options=enable-chassis-as-gw` (what Neutron deployments set). Each placed
VIF becomes a bound, up Port_Binding. The topology's own `runtime:` keeps its MAC
bindings, FDB entries, datapath keys and port tunnel keys; its chassis must be fabric
chassis (they are replaced) and its port bindings must agree with the placement.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from types import MappingProxyType

from ovntwin.fabric.sourced import SourcedReporter
from ovntwin.fabric.spec import ChassisSpec, FabricSpec, Placement
from ovntwin.model.runtime import CHASSIS_FEATURES_23_03, Chassis, Encap, PortRuntime, RuntimeState


def sb_chassis(spec: ChassisSpec) -> Chassis:
    config = {flag: "true" for flag in CHASSIS_FEATURES_23_03}
    if spec.bridge_mappings:
        config["ovn-bridge-mappings"] = spec.ovn_bridge_mappings()
    if spec.chassis_mac_mappings:
        config["ovn-chassis-mac-mappings"] = spec.ovn_chassis_mac_mappings()
    if spec.role == "gateway":
        config["ovn-cms-options"] = "enable-chassis-as-gw"
    config.update(spec.other_config)
    encaps = () if spec.encap_ip is None else (Encap(type=spec.encap_type, ip=spec.encap_ip),)
    return Chassis(
        name=spec.name, hostname=spec.name, encaps=encaps, other_config=MappingProxyType(config)
    )


def fabric_runtime(
    base: RuntimeState,
    fabric: FabricSpec,
    placement: Sequence[Placement],
    topo_report: SourcedReporter,
) -> RuntimeState:
    names = {c.name for c in fabric.chassis}
    for i, chassis in enumerate(base.chassis):
        if chassis.name not in names:
            topo_report.fail(
                ("runtime", "chassis", i),
                f"runtime chassis {chassis.name!r} is not a chassis of the fabric",
            )
    placed = {p.vif: p for p in placement}
    ports = dict(base.ports)
    for vif, binding in base.ports.items():
        where = ("runtime", "port_bindings", vif)
        if vif in placed and binding.chassis not in (None, placed[vif].chassis):
            topo_report.fail(
                where,
                f"{vif} is bound to {binding.chassis} here but placed on "
                f"{placed[vif].chassis} by the scenario",
            )
        if vif not in placed and binding.chassis is not None:
            topo_report.fail(where, f"{vif} is bound to {binding.chassis} but not placed")
    for vif, p in placed.items():
        old = ports.get(vif)
        ports[vif] = PortRuntime(
            logical_port=vif,
            chassis=p.chassis,
            up=True,
            tunnel_key=None if old is None else old.tunnel_key,
        )
    return dataclasses.replace(
        base, chassis=tuple(sb_chassis(c) for c in fabric.chassis), ports=ports
    )
