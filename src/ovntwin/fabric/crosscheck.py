"""Cross-checks between the NB topology and the fabric (both reported with FILE:LINE).

- every localnet `network_name` is a vlan/flat network of the fabric; a vlan network's
  localnet ports have a `tag`, a flat network's have none;
- every gateway chassis (Gateway_Chassis, HA_Chassis, a gateway router's
  `options:chassis`) is a fabric chassis, with a bridge mapping for the physnet of the
  gateway port's switch;
- a placed VIF's chassis has a bridge mapping for its switch's localnet physnet, or an
  encap IP when the switch has no localnet port (overlay);
- the ToR port of a chassis' NIC on a VLAN physnet carries every localnet tag of it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ovntwin.fabric.sourced import SourcedReporter
from ovntwin.fabric.spec import FabricSpec, Placement
from ovntwin.fabric.values import Where
from ovntwin.model import rows as r
from ovntwin.model.db import NorthboundDB


def crosscheck(
    topo_doc: Any,
    topo: SourcedReporter,
    nb: NorthboundDB,
    fabric: FabricSpec,
    placement: Sequence[Placement],
    report: SourcedReporter,
) -> None:
    physnets = _localnets(topo_doc, topo, fabric)
    _gateway_chassis(topo_doc, topo, fabric)
    _gateway_mappings(nb, fabric, physnets, report)
    _placements(nb, fabric, placement, physnets, report)
    _vlan_carriage(nb, fabric, report)


def _localnets(doc: Any, topo: SourcedReporter, fabric: FabricSpec) -> dict[str, str]:
    """Checks localnet ports; returns logical switch name -> physnet, and records tags."""
    physnets: dict[str, str] = {}
    for where, switch, port in _switch_ports(doc):
        if port.get("type") != "localnet":
            continue
        name = (port.get("options") or {}).get("network_name")
        if name is None:
            continue  # northd ignores a localnet port without network_name
        net = fabric.network(str(name))
        if net is None or net.kind == "overlay":
            topo.fail(
                (*where, "options"),
                f"localnet {port['name']}: network_name {name!r} is not a vlan or flat "
                "network of the fabric",
            )
        tag = port.get("tag")
        if net.kind == "flat" and tag is not None:
            topo.fail((*where, "tag"), f"localnet {port['name']}: tag {tag} on flat network {name}")
        if net.kind == "vlan" and tag is None:
            topo.fail(where, f"localnet {port['name']}: vlan network {name} needs a tag")
        physnets[switch] = str(name)
    return physnets


def _switch_ports(doc: Any) -> Iterator[tuple[Where, str, Any]]:
    for i, switch in enumerate(doc.get("switches") or []):
        for j, port in enumerate(switch.get("ports") or []):
            yield ("switches", i, "ports", j), str(switch["name"]), port


def _gateway_chassis(doc: Any, topo: SourcedReporter, fabric: FabricSpec) -> None:
    refs: list[tuple[Where, str]] = []
    for i, router in enumerate(doc.get("routers") or []):
        chassis = (router.get("options") or {}).get("chassis")
        if chassis is not None:
            refs.append((("routers", i, "options", "chassis"), str(chassis)))
        for j, port in enumerate(router.get("ports") or []):
            for k, gw in enumerate(port.get("gateway_chassis") or []):
                where: Where = ("routers", i, "ports", j, "gateway_chassis", k)
                refs.append((where, str(gw["chassis_name"])))
    for i, group in enumerate(doc.get("ha_chassis_groups") or []):
        for k, ha in enumerate(group.get("ha_chassis") or []):
            refs.append((("ha_chassis_groups", i, "ha_chassis", k), str(ha["chassis_name"])))
    for where, name in refs:
        if fabric.chassis_named(name) is None:
            topo.fail(where, f"gateway chassis {name!r} is not a chassis of the fabric")


def _chassis_where(fabric: FabricSpec, name: str) -> Where:
    index = next(i for i, c in enumerate(fabric.chassis) if c.name == name)
    return ("fabric", "chassis", index)


def _gateway_mappings(
    nb: NorthboundDB, fabric: FabricSpec, physnets: dict[str, str], report: SourcedReporter
) -> None:
    """A gateway chassis of a DGP needs the physnet of the DGP's switch."""
    switch_of_lrp: dict[str, str] = {}
    for ls in nb.rows(r.LogicalSwitch):
        for lsp in nb.resolve(r.LogicalSwitchPort, ls.ports):
            if lsp.type == "router" and "router-port" in lsp.options:
                switch_of_lrp[lsp.options["router-port"]] = ls.name
    for lrp in nb.rows(r.LogicalRouterPort):
        chassis = [g.chassis_name for g in nb.resolve(r.GatewayChassis, lrp.gateway_chassis)]
        if lrp.ha_chassis_group is not None:
            group = nb.get(r.HAChassisGroup, lrp.ha_chassis_group)
            chassis += [h.chassis_name for h in nb.resolve(r.HAChassis, group.ha_chassis)]
        physnet = physnets.get(switch_of_lrp.get(lrp.name, ""))
        for name in chassis:
            spec = fabric.chassis_named(name)
            if spec is not None and physnet is not None and physnet not in spec.bridge_mappings:
                report.fail(
                    _chassis_where(fabric, name),
                    f"chassis {name} is a gateway of {lrp.name} (physnet {physnet}) but has "
                    f"no ovn-bridge-mappings entry for {physnet}",
                )


