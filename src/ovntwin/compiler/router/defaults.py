"""Default flows of router stages whose features (NAT, LB, ECMP symmetric replies,
gateway redirect, RA) are not configured: each lets packets through.

| stage                       | prio | flow              | why                                  |
|-----------------------------|------|-------------------|--------------------------------------|
| unsnat, defrag, dnat, ...   | 0    | next              | nothing to do without NAT / LB       |
| lr_out_chk_dnat_local       | 0    | reg9[4] = 0; next | "destination is not a local DNAT IP" |
| lr_out_snat                 | 120  | nd_ns: next       | keep NS from nd_ns{} out of conntrack|
| lr_in_gw_redirect           | 0    | next              | no distributed gateway port          |
"""

from __future__ import annotations

from ovntwin.compiler.router.common import DST_NAT_IP_LOCAL, RouterFlows
from ovntwin.compiler.stages import Stage

_PASS_THROUGH = (
    Stage.LR_IN_UNSNAT,
    Stage.LR_IN_DEFRAG,
    Stage.LR_IN_LB_AFF_CHECK,
    Stage.LR_IN_DNAT,
    Stage.LR_IN_LB_AFF_LEARN,
    Stage.LR_IN_ECMP_STATEFUL,
    Stage.LR_IN_ND_RA_OPTIONS,
    Stage.LR_IN_ND_RA_RESPONSE,
    Stage.LR_IN_GW_REDIRECT,
    Stage.LR_OUT_UNDNAT,
    Stage.LR_OUT_POST_UNDNAT,
    Stage.LR_OUT_SNAT,
    Stage.LR_OUT_POST_SNAT,
    Stage.LR_OUT_EGR_LOOP,
)


def build_defaults(rf: RouterFlows) -> None:
    for stage in _PASS_THROUGH:
        rf.add(stage, 0, "1", "next;")
    rf.add(Stage.LR_OUT_CHK_DNAT_LOCAL, 0, "1", f"{DST_NAT_IP_LOCAL} = 0; next;")
    rf.add(Stage.LR_OUT_SNAT, 120, "nd_ns", "next;")
