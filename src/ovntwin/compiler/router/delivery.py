"""lr_in_arp_request and lr_out_delivery: resolving unknown next hops, handing packets out.

| stage       | prio | flow                                           | why
|-------------|------|------------------------------------------------|-------------------------------
| arp_request | 200  | static route IPv6 nexthop unresolved: NS to it | solicited-node address known
| arp_request | 100  | eth.dst unresolved: ARP request / NS           | resolve the next hop
| arp_request | 0    | output                                         | resolved
| delivery    | 110  | multicast out a port (mcast_relay): eth.src    | relayed multicast
| delivery    | 100  | outport == enabled port: output                | deliver
| delivery    | 0    | drop (only once some port is enabled)          | disabled / unknown ports
"""

from __future__ import annotations

import ipaddress

from ovntwin.compiler.router.common import (
    NEXT_HOP_V4,
    NEXT_HOP_V6,
    SRC_V4,
    RouterFlows,
    router_ports,
)
from ovntwin.compiler.stages import Stage
from ovntwin.model import rows as r

ARP_REQUEST = Stage.LR_IN_ARP_REQUEST
DELIVERY = Stage.LR_OUT_DELIVERY


def build_arp_request(rf: RouterFlows) -> None:
    assert rf.dp.lr is not None
    for route in rf.ctx.nb.resolve(r.LogicalRouterStaticRoute, rf.dp.lr.static_routes):
        _ipv6_nexthop_solicit(rf, route)
    rf.add(
        ARP_REQUEST,
        100,
        "eth.dst == 00:00:00:00:00:00 && ip4",
        f"arp {{ eth.dst = ff:ff:ff:ff:ff:ff; arp.spa = {SRC_V4}; arp.tpa = {NEXT_HOP_V4}; "
        "arp.op = 1; output; };",
    )
    rf.add(
        ARP_REQUEST,
        100,
        "eth.dst == 00:00:00:00:00:00 && ip6",
        f"nd_ns {{ nd.target = {NEXT_HOP_V6}; output; }};",
    )
    rf.add(ARP_REQUEST, 0, "1", "output;")


def _ipv6_nexthop_solicit(rf: RouterFlows, route: r.LogicalRouterStaticRoute) -> None:
    """Every static route whose nexthop is an IPv6 host address, valid route or not."""
    text, _, plen = route.nexthop.partition("/")
    try:
        gw = ipaddress.IPv6Address(text)
    except ValueError:
        return
    if plen and plen != "128":
        return
    sn = ipaddress.IPv6Address(int(ipaddress.IPv6Address("ff02::1:ff00:0")) | (int(gw) & 0xFFFFFF))
    low = int(sn) & 0xFFFFFFFF
    mac = "33:33:" + ":".join(f"{(low >> s) & 0xFF:02x}" for s in (24, 16, 8, 0))
    rf.add(
        ARP_REQUEST,
        200,
        f"eth.dst == 00:00:00:00:00:00 && ip6 && {NEXT_HOP_V6} == {route.nexthop}",
        f"nd_ns {{ eth.dst = {mac}; ip6.dst = {sn}; nd.target = {route.nexthop}; output; }};",
        route.uuid,
    )


def build_delivery(rf: RouterFlows) -> None:
    relay = rf.option_bool("mcast_relay", False)
    for port, nets in router_ports(rf.dp):
        if not port.enabled:
            continue  # packets to a disabled port meet the default drop
        if relay:
            rf.add(
                DELIVERY,
                110,
                f"(ip4.mcast || ip6.mcast) && outport == {port.json_name}",
                f"eth.src = {nets.ea_s}; output;",
            )
        rf.add(DELIVERY, 100, f"outport == {port.json_name}", "output;")
        # northd adds the default drop from the per-port builder: no enabled port, no drop.
        rf.add(DELIVERY, 0, "1", rf.drop)
