"""lr_in_gw_redirect: traffic routed out of a distributed gateway port goes to its gateway.

| prio | flow                                      | why                                       |
|------|-------------------------------------------|-------------------------------------------|
| 50   | outport == DGP: outport = cr-DGP          | the DGP's central instance sends it out   |
| 0    | next (defaults.py)                        | everything else stays distributed         |

A DGP whose switch has vtep ports gets no redirect: traffic towards the VTEP ramp
switch stays distributed (only routed replies go through the gateway). NAT adds
higher-priority exceptions here (stateless FIPs with allowed/exempted external IPs).
"""

from __future__ import annotations

from ovntwin.compiler.router.common import RouterFlows, lrp_uuid
from ovntwin.compiler.stages import Stage

GW_REDIRECT = Stage.LR_IN_GW_REDIRECT
REDIRECT_PRIO = 50  # below NAT's per-rule exceptions (70 / 75)


def build_gw_redirect(rf: RouterFlows) -> None:
    for dgp in rf.dp.l3dgw_ports:
        if dgp.peer is not None and dgp.peer.datapath.has_vtep_lports:
            continue
        assert dgp.cr_port is not None
        rf.add(
            GW_REDIRECT,
            REDIRECT_PRIO,
            f"outport == {dgp.json_name}",
            f"outport = {dgp.cr_port.json_name}; next;",
            lrp_uuid(dgp),
        )
