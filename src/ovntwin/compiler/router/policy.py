"""lr_in_policy and lr_in_policy_ecmp: Logical_Router_Policy rules.

| stage  | prio          | flow                                        | why
|--------|---------------|---------------------------------------------|------------------------------
| policy | rule priority | allow / drop / reroute; ECMP reroute select | the rule as written
| policy | 0             | reg8[0..15] = 0; next                       | no rule: keep the route
| ecmp   | 150           | reg8[0..15] == 0: next                      | not an ECMP reroute
| ecmp   | 100           | group && member: set nexthop and outport    | the chosen reroute nexthop
| ecmp   | 0             | drop                                        |
"""

from __future__ import annotations

from ovntwin.compiler.context import Port
from ovntwin.compiler.router.common import (
    ECMP_GROUP_ID,
    ECMP_MEMBER_ID,
    NEXT_HOP_V4,
    NEXT_HOP_V6,
    SRC_V4,
    SRC_V6,
    RouterFlows,
    ip_text_is_v4,
    member_ip,
    router_ports,
)
from ovntwin.compiler.stages import Stage
from ovntwin.model import rows as r

POLICY = Stage.LR_IN_POLICY
POLICY_ECMP = Stage.LR_IN_POLICY_ECMP


def build_policies(rf: RouterFlows) -> None:
    assert rf.dp.lr is not None
    rf.add(POLICY, 0, "1", f"{ECMP_GROUP_ID} = 0; next;")
    rf.add(POLICY_ECMP, 150, f"{ECMP_GROUP_ID} == 0", "next;")
    rf.add(POLICY_ECMP, 0, "1", rf.drop)
    group_id = 1
    for rule in rf.ctx.nb.resolve(r.LogicalRouterPolicy, rf.dp.lr.policies):
        if rule.action == "reroute" and len(rule.nexthops) > 1:
            _ecmp_reroute(rf, rule, group_id)
            group_id += 1
        else:
            _single_rule(rf, rule)


def _pkt_mark(rule: r.LogicalRouterPolicy) -> str:
    text = rule.options.get("pkt_mark", "")
    mark = int(text) if text.isdigit() else 0
    return f"pkt.mark = {mark}; " if mark else ""


def _out_port(rf: RouterFlows, nexthop: str) -> tuple[Port, str] | None:
    """The first router port whose subnet holds `nexthop`, and its address there."""
    for port, nets in router_ports(rf.dp):
        addr = member_ip(nets, nexthop)
        if addr is not None:
            return port, addr
    return None


def _reroute_actions(port: Port, nexthop: str, lrp_addr: str) -> str:
    assert port.lrp_networks is not None
    next_hop, src = (NEXT_HOP_V4, SRC_V4) if ip_text_is_v4(nexthop) else (NEXT_HOP_V6, SRC_V6)
    return (
        f"{next_hop} = {nexthop}; {src} = {lrp_addr}; eth.src = {port.lrp_networks.ea_s}; "
        f"outport = {port.json_name}; flags.loopback = 1; "
    )


def _single_rule(rf: RouterFlows, rule: r.LogicalRouterPolicy) -> None:
    if rule.action == "reroute":
        nexthop = rule.nexthops[0] if len(rule.nexthops) == 1 else rule.nexthop
        found = _out_port(rf, nexthop) if nexthop else None
        if found is None:
            return  # northd logs "No path for routing policy" and skips the rule
        actions = (
            _pkt_mark(rule)
            + _reroute_actions(found[0], nexthop or "", found[1])
            + f"{ECMP_GROUP_ID} = 0; next;"
        )
    elif rule.action == "drop":
        actions = rf.drop
    elif rule.action == "allow":
        actions = _pkt_mark(rule) + f"{ECMP_GROUP_ID} = 0; next;"
    else:
        actions = ""
    rf.add(POLICY, rule.priority, rule.match, actions, rule.uuid)


def _ecmp_reroute(rf: RouterFlows, rule: r.LogicalRouterPolicy, group_id: int) -> None:
    families = {ip_text_is_v4(nh) for nh in rule.nexthops}
    if len(families) > 1:
        return  # mixed address families: northd rejects the rule
    for member, nexthop in enumerate(rule.nexthops, start=1):
        found = _out_port(rf, nexthop)
        if found is None:
            return  # members already added stay, as in northd; the rule itself does not
        rf.add(
            POLICY_ECMP,
            100,
            f"{ECMP_GROUP_ID} == {group_id} && {ECMP_MEMBER_ID} == {member}",
            _pkt_mark(rule) + _reroute_actions(found[0], nexthop, found[1]) + "next;",
            rule.uuid,
        )
    members = ", ".join(str(i) for i in range(1, len(rule.nexthops) + 1))
    rf.add(
        POLICY,
        rule.priority,
        rule.match,
        f"{ECMP_GROUP_ID} = {group_id}; {ECMP_MEMBER_ID} = select({members});",
        rule.uuid,
    )
