"""ACL hints: ls_in_acl_hint, ls_out_acl_hint.

With conntrack in use, the hint stage turns the packet's ct state into the reg0 bits
(allow-new 7, allow 8, drop 9, block 10) that tell the ACL stage which of an ACL's
flows may apply, so each ACL flow matches on one bit instead of the ct state.

| prio  | ct state                                   | hints set           |
|-------|--------------------------------------------|---------------------|
| 65535 | (no ACLs, no LB) everything                | none, just next     |
| 7     | new, not established                       | allow-new, drop     |
| 6     | established request, blocked               | allow-new, drop     |
| 5     | untracked                                  | allow, drop         |
| 4     | established request, not blocked           | allow, block        |
| 3     | not established                            | drop                |
| 2     | established, blocked                       | drop                |
| 1     | established, not blocked                   | block               |
| 0     | anything else                              | none                |
"""

from __future__ import annotations

from ovntwin.compiler.context import Datapath
from ovntwin.compiler.lflow import LflowTable
from ovntwin.compiler.stages import Stage
from ovntwin.compiler.switch.facts import (
    HINT_ALLOW,
    HINT_ALLOW_NEW,
    HINT_BLOCK,
    HINT_DROP,
    SwitchFacts,
)


def _hint_flows(blocked: str) -> list[tuple[int, str, tuple[str, ...]]]:
    request = "!ct.new && ct.est && !ct.rpl"
    return [
        (7, "ct.new && !ct.est", (HINT_ALLOW_NEW, HINT_DROP)),
        (6, f"{request} && {blocked} == 1", (HINT_ALLOW_NEW, HINT_DROP)),
        (5, "!ct.trk", (HINT_ALLOW, HINT_DROP)),
        (4, f"{request} && {blocked} == 0", (HINT_ALLOW, HINT_BLOCK)),
        (3, "!ct.est", (HINT_DROP,)),
        (2, f"ct.est && {blocked} == 1", (HINT_DROP,)),
        (1, f"ct.est && {blocked} == 0", (HINT_BLOCK,)),
    ]


def build_acl_hints(dp: Datapath, facts: SwitchFacts, lflows: LflowTable) -> None:
    for stage in (Stage.LS_IN_ACL_HINT, Stage.LS_OUT_ACL_HINT):
        if not facts.has_acls and not facts.has_lb_vip:
            lflows.add(dp.uuid, stage, 65535, "1", "next;")  # nothing to hint: skip the stage
        else:
            lflows.add(dp.uuid, stage, 0, "1", "next;")
        if not facts.has_stateful:
            continue
        for prio, match, bits in _hint_flows(facts.ct_blocked):
            actions = "".join(f"{bit} = 1; " for bit in bits) + "next;"
            lflows.add(dp.uuid, stage, prio, match, actions)
