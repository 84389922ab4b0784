"""Claims and announcements: what ovn-controller's pinctrl sends when ports become local.

A gateway that becomes active for a distributed gateway port claims its cr- port: a
"takeover" event, then GARPs for the port's MAC with each router / NAT IPv4 on the
schedule of garp.py, out of the gateway's NIC on the external switch's physnet. A VIF
claimed at start-up on a switch with a localnet port is announced the same way (its
first IPv4) by the chassis it is bound to. An announcement stops when its claim is
superseded (the port went elsewhere and came back: a new claim, a new schedule), when
the chassis crashes or when ovn-controller is stopped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ovntwin.fabric.garp import Announcement, nat_announcements, vif_announcements
from ovntwin.fabric.packet import arp_request
from ovntwin.fabric.results import HaEvent

if TYPE_CHECKING:
    from ovntwin.fabric.engine import Engine
    from ovntwin.fabric.node import ChassisNode


class Announcer:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.claims: dict[str, dict[str, int]] = {}  # chassis -> port -> claim generation
        self._gen = 0

    def forget(self, chassis: str) -> None:
        self.claims.pop(chassis, None)

    def _claim(self, node: ChassisNode, port: str) -> int:
        self._gen += 1
        self.claims.setdefault(node.name, {})[port] = self._gen
        return self._gen

    def gateways(self, node: ChassisNode, mine: set[str]) -> None:
        """`node` is now active for exactly the DGPs `mine`: claim the new ones."""
        engine, now = self.engine, int(self.engine.env.now)
        held = self.claims.setdefault(node.name, {})
        for dgp in [p for p in held if p.startswith("cr-") and p[3:] not in mine]:
            del held[dgp]
        for dgp in sorted(mine):
            if f"cr-{dgp}" in held:
                continue
            gen = self._claim(node, f"cr-{dgp}")
            engine.extra_events.append(
                HaEvent(time_us=now, kind="takeover", chassis=node.name, port=f"cr-{dgp}")
            )
            gw = engine.gateways.get(dgp)
            if gw is not None and gw.physnet is not None:
                for ann in nat_announcements(now, dgp, gw.mac, gw.ipv4s):
                    self._schedule(node, f"cr-{dgp}", gen, gw.physnet, gw.vlan, ann)

    def vifs(self, node: ChassisNode) -> None:
        """Start-up claims of the VIFs bound on `node` (only those behind a localnet)."""
        engine, now = self.engine, int(self.engine.env.now)
        for placed in engine.scenario.placement:
            vif = engine.addressing.vifs.get(placed.vif)
            if placed.chassis != node.name or vif is None:
                continue
            physnet, vlan = engine.addressing.switch_localnet(vif.switch)
            if physnet is None:
                continue
            gen = self._claim(node, vif.name)
            for ann in vif_announcements(now, vif.name, vif.mac, (vif.ip,)):
                self._schedule(node, vif.name, gen, physnet, vlan, ann)

    def _schedule(
        self, node: ChassisNode, port: str, gen: int, physnet: str, vlan: int | None,
        ann: Announcement,
    ) -> None:  # fmt: skip
        delay = ann.time_us - int(self.engine.env.now)
        self.engine.later(delay, lambda: self._send(node, port, gen, physnet, vlan, ann))

    def _send(
        self, node: ChassisNode, port: str, gen: int, physnet: str, vlan: int | None,
        ann: Announcement,
    ) -> None:  # fmt: skip
        if not node.alive or not node.controller:
            return  # pinctrl is gone with the chassis / ovn-controller
        if self.claims.get(node.name, {}).get(port) != gen:
            return  # the claim this schedule belongs to is over
        ip = ann.ipv4 or "0.0.0.0"
        node.send_physnet(physnet, arp_request(ann.mac, ip, ip, vlan=vlan))
        self.engine.extra_events.append(
            HaEvent(
                time_us=int(self.engine.env.now),
                kind="garp",
                chassis=node.name,
                port=port,
                mac=ann.mac,
                ip=ann.ipv4,
            )  # fmt: skip
        )
