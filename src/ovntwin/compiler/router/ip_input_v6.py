"""lr_in_ip_input, IPv6 flows of one router port (its link-local address included).

| prio | flow                                                | why                               |
|------|-----------------------------------------------------|-----------------------------------|
| 100  | DHCPv6 reply to a port address: handle_dhcpv6_reply | prefix delegation replies         |
| 90   | echo request to a port address; NS for one: NA      | the router answers itself         |
|      | (NS on a DGP: only where cr-<DGP> is resident)       | one NA, from the gateway chassis  |
| 80   | TCP/UDP/SCTP to a port address: RST / unreachable   | no L4 service on the router       |
| 70   | other IPv6 to a port address: unreachable           |                                   |
| 31   | TTL expired from a port's (non link-local) subnet   | ICMPv6 time exceeded from the port|
"""

from __future__ import annotations

from ovntwin.compiler.context import Port
from ovntwin.compiler.router.common import (
    INPORT_ETH_ADDR,
    RouterFlows,
    is_gateway_port,
    lrp_uuid,
    resident_on_cr,
    unreachable_flows,
    v6_list,
)
from ovntwin.compiler.stages import Stage

IP_INPUT = Stage.LR_IN_IP_INPUT


def build_ipv6_port_input(rf: RouterFlows, port: Port) -> None:
    nets = port.lrp_networks
    assert nets is not None
    hint = lrp_uuid(port)
    for a in nets.ipv6_addrs:
        rf.add(
            IP_INPUT,
            100,
            f"ip6.dst == {a.addr_s} && udp.src == 547 && udp.dst == 546",
            "reg0 = 0; handle_dhcpv6_reply;",
        )
    if nets.ipv6_addrs:
        rf.add(
            IP_INPUT,
            90,
            f"ip6.dst == {v6_list(nets)} && icmp6.type == 128 && icmp6.code == 0",
            "ip6.dst <-> ip6.src; ip.ttl = 255; icmp6.type = 129; flags.loopback = 1; next; ",
            hint,
        )
    # A DGP answers NS only on its gateway chassis (one NA, learnt there upstream).
    resident = f" && {resident_on_cr(port)}" if port.is_l3dgw else ""
    for a in nets.ipv6_addrs:
        rf.add(
            IP_INPUT,
            90,
            f"inport == {port.json_name} && ip6.dst == {{{a.addr_s}, {a.sn_addr_s}}}"
            f" && nd_ns && nd.target == {a.addr_s}{resident}",
            f"nd_na_router {{ eth.src = {INPORT_ETH_ADDR}; ip6.src = nd.target; "
            f"nd.tll = {INPORT_ETH_ADDR}; outport = inport; flags.loopback = 1; output; }};",
            hint,
        )
    if not rf.has_gateway:
        for a in nets.ipv6_addrs:
            unreachable_flows(rf, port, a.addr_s, 6)
    for a in nets.ipv6_addrs:
        if a.network.is_link_local:
            continue  # no time-exceeded from the link-local address
        swap = (
            "ip6.dst <-> ip6.src"
            if is_gateway_port(port)
            else f"ip6.dst = ip6.src; ip6.src = {a.addr_s}"
        )
        rf.add(
            IP_INPUT,
            31,
            f"inport == {port.json_name} && ip6 && ip6.src == {a.network_s}/{a.plen}"
            " && ip.ttl == {0, 1} && !ip.later_frag",
            f"icmp6 {{eth.dst <-> eth.src; {swap} ; ip.ttl = 254; "
            "icmp6.type = 3; /* Time exceeded */ icmp6.code = 0; /* TTL exceeded in transit */ "
            f"outport = {port.json_name}; flags.loopback = 1; output; }};",
            hint,
        )
