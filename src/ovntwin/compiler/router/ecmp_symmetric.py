"""Symmetric ECMP replies (static routes with options:ecmp_symmetric_reply=true).

Only on gateway routers (northd ignores the option on distributed routers, DGP or
not). For each ECMP group member with the option, once per output port:

| stage               | prio  | flow                                              | why
|---------------------|-------|---------------------------------------------------|------------------
| lr_in_defrag        | 100   | from the port, src in prefix: chk_ecmp_nh_mac     | track arrivals
| lr_in_defrag        | 100   | the group's route match: chk_ecmp_nh              | track departures
| lr_in_ecmp_stateful | 100   | new (or est., nexthop unknown) tcp/udp/sctp:      | remember where
|                     |       | ct_commit source MAC + port, commit_ecmp_nh       | the flow is from
| lr_in_ip_routing    | 10300 | replies of such flows: back out of that port      | no ECMP select
| lr_in_policy        | 65535 | replies of such flows: next                       | skip policies
| lr_in_arp_resolve   | 200   | replies of such flows: eth.dst from ct_label      | remembered MAC

The port is identified by its tunnel key in conntrack (ct_mark, or ct_label on
chassis without ct-no-masked-label support).
"""

from __future__ import annotations

from collections.abc import Sequence

from ovntwin.compiler.context import Port
from ovntwin.compiler.router.common import RouterFlows, smap_bool
from ovntwin.compiler.router.static_routes import ParsedRoute
from ovntwin.compiler.stages import Stage

KNOWN_ECMP_NH = "reg9[5]"
_ECMP_ETH_FULL = "xxreg1"
_ECMP_ETH_FIELD = "xxreg1[32..79]"
_PROTOCOLS = ("tcp", "udp", "sctp")


def build_symmetric_replies(
    rf: RouterFlows, group: Sequence[ParsedRoute], route_match: str
) -> None:
    """Flows for the members of one ECMP group that ask for symmetric replies."""
    if not rf.dp.is_gw_router:
        return
    seen: set[str] = set()
    for route in group:
        port = route.out_port
        if port is None or port.lrp_networks is None or route.lrp_addr is None:
            continue
        if not smap_bool(route.row.options.get("ecmp_symmetric_reply"), False):
            continue
        if port.name in seen:
            continue
        seen.add(port.name)
        _port_flows(rf, route, port, route.lrp_addr, route_match)


def _prefix_text(route: ParsedRoute) -> str:
    """northd's normalize_v46_prefix: no /32 or /128 suffix on host routes."""
    prefix = route.prefix
    if prefix.prefixlen == prefix.max_prefixlen:
        return str(prefix.network_address)
    return str(prefix)


def _port_flows(
    rf: RouterFlows, route: ParsedRoute, port: Port, port_ip: str, route_match: str
) -> None:
    assert port.lrp_networks is not None
    hint = route.row.uuid
    family = "4" if route.is_v4 else "6"
    direction = "dst" if route.is_src else "src"
    base = f"inport == {port.json_name} && ip{family}.{direction} == {_prefix_text(route)}"
    reply_port = (
        "ct_mark.ecmp_reply_port"
        if rf.ctx.feature("ct-no-masked-label")
        else "ct_label.ecmp_reply_port"
    )
    key = port.sb.tunnel_key
    rf.add(Stage.LR_IN_DEFRAG, 100, base, f"{KNOWN_ECMP_NH} = chk_ecmp_nh_mac(); ct_next;", hint)
    rf.add(Stage.LR_IN_DEFRAG, 100, route_match, f"{KNOWN_ECMP_NH} = chk_ecmp_nh(); ct_next;", hint)
    ipv6 = "false" if route.is_v4 else "true"
    for state in (
        "(ct.new && !ct.est) && {proto}",
        f"(!ct.rpl && ct.est) && {{proto}} && {KNOWN_ECMP_NH} == 0",
    ):
        for proto in _PROTOCOLS:
            rf.add(
                Stage.LR_IN_ECMP_STATEFUL,
                100,
                f"{base} && {state.format(proto=proto)}",
                # (sic) two spaces after "eth.src;" in northd's text.
                f"ct_commit {{ ct_label.ecmp_reply_eth = eth.src;  {reply_port} = {key};}}; "
                f"commit_ecmp_nh(ipv6 = {ipv6}, proto = {proto}); next;",
                hint,
            )
    reply = f"ct.rpl && {KNOWN_ECMP_NH} == 1 && {reply_port} == {key}"
    src_reg = "reg1" if route.is_v4 else "xxreg1"
    rf.add(
        Stage.LR_IN_IP_ROUTING,
        10300,  # above every route (the longest IPv6 prefix gets 128 * 3 + 2)
        f"{reply} && {route_match}",
        f"ip.ttl--; flags.loopback = 1; eth.src = {port.lrp_networks.ea_s}; "
        f"{src_reg} = {port_ip}; outport = {port.json_name}; next;",
        hint,
    )
    rf.add(Stage.LR_IN_POLICY, 65535, reply, "next;", hint)  # replies skip policies
    rf.add(
        Stage.LR_IN_ARP_RESOLVE,
        200,  # above NB-known neighbours: the reply goes to whoever sent the flow
        reply,
        f"push({_ECMP_ETH_FULL}); {_ECMP_ETH_FULL} = ct_label; eth.dst = {_ECMP_ETH_FIELD}; "
        f"pop({_ECMP_ETH_FULL}); next;",
        hint,
    )
