"""Deciding what goes to conntrack: ls_{in,out}_pre_acl, ls_{in,out}_pre_lb,
ls_{in,out}_pre_stateful.

Stateful ACLs set reg0[0] (defragment + track) in pre_acl; load balancers set reg0[2]
(track + un-NAT) in pre_lb; pre_stateful turns those bits into ct_next / ct_lb_mark.

| stage         | prio | why                                                          |
|---------------|------|--------------------------------------------------------------|
| pre_acl       | 110  | svc monitor, router/localnet ports, ND/MLD/DHCPv6, mcast: untracked |
| pre_acl       | +1000| allow-stateless ACLs (only with stateful ACLs): skip conntrack |
| pre_acl       | 100  | stateful ACLs: every other IP packet goes through conntrack  |
| pre_lb        | 110  | the same exemptions plus reg0[16] (stateless) packets        |
| pre_lb        | 100  | load balancers: every IP packet (not yet: no LB support)      |
| pre_stateful  | 110  | reg0[2]: ct_lb_mark (or ct_lb on old chassis)                |
| pre_stateful  | 100  | reg0[0]: ct_next                                             |
| all           | 0    | pass                                                         |
"""

from __future__ import annotations

from ovntwin.compiler.context import Datapath, Port
from ovntwin.compiler.lflow import LflowTable
from ovntwin.compiler.stages import Stage
from ovntwin.compiler.switch.facts import (
    ACL_PRI_OFFSET,
    ACL_STATELESS,
    CT_DEFRAG,
    CT_NAT,
    SwitchFacts,
)

_ND_MLD = "nd || nd_rs || nd_ra || mldv1 || mldv2"
_ND_MLD_DHCP6 = _ND_MLD + " || (udp && udp.src == 546 && udp.dst == 547)"


def _both(
    dp: Datapath, lflows: LflowTable, stages: tuple[Stage, Stage], prio: int, match: str, act: str
) -> None:
    lflows.add(dp.uuid, stages[0], prio, match, act, depth=2)
    lflows.add(dp.uuid, stages[1], prio, match, act, depth=2)


def _skip_conntrack(
    port: Port, facts: SwitchFacts, stages: tuple[Stage, Stage], lflows: LflowTable
) -> None:
    """Router and localnet ports: their traffic's conntrack state lives elsewhere."""
    dp = port.datapath.uuid
    egress = "next;" if facts.has_stateful_acl else "ct_clear; next;"
    lflows.add(dp, stages[0], 110, f"ip && inport == {port.json_name}", "next;", depth=2)
    lflows.add(dp, stages[1], 110, f"ip && outport == {port.json_name}", egress, depth=2)


def _stateless_filters(dp: Datapath, lflows: LflowTable) -> None:
    for acl in dp.acls:
        if acl.action != "allow-stateless":
            continue
        stage = Stage.LS_IN_PRE_ACL if acl.direction == "from-lport" else Stage.LS_OUT_PRE_ACL
        lflows.add(
            dp.uuid,
            stage,
            acl.priority + ACL_PRI_OFFSET,
            acl.match,
            f"{ACL_STATELESS} = 1; next;",
            hint=acl.uuid,
        )


def build_pre_acl(dp: Datapath, facts: SwitchFacts, lflows: LflowTable) -> None:
    stages = (Stage.LS_IN_PRE_ACL, Stage.LS_OUT_PRE_ACL)
    _both(dp, lflows, stages, 0, "1", "next;")
    lflows.add(dp.uuid, Stage.LS_IN_PRE_ACL, 110, "eth.dst == $svc_monitor_mac", "next;")
    lflows.add(dp.uuid, Stage.LS_OUT_PRE_ACL, 110, "eth.src == $svc_monitor_mac", "next;")
    if facts.has_stateful_acl:
        for port in dp.router_ports + dp.localnet_ports:
            _skip_conntrack(port, facts, stages, lflows)
        _stateless_filters(dp, lflows)
        _both(dp, lflows, stages, 110, _ND_MLD_DHCP6, "next;")
        _both(dp, lflows, stages, 110, "eth.mcast", "next;")
        _both(dp, lflows, stages, 100, "ip", f"{CT_DEFRAG} = 1; next;")
    elif facts.has_lb_vip:
        _stateless_filters(dp, lflows)


def build_pre_lb(dp: Datapath, facts: SwitchFacts, lflows: LflowTable) -> None:
    stages = (Stage.LS_IN_PRE_LB, Stage.LS_OUT_PRE_LB)
    _both(dp, lflows, stages, 110, "eth.mcast", "next;")
    _both(dp, lflows, stages, 110, _ND_MLD, "next;")
    lflows.add(dp.uuid, Stage.LS_IN_PRE_LB, 110, "eth.dst == $svc_monitor_mac", "next;")
    lflows.add(dp.uuid, Stage.LS_OUT_PRE_LB, 110, "eth.src == $svc_monitor_mac", "next;")
    _both(dp, lflows, stages, 0, "1", "next;")
    for port in dp.router_ports:
        _skip_conntrack(port, facts, stages, lflows)
    if not facts.has_lb_vip:
        # Localnet traffic only needs conntrack when it may be load balanced.
        for port in dp.localnet_ports:
            _skip_conntrack(port, facts, stages, lflows)
    _both(dp, lflows, stages, 110, f"{ACL_STATELESS} == 1", "next;")
    if facts.has_lb_vip:
        _both(dp, lflows, stages, 100, "ip", f"{CT_NAT} = 1; next;")


def build_pre_stateful(dp: Datapath, facts: SwitchFacts, lflows: LflowTable) -> None:
    stages = (Stage.LS_IN_PRE_STATEFUL, Stage.LS_OUT_PRE_STATEFUL)
    _both(dp, lflows, stages, 0, "1", "next;")
    _both(dp, lflows, stages, 110, f"{CT_NAT} == 1", facts.ct_lb)
    _both(dp, lflows, stages, 100, f"{CT_DEFRAG} == 1", "ct_next;")
