"""Port_Binding.nat_addresses of router-type switch ports: what ovn-controller announces.

ovn-controller sends gratuitous ARPs for these "MAC IP... [is_chassis_resident(...)]"
strings from the chassis where the condition holds. northd fills them for a
switch port whose peer router has a distributed gateway port, or is a gateway
router, from:

- `options:nat-addresses=router`: the peer router's NAT external IPs (IPv4 only);
  distributed floating IPs get their own entry with their external_mac;
- `options:nat-addresses="MAC IP..."`: that text as given;
- the peer port's own MAC and IPv4 addresses, when the peer is the DGP, or has
  reside-on-redirect-chassis on a router with exactly one DGP, or belongs to a
  gateway router and this switch has a localnet port.

Load balancer VIPs would join the centralized entry; ovntwin has no load balancers.
"""

from __future__ import annotations

import ipaddress

from ovntwin.compiler.addresses import normalize_mac, parse_lsp_addresses
from ovntwin.compiler.context import Port
from ovntwin.model import rows as r
from ovntwin.model.db import NorthboundDB


def nat_addresses(nb: NorthboundDB, lsp_port: Port) -> tuple[str, ...]:
    """The nat_addresses column of router-type LSP `lsp_port` (peer links resolved)."""
    lrp = lsp_port.peer
    if lsp_port.lsp is None or lrp is None or lrp.lrp is None or lrp.lrp_networks is None:
        return ()
    router = lrp.datapath
    pinned = router.is_gw_router
    dgps = router.l3dgw_ports
    entries: list[str] = []
    option = lsp_port.lsp.options.get("nat-addresses")
    if option == "router":
        if pinned or dgps:
            entries.extend(_router_nat_entries(nb, lrp))
    elif option is not None and (pinned or dgps):
        if parse_lsp_addresses(option) is not None:
            entries.append(option + _resident(lrp))
    if _announces_router_port(lsp_port, lrp):
        nets = lrp.lrp_networks
        words = [nets.ea_s, *(a.addr_s for a in nets.ipv4_addrs)]
        entries.append(" ".join(words) + _resident(lrp))
    return tuple(entries)


def _resident(lrp: Port) -> str:
    """Restrict to the gateway chassis of the peer DGP, or the router's first DGP."""
    dgps = lrp.datapath.l3dgw_ports
    if not dgps:
        return ""
    dgp = lrp if lrp.is_l3dgw else dgps[0]
    assert dgp.cr_port is not None
    return f" is_chassis_resident({dgp.cr_port.json_name})"


def _announces_router_port(lsp_port: Port, lrp: Port) -> bool:
    assert lrp.lrp is not None
    dgps = lrp.datapath.l3dgw_ports
    if dgps:
        if lrp.is_l3dgw:
            return True
        resides = lrp.lrp.options.get("reside-on-redirect-chassis", "").lower() == "true"
        return resides and len(dgps) == 1
    return lrp.datapath.is_gw_router and bool(lsp_port.datapath.localnet_ports)


def _router_nat_entries(nb: NorthboundDB, lrp: Port) -> list[str]:
    """northd's get_nat_addresses(lrp) without load balancers."""
    lr = lrp.datapath.lr
    nets = lrp.lrp_networks
    assert lr is not None and nets is not None
    rows = nb.resolve(r.NAT, lr.nat)
    if not rows:
        return []
    own_ips = {a.addr_s for a in nets.ipv4_addrs} | {a.addr_s for a in nets.ipv6_addrs}
    entries: list[str] = []
    central: list[str] = []
    for nat in rows:
        if not _is_ipv4_host(nat.external_ip) or not _is_gateway_port_of(nat, lrp):
            continue
        if lrp.datapath.l3dgw_ports and _is_distributed(nat):
            assert nat.external_mac is not None
            mac = normalize_mac(nat.external_mac)
            if mac is not None:
                entries.append(f'{mac} {nat.external_ip} is_chassis_resident("{nat.logical_port}")')
        elif nat.external_ip not in own_ips:  # the port's own IPs are announced separately
            central.append(nat.external_ip)
    if central:
        suffix = f" is_chassis_resident({lrp.cr_port.json_name})" if lrp.cr_port else ""
        entries.append(" ".join([nets.ea_s, *central]) + suffix)
    return entries


def _is_distributed(nat: r.NAT) -> bool:
    return nat.type == "dnat_and_snat" and bool(nat.logical_port) and bool(nat.external_mac)


def _is_ipv4_host(text: str) -> bool:
    """An IPv4 address, bare or /32 (northd's ip_parse_masked with a full mask)."""
    addr, _, plen = text.partition("/")
    try:
        ipaddress.IPv4Address(addr)
    except ValueError:
        return False
    return plen in ("", "32")


def _is_gateway_port_of(nat: r.NAT, lrp: Port) -> bool:
    """northd's is_nat_gateway_port: only matters with several DGPs."""
    if len(lrp.datapath.l3dgw_ports) <= 1:
        return True
    assert lrp.lrp is not None and lrp.lrp_networks is not None
    if nat.gateway_port:
        return nat.gateway_port == lrp.lrp.uuid
    ip = ipaddress.ip_address(nat.external_ip.partition("/")[0])
    return any(ip in a.network for a in lrp.lrp_networks.ipv4_addrs)
