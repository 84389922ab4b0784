"""Stages whose features come with later issues, as northd emits them without those
features: QoS (with NB QoS rows honoured), load balancing and its affinity, hairpin,
DHCP, DNS and external ports.

| stage                          | prio  | why                                    |
|--------------------------------|-------|----------------------------------------|
| in/out qos_mark, qos_meter     | QoS   | NB QoS rule: set DSCP / meter          |
| every stage listed here        | 0     | feature not configured: pass           |
| in_hairpin                     | 1000  | traffic from a vtep ramp: go to l2_lkup |
"""

from __future__ import annotations

from ovntwin.compiler.context import CompileContext, Datapath
from ovntwin.compiler.lflow import LflowTable
from ovntwin.compiler.stages import Stage
from ovntwin.compiler.switch.facts import FROM_RAMP
from ovntwin.model import rows as r

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


def build_qos(ctx: CompileContext, dp: Datapath, lflows: LflowTable) -> None:
    for stage in (
        Stage.LS_IN_QOS_MARK,
        Stage.LS_OUT_QOS_MARK,
        Stage.LS_IN_QOS_METER,
        Stage.LS_OUT_QOS_METER,
    ):
        lflows.add(dp.uuid, stage, 0, "1", "next;")
    assert dp.ls is not None
    for qos in ctx.nb.resolve(r.QoS, dp.ls.qos_rules):
        _qos_rule(dp, qos, lflows)


def _qos_rule(dp: Datapath, qos: r.QoS, lflows: LflowTable) -> None:
    ingress = qos.direction == "from-lport"
    if "dscp" in qos.action:
        stage = Stage.LS_IN_QOS_MARK if ingress else Stage.LS_OUT_QOS_MARK
        actions = f"ip.dscp = {qos.action['dscp']}; next;"
        lflows.add(dp.uuid, stage, qos.priority, qos.match, actions, hint=qos.uuid)
    rate, burst = qos.bandwidth.get("rate", 0), qos.bandwidth.get("burst", 0)
    if rate:
        stage = Stage.LS_IN_QOS_METER if ingress else Stage.LS_OUT_QOS_METER
        meter = f"set_meter({rate}, {burst}); next;" if burst else f"set_meter({rate}); next;"
        lflows.add(dp.uuid, stage, qos.priority, qos.match, meter, hint=qos.uuid)
