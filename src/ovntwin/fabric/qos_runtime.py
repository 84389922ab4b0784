"""QoS changed at run time: "apply QoS to port P at simulated time t".

The scenario's own `qos-*` events are fixed in the file; agents (ovntwin.agents) decide
during the run, when a notification reaches them. Two kinds of change, as the two
Neutron QoS back ends program a chassis:

* `OvnPortQos`: the NB QoS row of one port and direction (ML2/OVN's row, its match
  naming the fabric's LSP), or None to remove it. At t the NB changes and running
  ovn-controllers recompile (the scenario's QoSEvent path, events.apply_event): a changed
  rule is a new meter, whose bucket starts full.
* `OvsPortQos`: the VIF's Interface `ingress_policing_rate/burst` (a tc policer on what
  the VM sends) and the max-rate of the HTB queue on what it receives (0: none). At t
  the chassis's policer / queue bucket is replaced (OVS rewrites the tc qdisc: a new
  bucket, full).

Times are integer microseconds; a time already past applies now.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ovntwin.errors import InvalidValue
from ovntwin.fabric.results import HaEvent
from ovntwin.fabric.scenario import QoSAction, QoSDirection, QoSEvent, qos_row_uuid
from ovntwin.fabric.tokenbucket import TokenBucket, ingress_policer, ovn_qos_meter
from ovntwin.model import rows as r

if TYPE_CHECKING:
    from ovntwin.fabric.engine import Engine


@dataclass(frozen=True, slots=True)
class OvnPortQos:
    port: str  # the LSP (= VIF) name in the fabric's NB
    direction: QoSDirection
    row: r.QoS | None  # None: remove


@dataclass(frozen=True, slots=True)
class OvsPortQos:
    vif: str
    policing_rate_kbps: int = 0  # Interface ingress_policing_rate (0: off)
    policing_burst_kbits: int = 0  # Interface ingress_policing_burst
    queue_max_rate_kbps: int = 0  # QoS linux-htb queue other_config:max-rate / 1000 (0: none)
    queue_burst_kbits: int = 0  # queue other_config:burst / 1000


PortQos = OvnPortQos | OvsPortQos


def schedule_port_qos(engine: Engine, at_us: int, change: PortQos) -> None:
    """Apply `change` at simulated time `at_us` (integer µs; the past means now)."""
    if not isinstance(at_us, int):
        raise InvalidValue(f"simulated time must be integer microseconds: {at_us!r}")
    delay = max(0, at_us - int(engine.env.now))
    engine.later(delay, lambda: apply_port_qos(engine, change))


def apply_port_qos(engine: Engine, change: PortQos) -> None:
    if isinstance(change, OvnPortQos):
        _ovn(engine, change)
    else:
        _ovs(engine, change)


def switch_of(engine: Engine, port: str) -> str | None:
    """The logical switch holding LSP `port` in the engine's current NB."""
    for switch in engine.nb.rows(r.LogicalSwitch):
        if any(lsp.name == port for lsp in engine.nb.resolve(r.LogicalSwitchPort, switch.ports)):
            return switch.name
    return None


def _ovn(engine: Engine, change: OvnPortQos) -> None:
    from ovntwin.fabric.events import apply_event

    switch = switch_of(engine, change.port)
    if switch is None:
        raise InvalidValue(f"QoS for {change.port}: no logical switch port of that name")
    uuid = qos_row_uuid(switch, change.port, change.direction)
    present = uuid in engine.nb.tables.get(r.QoS, {})
    if change.row is None and not present:
        return
    action: QoSAction = "remove" if change.row is None else ("update" if present else "apply")
    row = None if change.row is None else replace(change.row, uuid=uuid)
    event = QoSEvent(
        at_us=int(engine.env.now), action=action, port=change.port, switch=switch,
        direction=change.direction, row_uuid=uuid, row=row,
    )  # fmt: skip
    apply_event(engine, event)


def _ovs(engine: Engine, change: OvsPortQos) -> None:
    placed = engine.scenario.placed(change.vif)
    if placed is None:
        raise InvalidValue(f"QoS for {change.vif}: not a placed VIF")
    node = engine.chassis[placed.chassis]
    node.policers[change.vif] = ingress_policer(
        change.policing_rate_kbps, change.policing_burst_kbits
    )
    node.queues[change.vif] = _queue(change.queue_max_rate_kbps, change.queue_burst_kbits)
    detail = (f"ovs policing {change.policing_rate_kbps}/{change.policing_burst_kbits}"
              f" queue {change.queue_max_rate_kbps}/{change.queue_burst_kbits}")  # fmt: skip
    note = HaEvent(time_us=int(engine.env.now), kind="qos", chassis=node.name,
                   port=change.vif, detail=detail)  # fmt: skip
    engine.extra_events.append(note)


def _queue(rate_kbps: int, burst_kbits: int) -> TokenBucket | None:
    """The HTB queue towards the VM as a bucket of max-rate: HTB delays what exceeds it
    where we drop (the fabric models no queues); the long-run rate is the same."""
    if rate_kbps <= 0:
        return None
    return ovn_qos_meter(rate_kbps, burst_kbits or None)
