"""Every NAT flow of a router (northd's build_lrouter_nat_defrag_and_lb minus load balancers).

The NAT stages' default flows are here too, since they come with the same builder:

| stage                                          | prio | flow              | why
|------------------------------------------------|------|-------------------|-------------------
| defrag, unsnat, dnat, ecmp_stateful            | 0    | next              | nothing to do
| undnat, post_undnat, snat, post_snat, egr_loop | 0    | next              |
| lr_out_chk_dnat_local                          | 0    | reg9[4] = 0; next | not a local DNAT IP
| lr_out_snat                                    | 120  | nd_ns: next       | nd_ns{} skips ct
"""

from __future__ import annotations

from ovntwin.compiler.router.common import DST_NAT_IP_LOCAL, RouterFlows
from ovntwin.compiler.router.nat import RouterNat
from ovntwin.compiler.router.nat_arp import build_nat_arp
from ovntwin.compiler.router.nat_egress import build_nat_egress
from ovntwin.compiler.router.nat_ingress import build_nat_ingress
from ovntwin.compiler.stages import Stage

_PASS_THROUGH = (
    Stage.LR_IN_DEFRAG,
    Stage.LR_IN_UNSNAT,
    Stage.LR_IN_DNAT,
    Stage.LR_IN_ECMP_STATEFUL,
    Stage.LR_OUT_UNDNAT,
    Stage.LR_OUT_POST_UNDNAT,
    Stage.LR_OUT_SNAT,
    Stage.LR_OUT_POST_SNAT,
    Stage.LR_OUT_EGR_LOOP,
)


def build_nat(rf: RouterFlows) -> None:
    for stage in _PASS_THROUGH:
        rf.add(stage, 0, "1", "next;")
    rf.add(Stage.LR_OUT_CHK_DNAT_LOCAL, 0, "1", f"{DST_NAT_IP_LOCAL} = 0; next;")
    rf.add(Stage.LR_OUT_SNAT, 120, "nd_ns", "next;")
    nat = RouterNat.of(rf)
    build_nat_arp(rf, nat)
    if nat.active:  # NAT rules apply only on gateway routers and routers with DGPs
        build_nat_ingress(rf, nat)
        build_nat_egress(rf, nat)
