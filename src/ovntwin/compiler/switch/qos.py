"""QoS: NB QoS rows become DSCP marking and metering flows (ls_in/ls_out qos_mark, qos_meter).

| stage                      | prio         | action                                  |
|----------------------------|--------------|-----------------------------------------|
| in/out qos_mark            | row priority | `ip.dscp = D; next;` (action dscp=D)    |
| in/out qos_meter           | row priority | `set_meter(rate[, burst]); next;`       |
| all four                   | 0            | `next;`                                 |

from-lport rows go to the ingress stages, to-lport rows to the egress ones. A row with
both a DSCP action and a rate yields one flow in each stage; a burst without a rate
yields no meter.
"""

from __future__ import annotations

from ovntwin.compiler.context import CompileContext, Datapath
from ovntwin.compiler.lflow import LflowTable
from ovntwin.compiler.stages import Stage
from ovntwin.model import rows as r


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
