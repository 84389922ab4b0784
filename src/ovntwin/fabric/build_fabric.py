"""The `fabric:` section of a (validated, merged) scenario -> FabricSpec.

Checks everything that needs no NB topology: unique names, "SWITCH:PORT" references,
one NIC per ToR port, bridge mappings vs networks and NICs, encap IPs on the overlay's
underlay, move-detection presets. Cross-checks against the topology are in
`crosscheck.py`.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ovntwin.fabric import spec as s
from ovntwin.fabric.sourced import SourcedReporter
from ovntwin.fabric.values import Item, Where, duration_us, interface, mac, ovs_map

FABRIC: Where = ("fabric",)


class FabricBuilder:
    def __init__(self, doc: Item, report: SourcedReporter) -> None:
        self.doc: Item = doc["fabric"]
        self.report = report
        self.wired: dict[str, Where] = {}  # "tor:port" -> where its NIC is declared
        self.networks: dict[str, s.PhysicalNetwork] = {}
        self.switches: dict[str, s.TorSwitch] = {}
        self.encaps: dict[str, str] = {}  # encap IP -> chassis

    def build(self) -> s.FabricSpec:
        networks = tuple(self._each("networks", self._network))
        switches = tuple(self._each("switches", self._switch))
        self.switches = {sw.name: sw for sw in switches}
        chassis = tuple(self._each("chassis", self._chassis))
        hosts = tuple(self._each("hosts", self._host))
        spec = s.FabricSpec(
            networks=networks,
            switches=switches,
            chassis=chassis,
            hosts=hosts,
            links=self._links(),
        )
        self._one_switch_per_network(spec)
        return spec

    def _each(self, key: str, build: Any) -> list[Any]:
        out: list[Any] = []
        seen: dict[str, int] = {}
        for i, item in enumerate(self.doc.get(key) or []):
            where = (*FABRIC, key, i)
            name = str(item["name"])
            if name in seen:
                first = self.report.at((*FABRIC, key, seen[name]))
                self.report.fail(where, f"duplicate {key} name {name!r} (first at {first})")
            seen[name] = i
            out.append(build(item, where))
        return out

    # -- networks and switches -----------------------------------------------------

    def _network(self, item: Item, where: Where) -> s.PhysicalNetwork:
        kind = item["kind"]
        underlay = item.get("underlay")
        if kind == "overlay":
            if underlay is None:
                self.report.fail(where, "an overlay network needs `underlay` (the encap subnet)")
            try:
                ipaddress.ip_network(str(underlay), strict=True)
            except ValueError:
                self.report.fail((*where, "underlay"), f"{underlay!r} is not a network")
            if any(n.kind == "overlay" for n in self.networks.values()):
                self.report.fail(where, "only one overlay network may be given")
        elif underlay is not None:
            self.report.fail(
                (*where, "underlay"), f"`underlay` is for overlay networks, not {kind}"
            )
        net = s.PhysicalNetwork(
            name=str(item["name"]), kind=kind, underlay=underlay, mtu=int(item.get("mtu", 1500))
        )
        self.networks[net.name] = net
        return net

    def _switch(self, item: Item, where: Where) -> s.TorSwitch:
        ports: list[s.SwitchPort] = []
        seen: dict[str, int] = {}
        for i, port in enumerate(item["ports"]):
            name = str(port["name"])
            if name in seen:
                first = self.report.at((*where, "ports", seen[name]))
                self.report.fail(
                    (*where, "ports", i), f"duplicate port {name!r} (first at {first})"
                )
            seen[name] = i
            ports.append(self._port(port, (*where, "ports", i)))
        aging = duration_us(item, "mac_aging", where, self.report, s.DEFAULT_MAC_AGING_US)
        return s.TorSwitch(
            name=str(item["name"]),
            ports=tuple(ports),
            mac_aging_us=s.DEFAULT_MAC_AGING_US if aging is None else aging,
            learning=bool(item.get("learning", True)),
            flood_unknown=bool(item.get("flood_unknown", True)),
            move_detection=self._move_policy(
                item.get("move_detection"), (*where, "move_detection")
            ),
        )

    def _port(self, item: Item, where: Where) -> s.SwitchPort:
        mode = item.get("mode", "trunk")
        if mode == "access":
            if "vlans" in item or "native_vlan" in item:
                self.report.fail(where, "an access port has `vlan`, not `vlans` / `native_vlan`")
            vlan = int(item.get("vlan", s.DEFAULT_NATIVE_VLAN))
            return s.SwitchPort(name=str(item["name"]), mode="access", vlans=(), native_vlan=vlan)
        if "vlan" in item:
            self.report.fail((*where, "vlan"), "a trunk port has `vlans` and `native_vlan`")
        vlans = tuple(sorted(set(item["vlans"]))) if "vlans" in item else s.ALL_VLANS
        native = int(item.get("native_vlan", s.DEFAULT_NATIVE_VLAN))
        return s.SwitchPort(name=str(item["name"]), mode="trunk", vlans=vlans, native_vlan=native)

    def _move_policy(self, item: Item | None, where: Where) -> s.MovePolicy | None:
        if item is None or item.get("enabled", True) is False:
            return None
        preset = item.get("preset")
        base = s.MOVE_POLICY_PRESETS[preset] if preset is not None else None
        changes: dict[str, Any] = {}
        if "moves" in item:
            changes["moves"] = int(item["moves"])
        if "action" in item:
            changes["action"] = item["action"]
        for key in ("window", "hold"):
            value = duration_us(item, key, where, self.report)
            if value is not None:
                changes[f"{key}_us"] = value
        if base is not None:
            return dataclasses.replace(base, **changes)
        missing = [k for k in ("moves", "window_us", "action") if k not in changes]
        if missing:
            wanted = ", ".join(k.replace("_us", "_s") for k in missing)
            self.report.fail(where, f"give a `preset` or all of: {wanted}")
        return s.MovePolicy(**changes)

    # -- chassis and hosts ---------------------------------------------------------

    def _chassis(self, item: Item, where: Where) -> s.ChassisSpec:
        name = str(item["name"])
        mappings = ovs_map(
            item.get("ovn-bridge-mappings"), (*where, "ovn-bridge-mappings"), self.report
        )
        for physnet in mappings:
            self._physnet(physnet, (*where, "ovn-bridge-mappings"), "ovn-bridge-mappings")
        macs_where = (*where, "ovn-chassis-mac-mappings")
        macs = ovs_map(item.get("ovn-chassis-mac-mappings"), macs_where, self.report)
        for physnet, value in macs.items():
            if physnet not in mappings:
                self.report.fail(
                    macs_where,
                    f"chassis {name}: {physnet!r} has a chassis MAC "
                    "but no ovn-bridge-mappings entry",
                )
            macs[physnet] = mac(value, macs_where, self.report)
        nics = self._nics(item, where, name)
        for physnet in mappings:
            if not any(n.network == physnet for n in nics):
                self.report.fail(
                    (*where, "ovn-bridge-mappings"),
                    f"chassis {name}: no NIC on {physnet!r} for its bridge mapping",
                )
        return s.ChassisSpec(
            name=name,
            role=item.get("role", "compute"),
            encap_type=str(item.get("encap_type", "geneve")),
            encap_ip=self._encap_ip(item, where, nics),
            bridge_mappings=MappingProxyType(mappings),
            chassis_mac_mappings=MappingProxyType(macs),
            nics=nics,
            other_config=MappingProxyType(
                {str(k): str(v) for k, v in (item.get("other_config") or {}).items()}
            ),
        )

    def _physnet(self, name: str, where: Where, what: str) -> s.PhysicalNetwork:
        net = self.networks.get(name)
        if net is None:
            self.report.fail(where, f"{what}: unknown physical network {name!r}")
        if net.kind == "overlay":
            self.report.fail(where, f"{what}: {name!r} is the overlay, not a physnet")
        return net

    def _nics(self, item: Item, where: Where, name: str) -> tuple[s.Nic, ...]:
        nics = []
        for network, ref in (item.get("nics") or {}).items():
            nic_where = (*where, "nics", network)
            if network not in self.networks:
                self.report.fail(nic_where, f"chassis {name}: unknown physical network {network!r}")
            nics.append(
                s.Nic(name=network, network=network, attachment=self._wire(str(ref), nic_where))
            )
        return tuple(nics)

    def _encap_ip(self, item: Item, where: Where, nics: tuple[s.Nic, ...]) -> str | None:
        overlay = next((n for n in self.networks.values() if n.kind == "overlay"), None)
        text = item.get("encap_ip")
        if text is None:
            if overlay is not None and any(n.network == overlay.name for n in nics):
                self.report.fail(where, "a chassis with an overlay NIC needs `encap_ip`")
            return None
        if overlay is None:
            self.report.fail((*where, "encap_ip"), "encap_ip given but no overlay network")
        if not any(n.network == overlay.name for n in nics):
            self.report.fail((*where, "encap_ip"), f"encap_ip needs a NIC on {overlay.name!r}")
        try:
            ip = ipaddress.ip_address(str(text))
        except ValueError:
            self.report.fail((*where, "encap_ip"), f"{text!r} is not an IP address")
        if ip not in ipaddress.ip_network(str(overlay.underlay)):
            self.report.fail(
                (*where, "encap_ip"), f"{ip} is outside the overlay's underlay {overlay.underlay}"
            )
        other = self.encaps.get(str(ip))
        if other is not None:
            self.report.fail((*where, "encap_ip"), f"encap_ip {ip} is also {other}'s")
        self.encaps[str(ip)] = str(item["name"])
        return str(ip)

    def _host(self, item: Item, where: Where) -> s.ExternalHost:
        net = self.networks.get(str(item["network"]))
        if net is None or net.kind == "overlay":
            self.report.fail(
                (*where, "network"),
                f"host {item['name']}: {item['network']!r} is not a vlan or flat network",
            )
        iface = interface(str(item["ip"]), (*where, "ip"), self.report)
        gateway = item.get("gateway")
        if gateway is not None and ipaddress.ip_address(str(gateway)) not in iface.network:
            self.report.fail((*where, "gateway"), f"gateway {gateway} is outside {iface.network}")
        vlan = item.get("vlan")
        attachment = self._wire(str(item["port"]), (*where, "port"))
        if vlan is not None:
            self._carries(attachment, int(vlan), (*where, "vlan"), f"host {item['name']}")
        return s.ExternalHost(
            name=str(item["name"]),
            network=net.name,
            mac=mac(item["mac"], (*where, "mac"), self.report),
            ip=str(iface.ip),
            prefix_len=iface.network.prefixlen,
            attachment=attachment,
            vlan=None if vlan is None else int(vlan),
            gateway=None if gateway is None else str(gateway),
        )

    # -- wiring ----------------------------------------------------------------------

    def _attachment(self, ref: str, where: Where) -> s.Attachment:
        switch_name, _, port_name = ref.partition(":")
        switch = self.switches.get(switch_name)
        if switch is None:
            self.report.fail(where, f"{ref!r}: unknown ToR switch {switch_name!r}")
        if switch.port(port_name) is None:
            self.report.fail(where, f"{ref!r}: switch {switch_name} has no port {port_name!r}")
        return s.Attachment(switch=switch_name, port=port_name)

    def _wire(self, ref: str, where: Where) -> s.Attachment:
        attachment = self._attachment(ref, where)
        first = self.wired.get(str(attachment))
        if first is not None:
            self.report.fail(where, f"{ref} is already wired (at {self.report.at(first)})")
        self.wired[str(attachment)] = where
        return attachment

    def _carries(self, attachment: s.Attachment, vlan: int, where: Where, who: str) -> None:
        port = self.switches[attachment.switch].port(attachment.port)
        if port is not None and not port.carries(vlan):
            self.report.fail(where, f"{who}: ToR port {attachment} does not carry VLAN {vlan}")

    def _links(self) -> s.Links:
        item: Mapping[str, Any] = self.doc.get("links") or {}
        where = (*FABRIC, "links")
        default = s.LinkSpec(
            delay_us=duration_us(item, "delay", where, self.report, s.DEFAULT_LINK_DELAY_US) or 0,
            rate_kbps=item.get("rate_kbps"),
        )
        overrides = {}
        for ref, spec in (item.get("overrides") or {}).items():
            at = (*where, "overrides", ref)
            attachment = self._attachment(str(ref), at)
            overrides[str(attachment)] = s.LinkSpec(
                delay_us=duration_us(spec, "delay", at, self.report, default.delay_us) or 0,
                rate_kbps=spec.get("rate_kbps", default.rate_kbps),
            )
        return s.Links(default=default, overrides=MappingProxyType(overrides))

    def _one_switch_per_network(self, spec: s.FabricSpec) -> None:
        """Frames never cross between ToRs (no inter-switch links are modelled)."""
        first: dict[str, tuple[str, str]] = {}
        ends = [
            (c.name, n.network, n.attachment, ("chassis", c.name))
            for c in spec.chassis
            for n in c.nics
        ]
        ends += [(h.name, h.network, h.attachment, ("hosts", h.name)) for h in spec.hosts]
        for who, network, attachment, _ in ends:
            seen = first.setdefault(network, (attachment.switch, who))
            if seen[0] != attachment.switch:
                where = self.wired[str(attachment)]
                self.report.fail(
                    where,
                    f"network {network}: {who} is on {attachment.switch} but "
                    f"{seen[1]} on {seen[0]} (ToRs are not interconnected)",
                )
