"""Port security and admission: ls_in_check_port_sec, ls_in_apply_port_sec,
ls_out_check_port_sec, ls_out_apply_port_sec (plus the disabled-port drop in
ls_in_l2_unknown).

Port security itself (MAC/IP lists) is enforced by ovn-controller through the
check_in_port_sec()/check_out_port_sec() actions, so its addresses appear in no flow.

| stage                | prio | why                                                       |
|----------------------|------|-----------------------------------------------------------|
| in_check_port_sec    | 100  | logical VLAN tags and multicast source MACs: drop         |
| in_check_port_sec    | 100  | disabled port: mark for drop                              |
| in_check_port_sec    | 70   | vtep port / qdisc queue: overrides the generic check      |
| in_check_port_sec    | 50   | everyone else: ask ovn-controller                         |
| in_apply_port_sec    | 50   | drop what the check marked                                |
| out_check_port_sec   | 100  | multicast/broadcast is never port-security filtered       |
| out_apply_port_sec   | 100  | localnet with a qdisc queue: set_queue before output      |
| l2_unknown           | 50   | nothing is delivered to a disabled port                   |
"""

from __future__ import annotations

from ovntwin.compiler.context import Datapath, Port
from ovntwin.compiler.lflow import LflowTable
from ovntwin.compiler.stages import Stage
from ovntwin.compiler.switch.facts import FROM_RAMP, PORT_SEC_DROP, SwitchFacts


def build_admission(dp: Datapath, facts: SwitchFacts, lflows: LflowTable) -> None:
    """Datapath-wide ingress admission flows."""
    if not facts.vlan_transparent:
        lflows.add(dp.uuid, Stage.LS_IN_CHECK_PORT_SEC, 100, "vlan.present", facts.drop)
    lflows.add(dp.uuid, Stage.LS_IN_CHECK_PORT_SEC, 100, "eth.src[40]", facts.drop)
    lflows.add(
        dp.uuid,
        Stage.LS_IN_CHECK_PORT_SEC,
        50,
        "1",
        f"{PORT_SEC_DROP} = check_in_port_sec(); next;",
    )
    lflows.add(dp.uuid, Stage.LS_IN_APPLY_PORT_SEC, 50, f"{PORT_SEC_DROP} == 1", facts.drop)
    lflows.add(dp.uuid, Stage.LS_IN_APPLY_PORT_SEC, 0, "1", "next;")


def build_port_admission(port: Port, facts: SwitchFacts, lflows: LflowTable) -> None:
    """Per-port overrides: disabled ports, vtep ports, ports with a qdisc queue."""
    if port.lsp is None or port.lsp_type == "external":
        return
    dp = port.datapath.uuid
    inport = f"inport == {port.json_name}"
    if not port.enabled:
        lflows.add(dp, Stage.LS_IN_CHECK_PORT_SEC, 100, inport, f"{PORT_SEC_DROP} = 1; next;")
        lflows.add(dp, Stage.LS_IN_L2_UNKNOWN, 50, f"outport == {port.json_name}", facts.drop)
        return
    queue = port.sb.options.get("qdisc_queue_id")
    set_queue = f"set_queue({queue}); " if queue else ""
    if port.lsp_type == "vtep":
        # vtep traffic has been switched already: skip straight to the hairpin stage.
        hairpin = Stage.LS_IN_HAIRPIN.table
        actions = f"{set_queue}{FROM_RAMP} = 1; next(pipeline=ingress, table={hairpin});"
        lflows.add(dp, Stage.LS_IN_CHECK_PORT_SEC, 70, inport, actions)
    elif queue:
        actions = f"{set_queue}{PORT_SEC_DROP} = check_in_port_sec(); next;"
        lflows.add(dp, Stage.LS_IN_CHECK_PORT_SEC, 70, inport, actions)
        if port.lsp_type == "localnet":
            lflows.add(
                dp,
                Stage.LS_OUT_APPLY_PORT_SEC,
                100,
                f"outport == {port.json_name}",
                f"set_queue({queue}); output;",
            )


def build_egress_port_security(dp: Datapath, facts: SwitchFacts, lflows: LflowTable) -> None:
    lflows.add(
        dp.uuid, Stage.LS_OUT_CHECK_PORT_SEC, 100, "eth.mcast", f"{PORT_SEC_DROP} = 0; next;"
    )
    lflows.add(
        dp.uuid,
        Stage.LS_OUT_CHECK_PORT_SEC,
        0,
        "1",
        f"{PORT_SEC_DROP} = check_out_port_sec(); next;",
    )
    lflows.add(dp.uuid, Stage.LS_OUT_APPLY_PORT_SEC, 50, f"{PORT_SEC_DROP} == 1", facts.drop)
    lflows.add(dp.uuid, Stage.LS_OUT_APPLY_PORT_SEC, 0, "1", "output;")
