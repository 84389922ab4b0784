"""Agents' target in a running simulation: each change lands `delay_us` after now."""

from __future__ import annotations

from dataclasses import dataclass, field

from ovntwin.fabric.engine import Engine
from ovntwin.fabric.qos_runtime import PortQos, schedule_port_qos


@dataclass(eq=False)
class FabricTarget:
    engine: Engine
    delay_us: int = 0  # the agent's processing time (notification -> datapath)
    log: list[tuple[int, PortQos]] = field(default_factory=list)  # (applied at, change)

    def apply(self, change: PortQos) -> None:
        at = int(self.engine.env.now) + self.delay_us
        self.log.append((at, change))
        schedule_port_qos(self.engine, at, change)
