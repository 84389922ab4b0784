"""SB Port_Binding `nat_addresses` of router-type switch ports, as northd derives them.

ovn-controller sends gratuitous ARPs for each entry ("MAC IP... [is_chassis_resident(P)]")
from the chassis where P resides. Entries come from three sources:

| source                                  | when                                            |
|-----------------------------------------|-------------------------------------------------|
| LSP options:nat-addresses=router        | peer router is a gateway router or has a DGP: its |
|                                         | NAT external IPv4s (distributed FIPs apart)     |
| LSP options:nat-addresses="MAC IP ..."  | same condition; the text as given               |
| the peer router port's own IPv4s        | peer is a DGP, or reside-on-redirect with one   |
|                                         | DGP, or a gateway router on a bridged switch    |

Load-balancer VIPs (also announced by northd) come with a later issue.
"""

from __future__ import annotations

import ipaddress
from dataclasses import replace

from ovntwin.compiler.addresses import normalize_mac
from ovntwin.compiler.context import CompileContext, Port
from ovntwin.compiler.switch.router_peer import (
    cr_json,
    gateway_ports,
    gateway_router_chassis,
    is_gateway_port,
    router_nats,
)
from ovntwin.model import rows as r


def attach_nat_addresses(ctx: CompileContext) -> None:
    """Give every router-type switch port's SB binding its derived nat_addresses."""
    for dp in ctx.switches:
        for port in dp.ports_of_type("router"):
            entries = lsp_nat_addresses(ctx, port)
            if entries:
                port.sb = replace(port.sb, nat_addresses=entries)


def lsp_nat_addresses(ctx: CompileContext, port: Port) -> tuple[str, ...]:
    """The nat_addresses northd writes for router-type LSP `port`."""
    assert port.lsp is not None
    peer = port.peer
    if peer is None or peer.lrp is None or peer.lrp_networks is None:
        return ()
    chassis = gateway_router_chassis(peer.datapath)
    has_dgp = bool(gateway_ports(peer.datapath))
    entries: list[str] = []
    setting = port.lsp.options.get("nat-addresses")
    if setting == "router":
        if chassis is not None or has_dgp:
            entries += _router_nat_entries(ctx, peer)
    elif setting is not None and (chassis is not None or has_dgp) and _is_lsp_address(setting):
        entries.append(setting + (f" is_chassis_resident({_cr_of(peer)})" if has_dgp else ""))
    garp = _router_port_garp(port, peer, chassis)
    if garp:
        entries.append(garp)
    return tuple(entries)


def _cr_of(peer: Port) -> str:
    """The chassisredirect port that speaks for `peer`'s router: its own, or the first DGP's."""
    return cr_json(peer if is_gateway_port(peer) else gateway_ports(peer.datapath)[0])


def _router_nat_entries(ctx: CompileContext, lrp: Port) -> list[str]:
    """northd's get_nat_addresses for a router port (no load balancers)."""
    nats = router_nats(ctx, lrp.datapath)
    assert lrp.lrp is not None and lrp.lrp_networks is not None
    mac = normalize_mac(lrp.lrp.mac)
    if not nats or mac is None:
        return []
    has_dgp = bool(gateway_ports(lrp.datapath))
    nets = lrp.lrp_networks
    own_ips = {a.addr_s for a in nets.ipv4_addrs} | {a.addr_s for a in nets.ipv6_addrs}
    entries: list[str] = []
    central: list[str] = []
    for nat in nats:
        if not _is_host_v4(nat.external_ip) or not _nat_on_port(nat, lrp):
            continue
        if has_dgp and nat.type == "dnat_and_snat" and nat.logical_port and nat.external_mac:
            fip_mac = normalize_mac(nat.external_mac)
            if fip_mac is not None:
                entries.append(
                    f'{fip_mac} {nat.external_ip} is_chassis_resident("{nat.logical_port}")'
                )
        elif nat.external_ip not in own_ips:  # the port's own IPs are announced separately
            central.append(nat.external_ip)
    if central:
        resident = f" is_chassis_resident({cr_json(lrp)})" if is_gateway_port(lrp) else ""
        entries.append(" ".join([mac, *central]) + resident)
    return entries


def _nat_on_port(nat: r.NAT, lrp: Port) -> bool:
    """With several DGPs a NAT belongs to its gateway_port, or to the port on its subnet."""
    dgps = gateway_ports(lrp.datapath)
    if len(dgps) <= 1:
        return True
    if nat.gateway_port:
        return lrp.lrp is not None and nat.gateway_port == lrp.lrp.uuid
    return _on_subnet(lrp, nat.external_ip)


def _on_subnet(lrp: Port, ip_text: str) -> bool:
    assert lrp.lrp_networks is not None
    try:
        ip = ipaddress.ip_address(ip_text)
    except ValueError:
        return False
    nets = lrp.lrp_networks
    if isinstance(ip, ipaddress.IPv4Address):
        return any(ip in n.network for n in nets.ipv4_addrs)
    return any(ip in n.network for n in nets.ipv6_addrs)


def _is_host_v4(text: str) -> bool:
    """An IPv4 address, optionally /32 (IPv6 NATs get no GARP entry)."""
    addr_s, _, plen = text.partition("/")
    try:
        ipaddress.IPv4Address(addr_s)
    except ValueError:
        return False
    return plen in ("", "32")


def _is_lsp_address(text: str) -> bool:
    """ "MAC [IP[/plen]...]" as extract_lsp_addresses accepts it."""
    words = text.split()
    if not words or normalize_mac(words[0]) is None:
        return False
    for word in words[1:]:
        addr_s, _, plen = word.partition("/")
        try:
            addr = ipaddress.ip_address(addr_s)
        except ValueError:
            return False
        if plen and (not plen.isdigit() or int(plen) > addr.max_prefixlen):
            return False
    return True


def _router_port_garp(port: Port, peer: Port, chassis: str | None) -> str | None:
    """The peer router port's MAC and IPv4s, when its router announces them here."""
    dgps = gateway_ports(peer.datapath)
    assert peer.lrp is not None and peer.lrp_networks is not None
    if dgps:
        resides = peer.lrp.options.get("reside-on-redirect-chassis", "").lower() == "true"
        if not (is_gateway_port(peer) or (resides and len(dgps) == 1)):
            return None
    elif chassis is None or not port.datapath.localnet_ports:
        return None
    nets = peer.lrp_networks
    words = [nets.ea_s, *(a.addr_s for a in nets.ipv4_addrs)]
    if dgps:
        words.append(f"is_chassis_resident({_cr_of(peer)})")
    return " ".join(words)
