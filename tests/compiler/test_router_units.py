"""Router pipeline builders on hand-built northbound rows (no OVN needed)."""

from __future__ import annotations

from collections.abc import Sequence

from ovntwin.compiler.compile import compile_nb
from ovntwin.compiler.datapaths import build_context
from ovntwin.compiler.router.routing import route_match
from ovntwin.compiler.router.static_routes import plan_routes
from ovntwin.model import rows as r
from ovntwin.model.db import NorthboundDB
from ovntwin.southbound.lflow_list import format_lflow_list, select_datapaths


def _router_nb(
    lrps: Sequence[r.LogicalRouterPort],
    routes: Sequence[r.LogicalRouterStaticRoute] = (),
    policies: Sequence[r.LogicalRouterPolicy] = (),
    options: dict[str, str] | None = None,
    vifs: Sequence[tuple[str, str]] = (),
) -> NorthboundDB:
    """Router R1 with `lrps`, each on its own switch; `vifs` = (name, addresses) on sw-0."""
    rows: list[r.Row] = [*lrps, *routes, *policies]
    for i, lrp in enumerate(lrps):
        lsp = r.LogicalSwitchPort(
            uuid=f"lsp-{i}",
            name=f"sw{i}-rp",
            type="router",
            addresses=("router",),
            options={"router-port": lrp.name},
        )
        ports = [lsp.uuid]
        if i == 0:
            for name, addresses in vifs:
                vif = r.LogicalSwitchPort(uuid=f"vif-{name}", name=name, addresses=(addresses,))
                rows.append(vif)
                ports.append(vif.uuid)
        rows += [lsp, r.LogicalSwitch(uuid=f"ls-{i}", name=f"sw{i}", ports=tuple(ports))]
    rows.append(
        r.LogicalRouter(
            uuid="lr-1",
            name="R1",
            ports=tuple(p.uuid for p in lrps),
            static_routes=tuple(x.uuid for x in routes),
            policies=tuple(x.uuid for x in policies),
            options=options or {},
        )
    )
    return NorthboundDB.build(rows)


def _lrp(n: int, *networks: str, **kw: object) -> r.LogicalRouterPort:
    return r.LogicalRouterPort(
        uuid=f"lrp-{n}", name=f"r1-{n}", mac=f"02:00:00:00:00:0{n}", networks=networks, **kw
    )  # type: ignore[arg-type]


def _route(n: int, prefix: str, nexthop: str, **kw: object) -> r.LogicalRouterStaticRoute:
    return r.LogicalRouterStaticRoute(uuid=f"route-{n}", ip_prefix=prefix, nexthop=nexthop, **kw)  # type: ignore[arg-type]


def _listing(nb: NorthboundDB) -> str:
    sb = compile_nb(nb)
    return format_lflow_list(sb, select_datapaths(sb, "R1"))


def test_route_priority_formula() -> None:
    assert route_match(None, 0, "10.0.1.0", 24, False, 2) == ("ip4.dst == 10.0.1.0/24", 74)
    assert route_match(None, 0, "0.0.0.0", 0, False, 1) == ("reg7 == 0 && ip4.dst == 0.0.0.0/0", 1)
    assert route_match(None, 0, "10.0.0.0", 8, True, 1) == ("ip4.src == 10.0.0.0/8", 24)
    assert route_match(None, 2, "10.0.0.0", 8, True, 1) == (
        "reg7 == 2 && ip4.src == 10.0.0.0/8",
        24,
    )


def test_connected_routes_and_link_local_scope() -> None:
    text = _listing(_router_nb([_lrp(1, "10.0.1.1/24", "2001:db8::1/64")]))
    assert "priority=74   , match=(ip4.dst == 10.0.1.0/24)" in text
    assert "priority=194  , match=(ip6.dst == 2001:db8::/64)" in text
    assert 'match=(inport == "r1-1" && ip6.dst == fe80::/64)' in text


