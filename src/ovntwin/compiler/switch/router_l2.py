"""ls_in_l2_lkup flows a router-type switch port brings: ARP/ND steering and router MACs.

| prio | match                                            | why                                   |
|------|--------------------------------------------------|---------------------------------------|
| 80   | ARP request / NS for a router IP or NAT ext. IP  | only that router answers (+ L2 flood) |
| 75   | eth.src in {router MAC, NAT external_macs} && ARP | the router's own requests still flood |
| 50   | eth.dst == router MAC [&& resident(cr-port)]     | a DGP's MAC lives on its gateway      |
| 50   | eth.dst == FIP external_mac && resident(lport)   | a distributed FIP lives with its VM   |
"""

from __future__ import annotations

from ovntwin.compiler.addresses import normalize_mac
from ovntwin.compiler.context import CompileContext, Port
from ovntwin.compiler.lflow import LflowTable
from ovntwin.compiler.stages import Stage
from ovntwin.compiler.switch.facts import MC_FLOOD_L2, NOT_VXLAN
from ovntwin.compiler.switch.hash_order import sset_order
from ovntwin.compiler.switch.router_peer import (
    cr_json,
    gateway_ports,
    is_gateway_port,
    router_nats,
    valid_nat_entries,
)

STAGE = Stage.LS_IN_L2_LKUP
ARP_STEER_PRIO = 80  # above the 70 broadcast flood
SELF_ORIG_PRIO = 75  # between the steering flows and the broadcast flood
UNICAST_PRIO = 50


def build_router_arp_steering(ctx: CompileContext, sw_port: Port, lflows: LflowTable) -> None:
    """ARP requests / NS for addresses the peer router owns go to the router (prio 80)."""
    lrp = sw_port.peer
    if lrp is None or lrp.lrp is None or not lrp.enabled or lrp.lrp_networks is None:
        return
    dp = sw_port.datapath
    only_routers = len(dp.router_ports) == len(dp.ports)
    if only_routers:
        actions = f"outport = {sw_port.json_name}; output;"
    else:
        actions = (
            f'clone {{outport = {sw_port.json_name}; output; }}; outport = "{MC_FLOOD_L2}"; output;'
        )
    targets: list[tuple[str, bool]] = []  # (address text, is IPv6)
    entries = valid_nat_entries(ctx, lrp.datapath)
    targets += [(e.nat.external_ip, e.is_v6) for e in entries if e.nat.type != "snat"]
    nets = lrp.lrp_networks
    targets += [(v4.addr_s, False) for v4 in nets.ipv4_addrs]
    targets += [(v6.addr_s, True) for v6 in nets.ipv6_addrs]
    for text, is_v6 in targets:
        match = f"nd_ns && nd.target == {text}" if is_v6 else f"arp.op == 1 && arp.tpa == {text}"
        lflows.add(dp.uuid, STAGE, ARP_STEER_PRIO, f"{NOT_VXLAN} && {match}", actions)
    if not only_routers:
        _self_originated(ctx, sw_port, lrp, lflows)


def _self_originated(ctx: CompileContext, sw_port: Port, lrp: Port, lflows: LflowTable) -> None:
    """The router's own ARP/RARP/NS (from its MAC or a NAT external_mac) flood at L2."""
    assert lrp.lrp_networks is not None
    macs = [lrp.lrp_networks.ea_s]
    for entry in valid_nat_entries(ctx, lrp.datapath):
        if entry.nat.type != "snat" and entry.nat.external_mac:
            macs.append(entry.nat.external_mac)
    # northd walks a hash set of MAC strings: reproduce its order.
    match = (
        f"eth.src == {{{', '.join(sset_order(macs))}}} && (arp.op == 1 || rarp.op == 3 || nd_ns)"
    )
    dp = sw_port.datapath
    lflows.add(dp.uuid, STAGE, SELF_ORIG_PRIO, match, f'outport = "{MC_FLOOD_L2}"; output;')


def router_mac_residence(port: Port) -> str:
    """` && is_chassis_resident(cr)` for the router MAC on a bridged switch, or ""."""
    peer = port.peer
    if peer is None or peer.lrp is None or not port.datapath.localnet_ports:
        return ""
    gateways = gateway_ports(peer.datapath)
    if not gateways:
        return ""
    if is_gateway_port(peer):
        return f" && is_chassis_resident({cr_json(peer)})"
    resides = peer.lrp.options.get("reside-on-redirect-chassis", "").lower() == "true"
    if resides and len(gateways) == 1:  # northd ignores the option with several DGPs
        return f" && is_chassis_resident({cr_json(gateways[0])})"
    return ""


def build_fip_macs(ctx: CompileContext, port: Port, deliver: str, lflows: LflowTable) -> None:
    """Distributed floating IPs' MACs, behind a gateway port: deliver where the VM is."""
    peer = port.peer
    if peer is None or not is_gateway_port(peer):
        return
    for nat in router_nats(ctx, peer.datapath):
        if nat.type != "dnat_and_snat" or not nat.logical_port or not nat.external_mac:
            continue
        mac = normalize_mac(nat.external_mac)
        if mac is None:
            continue
        match = f'eth.dst == {mac} && is_chassis_resident("{nat.logical_port}")'
        lflows.add(port.datapath.uuid, STAGE, UNICAST_PRIO, match, deliver)
