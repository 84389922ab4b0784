"""lr_in_ip_routing_pre, lr_in_ip_routing, lr_in_ip_routing_ecmp: route lookup.

Longest prefix wins through the priority: plen * 3 + 2 for connected networks,
plen * 3 + 1 for static dst-ip routes, plen * 3 for src-ip routes (northd's
ROUTE_PRIO_OFFSET_*). Static routes also match the route table id in reg7.

| stage   | prio      | flow                                          | why
|---------|-----------|-----------------------------------------------|------------------------------
| pre     | 100       | inport with options:route_table: reg7 = id    | pick the port's route table
| pre     | 0         | reg7 = 0                                      | main table
| routing | 10550     | nd_rs || nd_ra: drop                          | never forwarded
| routing | formula   | connected networks, static routes, ECMP heads | longest prefix match
| routing | 0         | drop                                          | no route
| ecmp    | 150       | reg8[0..15] == 0: next                        | not an ECMP route
| ecmp    | 100       | group && member: set nexthop and outport      | the selected ECMP member
| ecmp    | 0         | drop                                          |
"""

from __future__ import annotations

import ipaddress

from ovntwin.compiler.context import Port
from ovntwin.compiler.router.common import (
    ECMP_GROUP_ID,
    ECMP_MEMBER_ID,
    NEXT_HOP_V4,
    NEXT_HOP_V6,
    ROUTE_TABLE_ID,
    SRC_V4,
    SRC_V6,
    RouterFlows,
    lrp_uuid,
    router_ports,
)
from ovntwin.compiler.router.ecmp_symmetric import build_symmetric_replies
from ovntwin.compiler.router.nat_arp import neighbour_nat_routes
from ovntwin.compiler.router.static_routes import ParsedRoute, RoutePlan, plan_routes
from ovntwin.compiler.stages import Stage

ROUTING = Stage.LR_IN_IP_ROUTING
ECMP = Stage.LR_IN_IP_ROUTING_ECMP
_MULTIPLIER = 3
_OFS_STATIC = 1
_OFS_CONNECTED = 2


def build_routing(rf: RouterFlows) -> None:
    plan = plan_routes(rf.ctx, rf.dp)
    _routing_pre(rf, plan)
    rf.add(ECMP, 0, "1", rf.drop)
    rf.add(ROUTING, 0, "1", rf.drop)
    rf.add(ECMP, 150, f"{ECMP_GROUP_ID} == 0", "next;")
    rf.add(ROUTING, 10550, "nd_rs || nd_ra", rf.drop)
    for port, nets in router_ports(rf.dp):
        for a4 in nets.ipv4_addrs:
            _add_route(rf, port, a4.addr_s, a4.network_s, a4.plen, "", False, 0, _OFS_CONNECTED)
        for a6 in nets.ipv6_addrs:
            _add_route(rf, port, a6.addr_s, a6.network_s, a6.plen, "", False, 0, _OFS_CONNECTED)
        if nets.ipv4_addrs:  # NAT IPs with add_route behind other routers on the switch
            for out, a in neighbour_nat_routes(rf, port):
                own = nets.ipv4_addrs[0].addr_s
                _add_route(rf, out, own, a.addr_s, 32, "", False, 0, _OFS_CONNECTED)
    for gid, group in enumerate(plan.ecmp_groups, start=1):
        _ecmp_group(rf, gid, group)
    for route in plan.unique:
        _static_route(rf, route)


def _routing_pre(rf: RouterFlows, plan: RoutePlan) -> None:
    rf.add(Stage.LR_IN_IP_ROUTING_PRE, 0, "1", f"{ROUTE_TABLE_ID} = 0; next;")
    for port in rf.dp.ports:
        if port.lrp is None:
            continue
        table = port.lrp.options.get("route_table")
        if table:
            # (sic) northd quotes the raw name here, not the JSON-escaped key.
            rf.add(
                Stage.LR_IN_IP_ROUTING_PRE,
                100,
                f'inport == "{port.name}"',
                f"{ROUTE_TABLE_ID} = {plan.tables[table]}; next;",
            )


