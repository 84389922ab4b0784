"""Address facts the simulated machines need from the NB topology.

VMs in the simulation do not ARP: each has a static neighbour table as a booted guest
would after its first ARP exchange (deliberate simplification: the ARP exchange of
the very first packet is not simulated). The next hop of a destination is the owner
of that IP on the VM's own subnet, or the router port of the VM's switch otherwise.
Gateway ports: the physnet/VLAN their external switch reaches, and the addresses
ovn-controller announces for them after a takeover (router IPs and NAT external IPs).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ovntwin.model import rows as r
from ovntwin.model.db import NorthboundDB


@dataclass(frozen=True, slots=True)
class VifAddr:
    name: str
    switch: str
    mac: str
    ip: str


@dataclass(frozen=True, slots=True)
class GatewayPort:
    """A distributed gateway port: where its GARPs go out and what they announce."""

    name: str
    mac: str
    physnet: str | None
    vlan: int | None
    ipv4s: tuple[str, ...]  # router IPs, then NAT external IPs centralized on the gateway


def _first_mac_ip(addresses: tuple[str, ...]) -> tuple[str, str] | None:
    for entry in addresses:
        words = entry.split()
        if len(words) >= 2 and ":" in words[0]:
            return words[0].lower(), words[1]
    return None


class Addressing:
    """Lookups over one NB snapshot (switches, VIFs, router ports, NAT)."""

    def __init__(self, nb: NorthboundDB) -> None:
        self.nb = nb
        self.vifs: dict[str, VifAddr] = {}
        self.router_of_switch: dict[str, tuple[str, tuple[str, ...]]] = {}  # mac, cidrs
        self._ip_owner: dict[str, str] = {}
        lrps = {p.name: p for p in nb.rows(r.LogicalRouterPort)}
        for ls in nb.rows(r.LogicalSwitch):
            for lsp in nb.resolve(r.LogicalSwitchPort, ls.ports):
                self._add_port(ls.name, lsp, lrps)

    def _add_port(
        self, switch: str, lsp: r.LogicalSwitchPort, lrps: dict[str, r.LogicalRouterPort]
    ) -> None:
        if lsp.type == "router":
            lrp = lrps.get(lsp.options.get("router-port", ""))
            if lrp is not None:
                self.router_of_switch[switch] = (lrp.mac.lower(), lrp.networks)
            return
        if lsp.type:
            return
        pair = _first_mac_ip(lsp.addresses)
        if pair is not None:
            self.vifs[lsp.name] = VifAddr(lsp.name, switch, pair[0], pair[1])
            self._ip_owner[pair[1]] = pair[0]

    def next_hop_mac(self, vif: str, dst_ip: str, hosts: dict[str, str]) -> str | None:
        """The MAC a VM sends a packet for `dst_ip` to (`hosts`: external IP -> MAC)."""
        me = self.vifs[vif]
        router = self.router_of_switch.get(me.switch)
        if router is not None:
            for cidr in router[1]:
                net = ipaddress.ip_interface(cidr).network
                if ipaddress.ip_address(dst_ip) in net and ipaddress.ip_address(me.ip) in net:
                    return self._ip_owner.get(dst_ip) or hosts.get(dst_ip)
            return router[0]
        return self._ip_owner.get(dst_ip) or hosts.get(dst_ip)

    def gateway_ports(self) -> dict[str, GatewayPort]:
        out: dict[str, GatewayPort] = {}
        for router in self.nb.rows(r.LogicalRouter):
            lrps = self.nb.resolve(r.LogicalRouterPort, router.ports)
            nats = self.nb.resolve(r.NAT, router.nat)
            for lrp in lrps:
                if lrp.gateway_chassis or lrp.ha_chassis_group or "redirect-chassis" in lrp.options:
                    out[lrp.name] = self._gateway_port(lrp, nats)
        return out

    def _gateway_port(self, lrp: r.LogicalRouterPort, nats: list[r.NAT]) -> GatewayPort:
        ips = [str(ipaddress.ip_interface(n).ip) for n in lrp.networks if "." in n]
        for nat in nats:
            # A NAT with external_mac + logical_port is distributed: its chassis announces it.
            distributed = bool(nat.external_mac and nat.logical_port)
            if not distributed and nat.external_ip not in ips and "." in nat.external_ip:
                ips.append(nat.external_ip)
        physnet, vlan = self._external_net(lrp.name)
        return GatewayPort(lrp.name, lrp.mac.lower(), physnet, vlan, tuple(ips))

    def switch_localnet(self, switch: str) -> tuple[str | None, int | None]:
        """(physnet, tag) of a logical switch's localnet port, if it has one."""
        ls = self.nb.by_name(r.LogicalSwitch, switch)
        if ls is None:
            return None, None
        for p in self.nb.resolve(r.LogicalSwitchPort, ls.ports):
            if p.type == "localnet":
                return p.options.get("network_name"), p.tag
        return None, None

    def _external_net(self, lrp: str) -> tuple[str | None, int | None]:
        for ls in self.nb.rows(r.LogicalSwitch):
            lsps = self.nb.resolve(r.LogicalSwitchPort, ls.ports)
            if any(p.type == "router" and p.options.get("router-port") == lrp for p in lsps):
                for p in lsps:
                    if p.type == "localnet":
                        return p.options.get("network_name"), p.tag
        return None, None
