"""lr_in_arp_resolve: the Ethernet destination for the next hop in reg0 / xxreg0.

Static entries come from what the NB already knows: VIF addresses on connected
switches, the other router ports on a shared switch, and a directly peered router
port. Everything else is looked up in MAC_Binding with get_arp / get_nd.

| prio | flow                                                | why                              |
|------|-----------------------------------------------------|----------------------------------|
| 500  | ip4.mcast || ip6.mcast: next                        | outport already chosen           |
| 100  | outport && reg0/xxreg0 == known address: eth.dst    | NB-known neighbours              |
| 50   | bridged DGP, not on its gateway: eth.dst = DGP MAC  | resolve on the gateway instead   |
| 2    | router-owned SNAT IPs: drop                         | unSNAT did not match a session   |
| 1    | ip4: get_arp; ip6: get_nd                           | MAC_Binding lookup               |
| 0    | drop                                                |                                  |

The NAT external IPs' own flows (priority 150/100/90) are in nat_arp.
"""

from __future__ import annotations

from ovntwin.compiler.addresses import LportAddresses
from ovntwin.compiler.context import Port
from ovntwin.compiler.router.common import (
    NEXT_HOP_V4,
    NEXT_HOP_V6,
    RouterFlows,
    lrp_uuid,
    member_ip,
    router_ports,
    v4_list,
    v6_list,
)
from ovntwin.compiler.router.ip_input import build_drop_own_destination
from ovntwin.compiler.router.nat import RouterNat
from ovntwin.compiler.router.nat_arp import neighbour_nat_bindings
from ovntwin.compiler.stages import Stage

ARP_RESOLVE = Stage.LR_IN_ARP_RESOLVE
BRIDGED_REDIRECT_PRIO = 50  # above the MAC_Binding lookup, below NB-known neighbours


def build_arp_resolve(rf: RouterFlows) -> None:
    rf.add(ARP_RESOLVE, 500, "ip4.mcast || ip6.mcast", "next;")
    rf.add(ARP_RESOLVE, 1, "ip4", f"get_arp(outport, {NEXT_HOP_V4}); next;")
    rf.add(ARP_RESOLVE, 1, "ip6", f"get_nd(outport, {NEXT_HOP_V6}); next;")
    rf.add(ARP_RESOLVE, 0, "1", rf.drop)
    snat_ips = RouterNat.of(rf).snat_ips
    for port, _ in router_ports(rf.dp):
        build_drop_own_destination(rf, port, ARP_RESOLVE, 2, snat_ips, snat=True)
        _bridged_redirect(rf, port)
        _peered_router_ports(rf, port)
        peer = port.peer
        if peer is None or peer.lsp is None:
            continue
        switch = peer.datapath
        for lsp in switch.ports:
            if lsp.lsp is None or not lsp.enabled or lsp.lsp_type in ("router", "virtual"):
                continue
            _vif_addresses(rf, port, lsp)
        if peer.enabled and not rf.option_bool("dynamic_neigh_routers", False):
            for lsp in switch.router_ports:
                _other_router_port(rf, port, lsp)


def _bridged_redirect(rf: RouterFlows, port: Port) -> None:
    """redirect-type=bridged: away from the gateway, send to the DGP's own MAC.

    The frame then crosses the bridged network to the gateway chassis, which
    resolves the real next hop (instead of get_arp on this chassis).
    """
    if not port.is_l3dgw or port.lrp is None or port.lrp_networks is None:
        return
    if port.lrp.options.get("redirect-type", "").lower() != "bridged":
        return
    assert port.cr_port is not None
    rf.add(
        ARP_RESOLVE,
        BRIDGED_REDIRECT_PRIO,
        f"outport == {port.json_name} && !is_chassis_resident({port.cr_port.json_name})",
        f"eth.dst = {port.lrp_networks.ea_s}; next;",
        lrp_uuid(port),
    )


def _peered_router_ports(rf: RouterFlows, port: Port) -> None:
    """Router ports whose `peer` column names `port`: our pipeline learns their MAC.

    northd honours the `peer` column one-sidedly, so the other side need not agree.
    """
    for other in rf.ctx.lrps_by_peer_name.get(port.name, []):
        if other.lrp_networks is None:
            continue
        # (sic) no space before "==" in northd's IPv4 text for this flow.
        _router_port_binding(rf, port, other.lrp_networks, lrp_uuid(other), v4_eq="== ")


def _vif_addresses(rf: RouterFlows, port: Port, lsp: Port) -> None:
    nets = port.lrp_networks
    assert nets is not None and lsp.lsp is not None
    for addrs in lsp.lsp_addrs:
        for ip4 in addrs.ipv4_addrs:
            if member_ip(nets, ip4.addr_s) is not None:
                rf.add(
                    ARP_RESOLVE,
                    100,
                    f"outport == {port.json_name} && {NEXT_HOP_V4} == {ip4.addr_s}",
                    f"eth.dst = {addrs.ea_s}; next;",
                    lsp.lsp.uuid,
                )
        for ip6 in addrs.ipv6_addrs:
            if member_ip(nets, ip6.addr_s) is not None:
                rf.add(
                    ARP_RESOLVE,
                    100,
                    f"outport == {port.json_name} && {NEXT_HOP_V6} == {ip6.addr_s}",
                    f"eth.dst = {addrs.ea_s}; next;",
                    lsp.lsp.uuid,
                )


def _other_router_port(rf: RouterFlows, port: Port, lsp: Port) -> None:
    """Another router port on the switch `port` is plugged into."""
    assert lsp.lsp is not None and port.peer is not None and port.peer.lsp is not None
    other = rf.ctx.ports.get(lsp.lsp.options.get("router-port", ""))
    if other is None or other.lrp is None or other is port or other.lrp_networks is None:
        return
    _router_port_binding(rf, port, other.lrp_networks, port.peer.lsp.uuid)
    neighbour_nat_bindings(rf, port, other)


def _router_port_binding(
    rf: RouterFlows, port: Port, nets: LportAddresses, hint: str, v4_eq: str = " == "
) -> None:
    """Static next-hop -> MAC flows for another router port's addresses, out of `port`."""
    if nets.ipv4_addrs:
        rf.add(
            ARP_RESOLVE,
            100,
            f"outport == {port.json_name} && {NEXT_HOP_V4}{v4_eq}{v4_list(nets, False)}",
            f"eth.dst = {nets.ea_s}; next;",
            hint,
        )
    if nets.ipv6_addrs:
        rf.add(
            ARP_RESOLVE,
            100,
            f"outport == {port.json_name} && {NEXT_HOP_V6} == {v6_list(nets)}",
            f"eth.dst = {nets.ea_s}; next;",
            hint,
        )
