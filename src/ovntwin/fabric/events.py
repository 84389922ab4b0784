"""Failure injection and NB changes at a simulated time (the scenario's `events`).

Behaviour chosen to match OVS/OVN (see engine.py's module doc): a crash silences a
chassis entirely; an ovn-controller stop leaves OVS forwarding and BFD running but
freezes the chassis's flows and pinctrl; a link down cuts one NIC; a partition splits
the overlay; a QoS change recompiles the NB and re-programs running controllers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ovntwin.compiler.compile import compile_nb
from ovntwin.fabric.results import HaEvent
from ovntwin.fabric.scenario import (
    ChassisEvent,
    Event,
    LinkEvent,
    PartitionEvent,
    QoSEvent,
    with_qos,
)

if TYPE_CHECKING:
    from ovntwin.fabric.engine import Engine


def apply_event(engine: Engine, event: Event) -> None:
    now = int(engine.env.now)
    if isinstance(event, ChassisEvent):
        _chassis(engine, event)
        note = HaEvent(time_us=now, kind="failure", chassis=event.chassis, detail=event.action)
    elif isinstance(event, LinkEvent):
        engine.plant.link(event.attachment, event.up)
        what = "link-up" if event.up else "link-down"
        note = HaEvent(
            time_us=now, kind="failure", chassis=event.chassis or event.host,
            detail=f"{what} {event.attachment}",
        )  # fmt: skip
    elif isinstance(event, PartitionEvent):
        engine.groups = event.groups
        groups = " | ".join(",".join(g) for g in event.groups) or "healed"
        note = HaEvent(time_us=now, kind="failure", detail=f"partition {groups}")
    else:
        _qos(engine, event)
        note = HaEvent(
            time_us=now, kind="qos", port=event.port, detail=f"{event.action} {event.direction}"
        )
    engine.extra_events.append(note)


def _chassis(engine: Engine, event: ChassisEvent) -> None:
    node = engine.chassis[event.chassis]
    if event.action == "crash":
        node.crash()
        engine.ha.stop(node.name)
        engine.announcer.forget(node.name)
        for key in [k for k in engine.active if k[0] == node.name]:
            del engine.active[key]
    elif event.action == "restart":
        node.alive = True
        node.controller = True
        engine.ha.restart(node.name)
        node.rebuild(engine.executor_factory)
        engine.elect(node.name)
    elif event.action == "ovn-controller-stop":
        node.controller = False
    else:  # ovn-controller-start: catch up with the NB and the HA state
        node.controller = True
        node.rebuild(engine.executor_factory)
        engine.announcer.forget(node.name)
        for key in [k for k in engine.active if k[0] == node.name]:
            del engine.active[key]
        engine.elect(node.name)


def _qos(engine: Engine, event: QoSEvent) -> None:
    engine.nb = with_qos(engine.nb, event)
    engine.sb = compile_nb(engine.nb)
    for node in engine.chassis.values():
        if node.alive and node.controller:
            node.rebuild(engine.executor_factory)
