"""Stages whose features come with later issues, as northd emits them without those
features: load balancing and its affinity, hairpin, DHCP, DNS and the external-port stage.

| stage                          | prio  | why                                    |
|--------------------------------|-------|----------------------------------------|
| every stage listed here        | 0     | feature not configured: pass           |
| in_hairpin                     | 1000  | traffic from a vtep ramp: go to l2_lkup |
| in_hairpin                     | 2000  | ramp traffic on a peer DGP's gateway: next |
"""

from __future__ import annotations

from ovntwin.compiler.context import Datapath
from ovntwin.compiler.lflow import LflowTable
from ovntwin.compiler.stages import Stage
from ovntwin.compiler.switch.facts import FROM_RAMP
from ovntwin.compiler.switch.router_peer import cr_json, is_gateway_port

_PASS_STAGES = (
    Stage.LS_IN_LB_AFF_CHECK,
    Stage.LS_IN_LB,
    Stage.LS_IN_LB_AFF_LEARN,
    Stage.LS_IN_PRE_HAIRPIN,
    Stage.LS_IN_NAT_HAIRPIN,
    Stage.LS_IN_HAIRPIN,
    Stage.LS_IN_DHCP_OPTIONS,
    Stage.LS_IN_DHCP_RESPONSE,
    Stage.LS_IN_DNS_LOOKUP,
    Stage.LS_IN_DNS_RESPONSE,
    Stage.LS_IN_EXTERNAL_PORT,
)


def build_pass_defaults(dp: Datapath, lflows: LflowTable) -> None:
    for stage in _PASS_STAGES:
        lflows.add(dp.uuid, stage, 0, "1", "next;")


def build_vtep_hairpin(dp: Datapath, lflows: LflowTable) -> None:
    """Packets from a vtep (ramp) switch were switched already: go on to l2_lkup."""
    if not dp.ports_of_type("vtep"):
        return
    goto = f"next(pipeline=ingress, table={Stage.LS_IN_L2_LKUP.table});"
    lflows.add(dp.uuid, Stage.LS_IN_HAIRPIN, 1000, f"{FROM_RAMP} == 1", goto)
    for rp in dp.router_ports:
        if rp.peer is not None and is_gateway_port(rp.peer):
            # On the gateway chassis, ramp traffic for the router gets ARP/ND handling.
            match = f"{FROM_RAMP} == 1 && is_chassis_resident({cr_json(rp.peer)})"
            lflows.add(dp.uuid, Stage.LS_IN_HAIRPIN, 2000, match, "next;")
