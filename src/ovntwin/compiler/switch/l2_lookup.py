"""Destination lookup: ls_in_l2_lkup and ls_in_l2_unknown.

| stage      | prio | why                                                            |
|------------|------|----------------------------------------------------------------|
| l2_lkup    | 110  | service monitor replies go to ovn-controller                   |
| l2_lkup    | 100  | IGMP / MLD to ovn-controller (mcast_snoop)                     |
| l2_lkup    | 85   | reserved IP multicast groups are flooded (mcast_snoop)         |
| l2_lkup    | 80   | ARP/NS for a router-owned IP: only to that router (router_l2)  |
| l2_lkup    | 80   | unregistered IP multicast: relay / static / drop (mcast_snoop) |
| l2_lkup    | 75   | ARP/NS/RARP a router sends itself: flood at L2 (router_l2)     |
| l2_lkup    | 70   | broadcast and multicast: flood                                 |
| l2_lkup    | 50   | a port's own MAC: deliver (drop when the port is disabled)     |
| l2_lkup    | 50   | router / FIP MACs behind a gateway port: where they reside     |
| l2_lkup    | 0    | otherwise ask the FDB                                          |
| l2_unknown | 50   | FDB miss: to the ports with "unknown", or drop                  |
| l2_unknown | 0    | FDB hit: output                                                |
"""

from __future__ import annotations

from ovntwin.compiler.addresses import normalize_mac
from ovntwin.compiler.context import CompileContext, Datapath, Port
from ovntwin.compiler.lflow import LflowTable
from ovntwin.compiler.multicast import SwitchMcast
from ovntwin.compiler.stages import Stage
from ovntwin.compiler.switch import router_l2
from ovntwin.compiler.switch.facts import (
    MC_FLOOD,
    MC_FLOOD_L2,
    MC_MROUTER_FLOOD,
    MC_STATIC,
    MC_UNKNOWN,
    SwitchFacts,
)

STAGE = Stage.LS_IN_L2_LKUP


def build_bmcast(dp: Datapath, facts: SwitchFacts, lflows: LflowTable) -> None:
    lflows.add(
        dp.uuid,
        STAGE,
        110,
        "eth.dst == $svc_monitor_mac && (tcp || icmp || icmp6)",
        "handle_svc_check(inport);",
    )
    mcast = SwitchMcast.of(dp)
    if mcast.enabled:
        _snooping(dp, facts, mcast, lflows)
    lflows.add(dp.uuid, STAGE, 70, "eth.mcast", f'outport = "{MC_FLOOD}"; output;')


def _snooping(dp: Datapath, facts: SwitchFacts, mcast: SwitchMcast, lflows: LflowTable) -> None:
    lflows.add(dp.uuid, STAGE, 100, "igmp", "igmp;")
    lflows.add(dp.uuid, STAGE, 100, "mldv1 || mldv2", "igmp;")
    lflows.add(
        dp.uuid,
        STAGE,
        85,
        "ip4.mcast && ip4.dst == 224.0.0.0/24",
        f'outport = "{MC_FLOOD_L2}"; output;',
    )
    lflows.add(dp.uuid, STAGE, 85, "ip6.mcast_flood", f'outport = "{MC_FLOOD}"; output;')
    if mcast.flood_unregistered:
        return
    actions = ""
    if mcast.flood_relay:
        actions += f'clone {{ outport = "{MC_MROUTER_FLOOD}"; output; }}; '
    if mcast.flood_static:
        actions += f'outport ="{MC_STATIC}"; output;'  # sic: northd writes no space after =
    if not actions:
        actions = facts.drop
    lflows.add(dp.uuid, STAGE, 80, "ip4.mcast || ip6.mcast", actions)


def build_unknown(dp: Datapath, facts: SwitchFacts, lflows: LflowTable) -> None:
    lflows.add(dp.uuid, STAGE, 0, "1", "outport = get_fdb(eth.dst); next;")
    miss = f'outport = "{MC_UNKNOWN}"; output;' if facts.has_unknown else facts.drop
    lflows.add(dp.uuid, Stage.LS_IN_L2_UNKNOWN, 50, 'outport == "none"', miss)
    lflows.add(dp.uuid, Stage.LS_IN_L2_UNKNOWN, 0, "1", "output;")


def build_port_unicast(
    ctx: CompileContext, port: Port, facts: SwitchFacts, lflows: LflowTable
) -> None:
    """Per-port unicast delivery, and ARP/ND steering toward a peer router."""
    if port.lsp is None or port.lsp_type == "external":
        return
    if port.lsp_type == "router" and port.peer is not None:
        router_l2.build_router_arp_steering(ctx, port, lflows)
    deliver = f"outport = {port.json_name}; output;" if port.enabled else facts.drop
    for entry in port.lsp.addresses:
        mac = _entry_mac(port, entry)
        if mac is None:
            continue
        if entry != "router":
            lflows.add(port.datapath.uuid, STAGE, 50, f"eth.dst == {mac}", deliver)
            continue
        residence = router_l2.router_mac_residence(port)
        lflows.add(port.datapath.uuid, STAGE, 50, f"eth.dst == {mac}{residence}", deliver)
        router_l2.build_fip_macs(ctx, port, deliver, lflows)


def _entry_mac(port: Port, entry: str) -> str | None:
    """The MAC an `addresses` entry delivers to: its own, the dynamic one, or the router's."""
    words = entry.split()
    if not words:
        return None
    if (mac := normalize_mac(words[0])) is not None:
        return mac
    assert port.lsp is not None
    if words[0] == "dynamic" and port.lsp.dynamic_addresses:
        dyn = port.lsp.dynamic_addresses.split()
        return normalize_mac(dyn[0]) if dyn else None
    if entry == "router" and port.peer is not None and port.peer.lrp is not None:
        return normalize_mac(port.peer.lrp.mac)
    return None
