"""lr_in_ip_input for the router as a whole and for IPv4 on each port.

IPv6 per-port flows are in ip_input_v6.py.

| prio | flow                                                   | why
|------|--------------------------------------------------------|--------------------------------------
| 100  | martian sources/destinations; own IP / bcast as source | L3 admission control
| 90   | ARP request for a port IP; ICMP echo to a port IP      | the router answers itself
|      | (ARP on a DGP / reside-on-redirect-chassis port facing | ... only on the gateway chassis
|      | a localnet switch: && is_chassis_resident(cr-...))     |
| 85   | other ARP / ND: drop                                   | only the router's own are answered
| 84   | RS / RA: next                                          | handled later (nd_ra / ip_routing)
| 83   | reserved IPv6 multicast: drop                          |
| 82   | other multicast: drop (next with mcast_relay)          | no multicast routing by default
| 80   | TCP/UDP/SCTP to a port IP: RST / port unreachable      | no L4 service on the router
| 70   | other IP to a port IP: protocol unreachable            |
| 60   | anything else to a port IP: drop                       | after the replies above
| 50   | eth.bcast: drop                                        | link-local broadcast is not routed
| 32   | TTL expired multicast: drop                            | no time-exceeded for multicast
| 31   | TTL expired on a port: ICMP time exceeded              | answer from the inport's address
| 30   | TTL expired: drop                                      | anything not answered above
| 0    | next                                                   | route it
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from ovntwin.compiler.context import Port
from ovntwin.compiler.router.common import (
    EGRESS_LOOPBACK,
    INPORT_ETH_ADDR,
    RouterFlows,
    arp_reply_actions,
    is_gateway_port,
    lrp_uuid,
    resident_on_cr,
    router_ports,
    smap_bool,
    unreachable_flows,
    v4_list,
)
from ovntwin.compiler.router.ip_input_v6 import build_ipv6_port_input
from ovntwin.compiler.router.nat import RouterNat
from ovntwin.compiler.stages import Stage

IP_INPUT = Stage.LR_IN_IP_INPUT

_MARTIANS = (
    "ip4.src_mcast ||"  # (sic) northd writes no space after this `||`
    "ip4.src == 255.255.255.255 || "
    "ip4.src == 127.0.0.0/8 || "
    "ip4.dst == 127.0.0.0/8 || "
    "ip4.src == 0.0.0.0/8 || "
    "ip4.dst == 0.0.0.0/8"
)


def build_ip_input(rf: RouterFlows) -> None:
    _datapath_flows(rf)
    nat = RouterNat.of(rf)
    for port, _ in router_ports(rf.dp):
        _ipv4_port_flows(rf, port)
        build_ipv6_port_input(rf, port)
        if not nat.lb_force_snat_router_ip:  # then every router IP is a SNAT IP
            build_drop_own_destination(rf, port, IP_INPUT, 60, nat.snat_ips, snat=False)


def _datapath_flows(rf: RouterFlows) -> None:
    relay = rf.option_bool("mcast_relay", False)
    rf.add(IP_INPUT, 100, _MARTIANS, rf.drop)
    rf.add(IP_INPUT, 85, "arp || nd", rf.drop)
    rf.add(IP_INPUT, 84, "nd_rs || nd_ra", "next;")
    rf.add(IP_INPUT, 83, "ip6.mcast_rsvd", rf.drop)
    rf.add(IP_INPUT, 82, "ip4.mcast || ip6.mcast", "next;" if relay else rf.drop)
    rf.add(IP_INPUT, 50, "eth.bcast", rf.drop)
    rf.add(IP_INPUT, 32, "ip.ttl == {0, 1} && !ip.later_frag && (ip4.mcast || ip6.mcast)", rf.drop)
    rf.add(IP_INPUT, 30, "ip.ttl == {0, 1}", rf.drop)
    rf.add(IP_INPUT, 0, "1", "next;")


def _ipv4_port_flows(rf: RouterFlows, port: Port) -> None:
    nets = port.lrp_networks
    assert nets is not None
    hint = lrp_uuid(port)
    if nets.ipv4_addrs:
        rf.add(
            IP_INPUT,
            100,
            f"ip4.src == {v4_list(nets, True)} && {EGRESS_LOOPBACK} == 0",
            rf.drop,
            hint,
        )
        rf.add(
            IP_INPUT,
            90,
            f"ip4.dst == {v4_list(nets, False)} && icmp4.type == 8 && icmp4.code == 0",
            "ip4.dst <-> ip4.src; ip.ttl = 255; icmp4.type = 0; flags.loopback = 1; next; ",
            hint,
        )
    for a in nets.ipv4_addrs:
        swap = (
            "ip4.dst <-> ip4.src"
            if is_gateway_port(port)
            else f"ip4.dst = ip4.src; ip4.src = {a.addr_s}"
        )
        rf.add(
            IP_INPUT,
            31,
            f"inport == {port.json_name} && ip4 && ip.ttl == {{0, 1}} && !ip.later_frag",
            "icmp4 {eth.dst <-> eth.src; icmp4.type = 11; /* Time exceeded */ "
            f"icmp4.code = 0; /* TTL exceeded in transit */ {swap} ; ip.ttl = 254; "
            f"outport = {port.json_name}; flags.loopback = 1; output; }};",
            hint,
        )
    resident = _arp_reply_residence(rf, port)
    for a in nets.ipv4_addrs:
        rf.add(
            IP_INPUT,
            90,
            f"inport == {port.json_name} && arp.op == 1 && arp.tpa == {a.addr_s}"
            f" && arp.spa == {a.network_s}/{a.plen}{resident}",
            arp_reply_actions(INPORT_ETH_ADDR),
            hint,
        )
    if not rf.has_gateway:
        for a in nets.ipv4_addrs:
            unreachable_flows(rf, port, a.addr_s, 4)


def _arp_reply_residence(rf: RouterFlows, port: Port) -> str:
    """Where ARP replies for the port's IPs may come from, when it faces a bridged network.

    A DGP answers only on its gateway chassis (upstream switches learn its MAC
    there); so does a port with reside-on-redirect-chassis when the router has
    exactly one DGP. Elsewhere every chassis answers.
    """
    dgps = rf.dp.l3dgw_ports
    if not dgps or port.peer is None or not port.peer.datapath.localnet_ports:
        return ""
    if port.is_l3dgw:
        return f" && {resident_on_cr(port)}"
    assert port.lrp is not None
    if smap_bool(port.lrp.options.get("reside-on-redirect-chassis"), False) and len(dgps) == 1:
        return f" && {resident_on_cr(dgps[0])}"
    return ""


def build_drop_own_destination(
    rf: RouterFlows, port: Port, stage: Stage, priority: int, snat_ips: AbstractSet[str], snat: bool
) -> None:
    """Drop traffic to the port's own addresses that are (`snat`) or are not SNAT IPs.

    lr_in_ip_input drops the non-SNAT ones at priority 60; SNAT IPs get their drop in
    lr_in_arp_resolve (priority 2), after unSNAT had its chance. (Load balancer IPs
    count as SNAT IPs in northd; ovntwin has no load balancers.)
    """
    nets = port.lrp_networks
    assert nets is not None
    v4 = [a.addr_s for a in nets.ipv4_addrs if (a.addr_s in snat_ips) == snat]
    v6 = [a.addr_s for a in nets.ipv6_addrs if (a.addr_s in snat_ips) == snat]
    if v4:
        rf.add(stage, priority, f"ip4.dst == {{{', '.join(v4)}}}", rf.drop, lrp_uuid(port))
    if v6:
        rf.add(stage, priority, f"ip6.dst == {{{', '.join(v6)}}}", rf.drop, lrp_uuid(port))
