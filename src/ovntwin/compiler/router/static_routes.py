"""Logical_Router_Static_Route rows as northd accepts them, grouped for ECMP.

A route is kept only when its prefix parses, its nexthop is a host address of the
same family (or "discard"), and an output port is found (output_port, else the
first router port whose subnet holds the nexthop). Route table ids are handed out
1, 2, ... in order of first use: router ports' options:route_table first, then
the kept routes. Routes sharing (prefix, plen, policy, route table) form an ECMP
group; groups are numbered in the order they come into being.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from ovntwin.compiler.context import CompileContext, Datapath, Port
from ovntwin.compiler.router.common import member_ip, router_ports
from ovntwin.model import rows as r

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class ParsedRoute:
    row: r.LogicalRouterStaticRoute
    prefix: IPNetwork  # host bits cleared
    is_src: bool
    table_id: int
    out_port: Port | None  # None only for discard routes
    lrp_addr: str | None  # the out port's address facing the nexthop

    @property
    def is_discard(self) -> bool:
        return self.row.nexthop == "discard"

    @property
    def is_v4(self) -> bool:
        return self.prefix.version == 4

    @property
    def key(self) -> tuple[IPNetwork, bool, int]:
        return (self.prefix, self.is_src, self.table_id)

    @property
    def origin_connected(self) -> bool:
        return self.row.options.get("origin", "") == "connected"


@dataclass
class RouteTables:
    """Route table name -> id, in order of first use (0 = the main table)."""

    ids: dict[str, int] = field(default_factory=dict)

    def id_of(self, name: str | None) -> int:
        if not name:
            return 0
        if name not in self.ids:
            self.ids[name] = len(self.ids) + 1
        return self.ids[name]


def parse_cidr(text: str) -> IPNetwork | None:
    """An address with an optional /plen (host bits allowed and cleared)."""
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def find_out_port(
    ctx: CompileContext, dp: Datapath, row: r.LogicalRouterStaticRoute, is_v4: bool
) -> tuple[Port, str] | None:
    """The route's output port and the port address it leaves from (northd's rules)."""
    if row.output_port:
        port = ctx.ports.get(row.output_port)
        if port is None:
            return None
        nets = port.lrp_networks
        addr = member_ip(nets, row.nexthop) if nets is not None and row.nexthop else None
        if addr is None and nets is not None:
            # The nexthop is on no port subnet: leave from the port's first address.
            first = nets.ipv4_addrs if is_v4 else nets.ipv6_addrs
            addr = first[0].addr_s if first else None
        return (port, addr) if addr is not None else None
    for port, nets in router_ports(dp):
        addr = member_ip(nets, row.nexthop) if row.nexthop else None
        if addr is not None:
            return port, addr
    return None


def _parse(
    ctx: CompileContext, dp: Datapath, row: r.LogicalRouterStaticRoute, tables: RouteTables
) -> ParsedRoute | None:
    discard = row.nexthop == "discard"
    prefix = parse_cidr(row.ip_prefix)
    if prefix is None:
        return None
    if row.nexthop and not discard:
        nexthop = parse_cidr(row.nexthop)
        if nexthop is None or nexthop.prefixlen != nexthop.max_prefixlen:
            return None
        if nexthop.version != prefix.version:
            return None
    found = None
    if not discard:
        found = find_out_port(ctx, dp, row, prefix.version == 4)
        if found is None:
            return None
    return ParsedRoute(
        row=row,
        prefix=prefix,
        is_src=row.policy == "src-ip",
        table_id=tables.id_of(row.route_table),
        out_port=found[0] if found else None,
        lrp_addr=found[1] if found else None,
    )


@dataclass(frozen=True)
class RoutePlan:
    """What the routing stages need: table ids, single routes and ECMP groups."""

    tables: dict[str, int]
    unique: list[ParsedRoute]
    ecmp_groups: list[list[ParsedRoute]]  # index + 1 = group id; member id = index + 1


def plan_routes(ctx: CompileContext, dp: Datapath) -> RoutePlan:
    assert dp.lr is not None
    tables = RouteTables()
    for port in dp.ports:
        if port.lrp is not None:
            tables.id_of(port.lrp.options.get("route_table"))
    groups: dict[tuple[IPNetwork, bool, int], list[ParsedRoute]] = {}
    born: list[tuple[IPNetwork, bool, int]] = []  # ECMP groups, in order of their 2nd route
    for row in ctx.nb.resolve(r.LogicalRouterStaticRoute, dp.lr.static_routes):
        route = _parse(ctx, dp, row, tables)
        if route is None:
            continue
        members = groups.setdefault(route.key, [])
        members.append(route)
        if len(members) == 2:
            born.append(route.key)
    unique = [g[0] for g in groups.values() if len(g) == 1]
    return RoutePlan(dict(tables.ids), unique, [groups[k] for k in born])