def _placements(
    nb: NorthboundDB,
    fabric: FabricSpec,
    placement: Sequence[Placement],
    physnets: dict[str, str],
    report: SourcedReporter,
) -> None:
    switch_of: dict[str, str] = {}
    for ls in nb.rows(r.LogicalSwitch):
        for lsp in nb.resolve(r.LogicalSwitchPort, ls.ports):
            switch_of[lsp.name] = ls.name
    for p in placement:
        chassis = fabric.chassis_named(p.chassis)
        assert chassis is not None  # checked when the placement was read
        switch = switch_of[p.vif]
        physnet = physnets.get(switch)
        where: Where = ("placement", p.vif)
        if physnet is not None and physnet not in chassis.bridge_mappings:
            report.fail(
                where,
                f"{p.vif} (switch {switch}, physnet {physnet}) is placed on {chassis.name}, "
                f"which has no ovn-bridge-mappings entry for {physnet}",
            )
        if physnet is None and chassis.encap_ip is None:
            report.fail(
                where,
                f"{p.vif} is on switch {switch} (no localnet port: overlay) but "
                f"{chassis.name} has no encap_ip",
            )


def _vlan_carriage(nb: NorthboundDB, fabric: FabricSpec, report: SourcedReporter) -> None:
    tags = vlan_tags(nb)
    for i, chassis in enumerate(fabric.chassis):
        for nic in chassis.nics:
            switch = fabric.switch(nic.attachment.switch)
            port = None if switch is None else switch.port(nic.attachment.port)
            for tag in sorted(tags.get(nic.network, ())):
                if port is not None and not port.carries(tag):
                    report.fail(
                        ("fabric", "chassis", i, "nics", nic.network),
                        f"chassis {chassis.name}: ToR port {nic.attachment} does not carry "
                        f"VLAN {tag} of physnet {nic.network}",
                    )


def vlan_tags(nb: NorthboundDB) -> dict[str, set[int]]:
    """physnet -> tags of its localnet ports."""
    tags: dict[str, set[int]] = {}
    for lsp in nb.rows(r.LogicalSwitchPort):
        name = lsp.options.get("network_name")
        if lsp.type == "localnet" and name is not None and lsp.tag is not None:
            tags.setdefault(name, set()).add(lsp.tag)
    return tags
