"""Routers -> Logical_Router `neutron-<id>`, `lrp-<port>` ports, gateway chassis, NAT."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ovntwin.model import rows as r
from ovntwin.model.runtime import Chassis
from ovntwin.neutron.ml2ovn import names as n
from ovntwin.neutron.ml2ovn import scheduler
from ovntwin.neutron.ml2ovn.port import cidrs
from ovntwin.neutron.resources import FloatingIP, NeutronState, Port, Router

_PHYSICAL = ("flat", "vlan")


@dataclass(frozen=True, slots=True)
class RouterRows:
    router: r.LogicalRouter
    rows: tuple[r.Row, ...]  # ports, routes, NAT and Gateway_Chassis rows it references


def gateway_port(state: NeutronState, router: Router) -> Port | None:
    if router.external_gateway_info is None:
        return None
    gws = state.router_ports(router.id, n.ROUTER_GATEWAY)
    return gws[0] if gws else None


def router_rows(
    state: NeutronState,
    router: Router,
    chassis: Sequence[Chassis],
    load: dict[tuple[str, int], int],
    scheduled: Mapping[str, Sequence[tuple[str, int]]] | None = None,
) -> RouterRows:
    interfaces = state.router_ports(router.id, n.ROUTER_INTERFACE)
    ports: list[r.Row] = [_lrp(state, router, p, gw=False) for p in interfaces]
    rows: list[r.Row] = []
    gw = gateway_port(state, router)
    if gw is not None:
        kept = (scheduled or {}).get(gw.id, ())
        gw_rows = _gateway(state, router, gw, interfaces, chassis, load, kept)
        ports.append(gw_rows[0])
        rows.extend(gw_rows[1:])
    rows.extend(_extra_routes(router))
    nat = [*_snat(state, router, gw, interfaces), *_fips(state, router, gw)]
    lr = r.LogicalRouter(
        uuid=router.id, name=n.lr(router.id), enabled=router.admin_state_up,
        ports=tuple(p.uuid for p in ports),
        static_routes=tuple(x.uuid for x in rows if isinstance(x, r.LogicalRouterStaticRoute)),
        nat=tuple(x.uuid for x in nat),
        options={"always_learn_from_arp_request": "false", "dynamic_neigh_routers": "true",
                 "mac_binding_age_threshold": "0"},
        external_ids={n.ROUTER_NAME: router.name or "no_router_name",
                      n.REVISION: str(router.revision_number),
                      n.AZ_HINTS: ",".join(router.availability_zone_hints)},
    )  # fmt: skip
    return RouterRows(lr, (*ports, *rows, *nat))


def _lrp(state: NeutronState, router: Router, port: Port, gw: bool) -> r.LogicalRouterPort:
    net = state.network(port.network_id)
    options: dict[str, str] = {}
    if not gw and net is not None and net.network_type in _PHYSICAL:
        # VLAN/flat tenant networks are reached through the gateway chassis (no tunnels).
        options["reside-on-redirect-chassis"] = "true"
    return r.LogicalRouterPort(
        uuid=n.row_uuid("Logical_Router_Port", port.id), name=n.lrp(port.id),
        mac=port.mac_address, networks=tuple(cidrs(state, port)), enabled=port.admin_state_up,
        options=options,
        external_ids={n.REVISION: str(port.revision_number),
                      n.SUBNET_IDS: " ".join(f.subnet_id for f in port.fixed_ips),
                      n.NETWORK_NAME: n.ls(port.network_id), n.IS_EXT_GW: str(gw),
                      n.ROUTER_NAME: n.lr(router.id)},
    )  # fmt: skip


def _gateway(
    state: NeutronState, router: Router, gw: Port, interfaces: list[Port],
    chassis: Sequence[Chassis], load: dict[tuple[str, int], int],
    kept: Sequence[tuple[str, int]] = (),
) -> list[r.Row]:  # fmt: skip
    ext_net = state.network(gw.network_id)
    cands = scheduler.candidates(chassis, ext_net.physical_network if ext_net else None)
    names = {ch.name for ch in cands}
    # an earlier schedule stays while its chassis still qualify (neutron never reshuffles)
    chosen = [x for x in kept if x[0] in names]
    if not chosen:  # kept schedules are already in `load` (northbound._kept_load)
        chosen = scheduler.schedule(cands, load)
        for key in chosen:
            load[key] = load.get(key, 0) + 1
    gcs = [
        r.GatewayChassis(uuid=n.row_uuid("Gateway_Chassis", gw.id, name),
                         name=n.gateway_chassis(gw.id, name), chassis_name=name, priority=prio)
        for name, prio in chosen
    ]  # fmt: skip
    lrp = _lrp(state, router, gw, gw=True)
    mtus = [x.mtu for p in (gw, *interfaces) if (x := state.network(p.network_id)) is not None]
    # gateway_mtu: neutron with ovn_emit_need_to_frag, the lowest MTU behind the router.
    lrp = _replace_lrp(lrp, gcs, {"gateway_mtu": str(min(mtus))} if mtus else {})
    return [lrp, *gcs, *_default_routes(state, gw)]


def _replace_lrp(
    lrp: r.LogicalRouterPort, gcs: list[r.GatewayChassis], options: dict[str, str]
) -> r.LogicalRouterPort:
    return r.LogicalRouterPort(
        uuid=lrp.uuid, name=lrp.name, mac=lrp.mac, networks=lrp.networks, enabled=lrp.enabled,
        gateway_chassis=tuple(g.uuid for g in gcs), options={**lrp.options, **options},
        external_ids=lrp.external_ids,
    )  # fmt: skip


def _default_routes(state: NeutronState, gw: Port) -> list[r.LogicalRouterStaticRoute]:
    out = []
    for fip in gw.fixed_ips:
        subnet = state.subnet(fip.subnet_id)
        if subnet is None or not subnet.gateway_ip:
            continue
        prefix = "::/0" if subnet.ip_version == 6 else "0.0.0.0/0"
        out.append(r.LogicalRouterStaticRoute(
            uuid=n.row_uuid("Logical_Router_Static_Route", gw.id, prefix), ip_prefix=prefix,
            nexthop=subnet.gateway_ip,
            external_ids={n.IS_EXT_GW: "true", "neutron:subnet_id": subnet.id},
        ))  # fmt: skip
    return out


def _extra_routes(router: Router) -> list[r.LogicalRouterStaticRoute]:
    return [
        r.LogicalRouterStaticRoute(
            uuid=n.row_uuid("Logical_Router_Static_Route", router.id, x.destination, x.nexthop),
            ip_prefix=x.destination, nexthop=x.nexthop)
        for x in router.routes
    ]  # fmt: skip


def _snat(
    state: NeutronState, router: Router, gw: Port | None, interfaces: list[Port]
) -> list[r.NAT]:
    """One snat row per internal IPv4 subnet per gateway IPv4 (ovn_router_indirect_snat off,
    neutron's behaviour in the OVN 23.03 era)."""
    info = router.external_gateway_info
    if gw is None or info is None or not info.enable_snat:
        return []
    gw_ips = [f.ip_address for f in gw.fixed_ips if ipaddress.ip_address(f.ip_address).version == 4]
    subnets = [s for p in interfaces for f in p.fixed_ips
               if (s := state.subnet(f.subnet_id)) is not None and s.ip_version == 4]  # fmt: skip
    return [
        r.NAT(uuid=n.row_uuid("NAT", router.id, "snat", ext, s.cidr), type="snat",
              external_ip=ext, logical_ip=s.cidr)
        for ext in gw_ips for s in subnets
    ]  # fmt: skip


def _fips(state: NeutronState, router: Router, gw: Port | None) -> list[r.NAT]:
    return [_fip_nat(state, router, f) for f in state.floatingips
            if f.router_id == router.id and f.port_id and f.fixed_ip_address and gw]  # fmt: skip


def _fip_nat(state: NeutronState, router: Router, fip: FloatingIP) -> r.NAT:
    assert fip.fixed_ip_address is not None
    own = state.port(fip.floating_port_id)
    return r.NAT(
        uuid=n.row_uuid("NAT", fip.id), type="dnat_and_snat", external_ip=fip.floating_ip_address,
        logical_ip=fip.fixed_ip_address, logical_port=fip.port_id,
        options={"stateless": "false"},
        external_ids={n.FIP_ID: fip.id, n.REVISION: str(fip.revision_number),
                      n.FIP_PORT_ID: fip.port_id or "", n.ROUTER_NAME: n.lr(router.id),
                      n.FIP_EXTERNAL_MAC: own.mac_address if own else "",
                      n.FIP_NETWORK_ID: fip.floating_network_id},
    )  # fmt: skip