def route_match(
    inport: Port | None, table_id: int, network: str, plen: int, is_src: bool, ofs: int
) -> tuple[str, int]:
    """The match and priority of a route (northd's build_route_match)."""
    if is_src:
        ofs = 0
    parts = []
    if inport is not None:
        parts.append(f"inport == {inport.json_name}")
    if table_id or ofs == _OFS_STATIC:
        parts.append(f"{ROUTE_TABLE_ID} == {table_id}")
    family = "4" if "." in network else "6"
    parts.append(f"ip{family}.{'src' if is_src else 'dst'} == {network}/{plen}")
    return " && ".join(parts), plen * _MULTIPLIER + ofs


def _add_route(
    rf: RouterFlows,
    port: Port | None,
    lrp_addr: str,
    network: str,
    plen: int,
    gateway: str,
    is_src: bool,
    table_id: int,
    ofs: int,
    hint: str = "",
) -> None:
    is_v4 = "." in network
    scoped = port if not is_v4 and ipaddress.IPv6Address(network).is_link_local else None
    match, priority = route_match(scoped, table_id, network, plen, is_src, ofs)
    if port is None:
        actions = rf.drop
    else:
        assert port.lrp_networks is not None
        next_hop, src = (NEXT_HOP_V4, SRC_V4) if is_v4 else (NEXT_HOP_V6, SRC_V6)
        gw = gateway or f"ip{'4' if is_v4 else '6'}.dst"
        actions = (
            f"ip.ttl--; {ECMP_GROUP_ID} = 0; {next_hop} = {gw}; {src} = {lrp_addr}; "
            f"eth.src = {port.lrp_networks.ea_s}; outport = {port.json_name}; "
            "flags.loopback = 1; next;"
        )
    rf.add(ROUTING, priority, match, actions, hint or (lrp_uuid(port) if port else ""))


def _static_route(rf: RouterFlows, route: ParsedRoute) -> None:
    ofs = _OFS_CONNECTED if route.origin_connected else _OFS_STATIC
    _add_route(
        rf,
        route.out_port,
        route.lrp_addr or "",
        str(route.prefix.network_address),
        route.prefix.prefixlen,
        route.row.nexthop,
        route.is_src,
        route.table_id,
        ofs,
        route.row.uuid,
    )


def _ecmp_group(rf: RouterFlows, gid: int, group: list[ParsedRoute]) -> None:
    head = group[0]
    ofs = _OFS_CONNECTED if head.origin_connected else _OFS_STATIC
    network = str(head.prefix.network_address)
    match, priority = route_match(
        None, head.table_id, network, head.prefix.prefixlen, head.is_src, ofs
    )
    members = ", ".join(str(i) for i in range(1, len(group) + 1))
    rf.add(
        ROUTING,
        priority,
        match,
        f"ip.ttl--; flags.loopback = 1; {ECMP_GROUP_ID} = {gid}; "
        f"{ECMP_MEMBER_ID} = select({members});",
    )
    build_symmetric_replies(rf, group, match)
    next_hop, src = (NEXT_HOP_V4, SRC_V4) if head.is_v4 else (NEXT_HOP_V6, SRC_V6)
    for mid, route in enumerate(group, start=1):
        port = route.out_port
        if port is None or port.lrp_networks is None:
            continue  # a discard member keeps its id but gets no flow
        rf.add(
            ECMP,
            100,
            f"{ECMP_GROUP_ID} == {gid} && {ECMP_MEMBER_ID} == {mid}",
            f"{next_hop} = {route.row.nexthop}; {src} = {route.lrp_addr}; "
            f"eth.src = {port.lrp_networks.ea_s}; outport = {port.json_name}; next;",
            route.row.uuid,
        )
