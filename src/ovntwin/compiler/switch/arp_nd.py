"""ARP/ND responder: ls_in_arp_rsp.

The switch answers ARP requests and neighbour solicitations for addresses its ports
own, so they need not be flooded.

| prio | why                                                                  |
|------|----------------------------------------------------------------------|
| 100  | requests arriving on a localnet port: the owner answers, not us       |
| 100  | a port asking for its own address (DAD, DHCP conflict check): forward |
| 100  | virtual port: bind it on GARP / reply / NS / NA from a virtual parent |
| 50   | ARP request / NS for a known address: reply from the switch           |
| 50   | arp_proxy addresses of a router port: reply with the router MAC       |
| 0    | pass                                                                 |
"""

from __future__ import annotations

import ipaddress

from ovntwin.compiler.addresses import IPv6NetAddr, LportAddresses, parse_lsp_addresses
from ovntwin.compiler.context import CompileContext, Datapath, Port
from ovntwin.compiler.lflow import LflowTable
from ovntwin.compiler.router.common import arp_reply_actions
from ovntwin.compiler.stages import Stage
from ovntwin.compiler.switch.facts import SwitchFacts, lsp_is_up

STAGE = Stage.LS_IN_ARP_ND_RSP


def build_arp_nd_default(dp: Datapath, lflows: LflowTable) -> None:
    lflows.add(dp.uuid, STAGE, 0, "1", "next;")


def build_port_arp_nd(
    ctx: CompileContext, port: Port, facts: SwitchFacts, lflows: LflowTable
) -> None:
    if port.lsp is None:
        return
    dp = port.datapath.uuid
    if port.lsp_type == "localnet":
        lflows.add(dp, STAGE, 100, f"inport == {port.json_name}", "next;")
    if port.lsp_type == "virtual":
        _virtual_port(ctx, port, lflows)
    elif _answers_for(ctx, port, facts):
        for addrs in port.lsp_addrs:
            _known_addresses(port, addrs, lflows)
    if port.peer is not None:
        _arp_proxy(port, lflows)


def _answers_for(ctx: CompileContext, port: Port, facts: SwitchFacts) -> bool:
    if (
        facts.check_lsp_is_up
        and not lsp_is_up(port, ctx)
        and port.lsp_type not in ("router", "localport")
    ):
        return False
    return not (port.lsp_type == "external" or port.has_unknown or facts.vlan_transparent)


def _reply_to_self(port: Port, match: str, lflows: LflowTable) -> None:
    """Let a port's own request for its address through instead of answering it."""
    lflows.add(port.datapath.uuid, STAGE, 100, f"{match} && inport == {port.json_name}", "next;")


def _known_addresses(port: Port, addrs: LportAddresses, lflows: LflowTable) -> None:
    dp, mac = port.datapath.uuid, addrs.ea_s
    for v4 in addrs.ipv4_addrs:
        match = f"arp.tpa == {v4.addr_s} && arp.op == 1"
        actions = (
            f"eth.dst = eth.src; eth.src = {mac}; arp.op = 2; /* ARP reply */ "
            f"arp.tha = arp.sha; arp.sha = {mac}; arp.tpa = arp.spa; arp.spa = {v4.addr_s}; "
            "outport = inport; flags.loopback = 1; output;"
        )
        lflows.add(dp, STAGE, 50, match, actions)
        _reply_to_self(port, match, lflows)
    na = "nd_na_router" if port.lsp_type == "router" else "nd_na"
    for v6 in addrs.ipv6_addrs:
        match = f"nd_ns && ip6.dst == {{{v6.addr_s}, {v6.sn_addr_s}}} && nd.target == {v6.addr_s}"
        actions = (
            f"{na} {{ eth.src = {mac}; ip6.src = {v6.addr_s}; nd.target = {v6.addr_s}; "
            f"nd.tll = {mac}; outport = inport; flags.loopback = 1; output; }};"
        )
        lflows.add(dp, STAGE, 50, match, actions)
        _reply_to_self(port, match, lflows)


def _virtual_port(ctx: CompileContext, port: Port, lflows: LflowTable) -> None:
    assert port.lsp is not None
    vip = port.lsp.options.get("virtual-ip")
    parents = port.lsp.options.get("virtual-parents")
    if not vip or not parents:
        return
    try:
        addr = ipaddress.ip_address(vip)
    except ValueError:
        return
    for parent in parents.split(","):
        vp = ctx.ports.get(parent)
        if vp is None or vp.datapath is not port.datapath:
            continue
        if isinstance(addr, ipaddress.IPv4Address):
            match = (
                f'inport == "{parent}" && ((arp.op == 1 && arp.spa == {vip} && '
                f"arp.tpa == {vip}) || (arp.op == 2 && arp.spa == {vip}))"
            )
        else:
            sn = IPv6NetAddr(addr, 128).sn_addr_s
            match = (
                f'inport == "{parent}" && ((nd_ns && ip6.dst == {{{vip}, {sn}}} && '
                f"nd.target == {vip}) ||(nd_na && nd.target == {vip}))"
            )
        actions = f"bind_vport({port.json_name}, inport); next;"
        lflows.add(port.datapath.uuid, STAGE, 100, match, actions)


def _arp_proxy(port: Port, lflows: LflowTable) -> None:
    assert port.lsp is not None and port.peer is not None
    proxy = port.lsp.options.get("arp_proxy")
    router = port.peer.lrp_networks
    if not proxy or router is None:
        return
    # arp_proxy is a list of IPs; reuse the address parser with a placeholder MAC.
    parsed = parse_lsp_addresses("00:00:00:00:00:00 " + proxy.replace(",", " "))
    if parsed is None or not parsed.ipv4_addrs:
        return
    ips = ",".join(a.addr_s for a in parsed.ipv4_addrs)
    mac = router.ea_s
    actions = arp_reply_actions(mac)
    lflows.add(port.datapath.uuid, STAGE, 50, f"arp.op == 1 && arp.tpa == {{{ips}}}", actions)
