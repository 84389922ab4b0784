"""Default flows of router stages whose features (LB affinity, gateway redirect, RA)
are not configured: each lets packets through. The NAT stages' defaults are in nat_build.

| stage                       | prio | flow              | why                                  |
|-----------------------------|------|-------------------|--------------------------------------|
| lb_aff_*, nd_ra_*           | 0    | next              | nothing to do without LB / RA        |
| lr_in_gw_redirect           | 0    | next              | no distributed gateway port          |
"""

from __future__ import annotations

from ovntwin.compiler.router.common import RouterFlows
from ovntwin.compiler.stages import Stage

_PASS_THROUGH = (
    Stage.LR_IN_LB_AFF_CHECK,
    Stage.LR_IN_LB_AFF_LEARN,
    Stage.LR_IN_ND_RA_OPTIONS,
    Stage.LR_IN_ND_RA_RESPONSE,
    Stage.LR_IN_GW_REDIRECT,
)


def build_defaults(rf: RouterFlows) -> None:
    for stage in _PASS_THROUGH:
        rf.add(stage, 0, "1", "next;")
