"""ARP / ND for NAT external addresses, and the lr_in_arp_resolve flows of NAT IPs.

| stage             | prio | flow                                                  | why
|-------------------|------|-------------------------------------------------------|---------------
| lr_in_ip_input    | 90   | arp/ns for an external IP (any port): inport MAC      | every router
| lr_in_ip_input    | 92   | on its DGP && resident: reply (FIP: external_mac)     | one chassis
| lr_in_ip_input    | 91   | on its DGP: drop                                      | others quiet
| lr_in_arp_resolve | 150  | DGP in == out && dst == external_ip: drop             | NAT failed
| lr_in_arp_resolve | 100  | out == DGP && next hop == external_ip: eth.dst        | E/W via NAT
| lr_in_arp_resolve | 90   | bridged FIP: src == logical_ip: get_arp / get_nd      | real MAC

One flow per external IP: snat rows count once per distinct SNAT IP (the first row),
and the arp_resolve pair is added for the first rule with a given external_ip.
"""

from __future__ import annotations

from ovntwin.compiler.addresses import IPv4NetAddr, IPv6NetAddr, normalize_mac
from ovntwin.compiler.context import Port
from ovntwin.compiler.router.common import (
    INPORT_ETH_ADDR,
    NEXT_HOP_V4,
    NEXT_HOP_V6,
    RouterFlows,
    arp_reply_actions,
)
from ovntwin.compiler.router.nat import (
    ArpNat,
    RouterNat,
    cr_json,
    is_nat_gateway_port,
    routable_nat_addresses,
)
from ovntwin.compiler.stages import Stage

IP_INPUT = Stage.LR_IN_IP_INPUT


def build_nat_arp(rf: RouterFlows, nat: RouterNat) -> None:
    """Responders (every router with NAT rows) and, when NAT is active, arp_resolve."""
    for entry in nat.arp_rules:
        _responder(rf, entry, None, INPORT_ETH_ADDR, "", 90)
    for port in nat.dgps:
        for entry in nat.arp_rules:
            if is_nat_gateway_port(entry.row, port, len(nat.dgps)):
                _dgp_responders(rf, port, entry)
    if nat.active and not nat.is_gw_router:
        _arp_resolve(rf, nat)


def _dgp_responders(rf: RouterFlows, port: Port, entry: ArpNat) -> None:
    row = entry.row
    fip_mac = row.external_mac if row.external_mac and row.logical_port else None
    if fip_mac is not None and normalize_mac(fip_mac) is not None:
        # A floating IP answers from the chassis of its logical port.
        mac, gate = fip_mac, f'is_chassis_resident("{row.logical_port}")'
    else:
        mac, gate = INPORT_ETH_ADDR, f"is_chassis_resident({cr_json(port)})"
    _responder(rf, entry, port, mac, gate, 92)
    _responder(rf, entry, port, mac, "", 91, drop=True)


def _responder(
    rf: RouterFlows,
    entry: ArpNat,
    port: Port | None,
    mac: str,
    extra: str,
    prio: int,
    drop: bool = False,
) -> None:
    prefix = f"inport == {port.json_name} && " if port is not None else ""
    suffix = f" && {extra}" if extra else ""
    addr = entry.addr
    if isinstance(addr, IPv6NetAddr):
        match = (
            f"{prefix}ip6.dst == {{{addr.addr_s}, {addr.sn_addr_s}}} && nd_ns"
            f" && nd.target == {addr.addr_s}{suffix}"
        )
        action = (
            f"nd_na {{ eth.src = {mac}; ip6.src = nd.target; nd.tll = {mac}; "
            "outport = inport; flags.loopback = 1; output; };"
        )
    else:
        match = f"{prefix}arp.op == 1 && arp.tpa == {addr.addr_s}{suffix}"
        action = arp_reply_actions(mac)
    rf.add(IP_INPUT, prio, match, rf.drop if drop else action, entry.row.uuid)


def _arp_resolve(rf: RouterFlows, nat: RouterNat) -> None:
    seen: set[str] = set()
    bridged = redirect_bridged(rf)
    for rule in nat.rules:
        if rule.external_ip in seen:
            continue
        seen.add(rule.external_ip)
        dgp, fam, hint = rule.dgp_json, rule.fam, rule.row.uuid
        assert rule.gw_port is not None and rule.gw_port.lrp_networks is not None
        # Still addressed to the NAT IP after unSNAT/DNAT on the way in: drop, no loop.
        match = f"inport == {dgp} && outport == {dgp} && ip{fam}.dst == {rule.external_ip}"
        rf.add(Stage.LR_IN_ARP_RESOLVE, 150, match, rf.drop, hint)
        hop = NEXT_HOP_V6 if rule.is_v6 else NEXT_HOP_V4
        mac = rule.row.external_mac if rule.distributed else rule.gw_port.lrp_networks.ea_s
        rf.add(
            Stage.LR_IN_ARP_RESOLVE,
            100,
            f"outport == {dgp} && {hop} == {rule.external_ip}",
            f"eth.dst = {mac}; next;",
            hint,
        )
        if bridged and rule.distributed:
            first = nat.dgps[0].json_name  # (sic) northd uses the first DGP here
            match = (
                f"outport == {first} && ip{fam}.src == {rule.logical_ip}"
                f' && is_chassis_resident("{rule.row.logical_port}")'
            )
            lookup = "get_nd" if rule.is_v6 else "get_arp"
            rf.add(Stage.LR_IN_ARP_RESOLVE, 90, match, f"{lookup}(outport, {hop}); next;", hint)


def redirect_bridged(rf: RouterFlows) -> bool:
    """Any port of the router with options:redirect-type=bridged (case-insensitive)."""
    return any(
        p.lrp is not None
        and p.lrp_networks is not None
        and (p.lrp.options.get("redirect-type") or "").lower() == "bridged"
        for p in rf.dp.ports
    )


def neighbour_nat_routes(rf: RouterFlows, port: Port) -> list[tuple[Port, IPv4NetAddr]]:
    """(out port, /32) for NAT IPs with add_route behind other routers on `port`'s switch."""
    peer = port.peer
    if peer is None or peer.lsp is None:
        return []
    out: list[tuple[Port, IPv4NetAddr]] = []
    for lsp in peer.datapath.router_ports:
        other = lsp.peer
        if other is None or other is port or other.lrp is None:
            continue
        for entry in routable_nat_addresses(rf.ctx.nb, other):
            out.extend((port, a) for a in entry.ipv4_addrs)
    return out


def neighbour_nat_bindings(rf: RouterFlows, port: Port, other: Port) -> None:
    """lr_in_arp_resolve for the routable NAT IPs of router port `other` (same switch).

    northd adds these only on gateway routers and on distributed gateway ports.
    """
    if not (rf.dp.is_gw_router or port.is_l3dgw):
        return
    for entry in routable_nat_addresses(rf.ctx.nb, other):
        ips = ", ".join(a.addr_s for a in entry.ipv4_addrs)
        rf.add(
            Stage.LR_IN_ARP_RESOLVE,
            100,
            f"outport == {port.json_name} && {NEXT_HOP_V4} == {{{ips}}}",
            f"eth.dst = {entry.ea_s}; next;",
        )