def test_ecmp_groups_numbered_by_birth_and_route_tables_by_first_use() -> None:
    nb = _router_nb(
        [_lrp(1, "10.0.1.1/24", options={"route_table": "blue"}), _lrp(2, "10.0.2.1/24")],
        routes=[
            _route(1, "20.0.0.0/8", "10.0.1.254"),
            _route(2, "0.0.0.0/0", "10.0.1.253"),
            _route(3, "0.0.0.0/0", "10.0.2.253"),
            _route(4, "20.0.0.0/8", "10.0.2.254"),
            _route(5, "30.0.0.0/8", "10.0.2.250", route_table="green"),
            _route(6, "40.0.0.0/8", "192.0.2.1"),  # unreachable nexthop: dropped
        ],
    )
    ctx = build_context(nb)
    plan = plan_routes(ctx, ctx.routers[0])
    assert plan.tables == {"blue": 1, "green": 2}
    assert [[x.row.uuid for x in g] for g in plan.ecmp_groups] == [
        ["route-2", "route-3"],
        ["route-1", "route-4"],
    ]
    assert [x.row.uuid for x in plan.unique] == ["route-5"]


def test_disabled_port_admits_and_delivers_nothing() -> None:
    text = _listing(_router_nb([_lrp(1, "10.0.1.1/24", enabled=False), _lrp(2, "10.0.2.1/24")]))
    admission = [line for line in text.splitlines() if "lr_in_admission" in line]
    assert not any('"r1-1"' in line for line in admission)
    assert 'match=(outport == "r1-1")' not in text
    assert 'match=(outport == "r1-2"), action=(output;)' in text
    # Its addresses are still routed to and answered, as northd does.
    assert "ip4.dst == 10.0.1.0/24" in text


def test_vif_addresses_give_static_arp_entries() -> None:
    nb = _router_nb(
        [_lrp(1, "10.0.1.1/24", "2001:db8::1/64")],
        vifs=[
            ("vm1", "02:00:00:00:01:01 10.0.1.11 2001:db8::11"),
            ("vm2", "02:00:00:00:01:02 9.9.9.9"),
        ],
    )
    text = _listing(nb)
    assert (
        'match=(outport == "r1-1" && reg0 == 10.0.1.11), '
        "action=(eth.dst = 02:00:00:00:01:01; next;)" in text
    )
    assert 'match=(outport == "r1-1" && xxreg0 == 2001:db8::11)' in text
    assert "9.9.9.9" not in text  # not on any subnet of the router port


def test_policies_allow_drop_reroute() -> None:
    nb = _router_nb(
        [_lrp(1, "10.0.1.1/24")],
        policies=[
            r.LogicalRouterPolicy(uuid="p1", priority=10, match="ip4", action="drop"),
            r.LogicalRouterPolicy(uuid="p2", priority=20, match="tcp", action="allow"),
            r.LogicalRouterPolicy(
                uuid="p3", priority=30, match="udp", action="reroute", nexthops=("10.0.1.9",)
            ),
        ],
    )
    text = _listing(nb)
    assert "priority=10   , match=(ip4), action=(drop;)" in text
    assert "priority=20   , match=(tcp), action=(reg8[0..15] = 0; next;)" in text
    assert (
        "priority=30   , match=(udp), action=(reg0 = 10.0.1.9; reg1 = 10.0.1.1; "
        'eth.src = 02:00:00:00:00:01; outport = "r1-1"; flags.loopback = 1; '
        "reg8[0..15] = 0; next;)"
    ) in text


def test_always_learn_from_arp_request_false() -> None:
    text = _listing(
        _router_nb([_lrp(1, "10.0.1.1/24")], options={"always_learn_from_arp_request": "false"})
    )
    assert "match=(reg9[2] == 1 || reg9[3] == 0), action=(next;)" in text
    assert (
        'match=(inport == "r1-1" && arp.spa == 10.0.1.0/24 && arp.tpa == 10.0.1.1 && arp.op == 1)'
        in text
    )
