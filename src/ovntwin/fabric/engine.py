"""The fabric in simulated time: `simulate(scenario) -> Results`.

A simpy Environment counts integer microseconds; every random choice (BFD jitter)
comes from `random.Random(scenario.seed)`; equal-time events run in scheduling order,
so two runs of one scenario are identical. Pieces: `node.ChassisNode` (executor per
chassis, meters, policers, NICs), `hosts.HostNode`, `wire.Plant` (links + ToR MAC
tables), `ha.Ha` (BFD sessions, per-chassis gateway election, takeover + GARPs) and
`traffic.TrafficManager`. Events (`scenario.events`) run at their time:

* chassis crash: the node stops sending and receiving, BFD goes silent, conntrack is
  lost; restart: fresh BFD sessions, flows recompiled.
* ovn-controller stop: OVS keeps the installed flows and runs BFD (both are
  ovs-vswitchd's), so forwarding and BFD go on; what stops is everything
  ovn-controller does: claiming cr- ports on a takeover, GARPs, recompiling after NB
  changes. Start: it catches up (recompile, claim, GARPs).
* link down/up: the ToR port and the NIC stop carrying frames (ToR entries flushed).
* overlay partition: tunnels (and BFD) work only inside each group.
* QoS: the NB after the event (`scenario.with_qos`) is compiled and every running
  ovn-controller's executor is rebuilt at that simulated time.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable
from pathlib import Path

import simpy

from ovntwin.compiler.compile import compile_nb
from ovntwin.fabric.addressing import Addressing
from ovntwin.fabric.announce import Announcer
from ovntwin.fabric.bfd import BfdConfig, BfdPacket
from ovntwin.fabric.conntrack import Conntrack
from ovntwin.fabric.ha import Ha, bfd_pairs, elect
from ovntwin.fabric.hosts import HostNode
from ovntwin.fabric.load import load_scenario
from ovntwin.fabric.node import BfdMessage, ChassisNode, Executor
from ovntwin.fabric.packet import Frame
from ovntwin.fabric.results import HaEvent, Results
from ovntwin.fabric.scenario import (
    ChassisEvent,
    Event,
    LinkEvent,
    PartitionEvent,
    QoSEvent,
    Scenario,
    with_qos,
)
from ovntwin.fabric.tor import CamEntry
from ovntwin.fabric.traffic import TrafficManager
from ovntwin.fabric.wire import Capture, Plant, call_later
from ovntwin.trace.placement import Placement, build_placement

Progress = Callable[[int, int], None]  # (now_us, until_us)
PROGRESS_STEP_US = 1_000_000  # progress callback once per simulated second


def simulate(
    scenario: Scenario | str | Path,
    variant: str | None = None,
    until_us: int | None = None,
    progress: Progress | None = None,
    capture: Capture | None = None,
) -> Results:
    """Run a scenario (a loaded Scenario, or a file and a variant) and report;
    `capture(now_us, "switch:port", wire)` sees every frame entering a ToR port."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, variant)
    started = time.perf_counter()
    engine = Engine(scenario)
    engine.plant.capture = capture
    end = scenario.until_us if until_us is None else until_us
    engine.run(end, progress)
    return engine.results(end, time.perf_counter() - started)


class Engine:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.env = simpy.Environment(initial_time=0)
        self.rng = random.Random(scenario.seed)
        self.nb = scenario.nb
        self.sb = compile_nb(self.nb)
        self.addressing = Addressing(self.nb)
        self.gateways = self.addressing.gateway_ports()
        self.placement: Placement = build_placement(self.nb)
        overlay = scenario.fabric.overlay()
        self.overlay_net = None if overlay is None else overlay.name
        self.plant = Plant(self.env, scenario.fabric)
        self.chassis = {
            c.name: ChassisNode(self, c, i) for i, c in enumerate(scenario.fabric.chassis)
        }
        self.hosts = {h.name: HostNode(self, h) for h in scenario.fabric.hosts}
        self.host_ips = {h.ip: h.mac.lower() for h in scenario.fabric.hosts}
        self._wire_up()
        self.traffic = TrafficManager(self)
        self.groups: tuple[tuple[str, ...], ...] = ()
        self.active: dict[tuple[str, str], str | None] = {}  # (viewer, DGP) -> gateway
        self.announcer = Announcer(self)
        self.plant.journey_flow = scenario.traffic[0].name if scenario.traffic else None
        gws = [c.name for c in scenario.fabric.chassis if c.role == "gateway"]
        computes = [c.name for c in scenario.fabric.chassis if c.role != "gateway"]
        config = BfdConfig.from_options(self.nb.nb_global.options)
        self.ha = Ha(
            self.env, config, bfd_pairs(computes, gws), self.rng, self._send_bfd, self._bfd_changed
        )
        self.extra_events: list[HaEvent] = []

    # wiring -----------------------------------------------------------------------------

    def _wire_up(self) -> None:
        for node in self.chassis.values():
            for nic in node.spec.nics:
                self.plant.plug(nic.attachment, _nic_receiver(node, nic.network))
            node.set_policers(
                [
                    (p.vif, p.ingress_policing_rate, p.ingress_policing_burst)
                    for p in self.scenario.placement
                    if p.chassis == node.name
                ]
            )
        for host in self.hosts.values():
            self.plant.plug(host.spec.attachment, host.on_wire)

    def executor_factory(self, name: str, conntrack: Conntrack) -> Executor:
        from ovntwin.fabric.pipeline import ChassisExecutor

        return ChassisExecutor(self.sb, self.view_of(name), name, conntrack)

    def view_of(self, viewer: str) -> Placement:
        """The placement as `viewer` sees it: a gateway is alive when BFD to it forwards."""
        gw_names = {g for prios in self.placement.gateways.values() for g, _ in prios}
        views = {
            name: dataclasses.replace(
                view,
                alive=name not in gw_names or self.ha.forwarding(viewer, name),
            )
            for name, view in self.placement.chassis.items()
        }
        return dataclasses.replace(self.placement, chassis=views)

    # running ----------------------------------------------------------------------------

    def run(self, until_us: int, progress: Progress | None) -> None:
        for node in self.chassis.values():
            node.rebuild(self.executor_factory)
            self.elect(node.name)
            self.announcer.vifs(node)
        self.ha.start()
        self.traffic.start()
        for event in self.scenario.events:
            self.later(event.at_us, _bound(self._event, event))
        now = 0
        while now < until_us:
            now = min(now + PROGRESS_STEP_US, until_us)
            self.env.run(until=now)
            if progress is not None:
                progress(now, until_us)

    def later(self, delay_us: int, fn: Callable[[], None]) -> None:
        call_later(self.env, delay_us, fn)

    # frames -----------------------------------------------------------------------------

    def source_addresses(self, source: str, dst_ip: str) -> tuple[str, str, str] | None:
        host = self.hosts.get(source)
        if host is not None:
            hop = host.neighbours.get(dst_ip) or self.host_ips.get(dst_ip)
            gateway = host.spec.gateway
            if hop is None and gateway is not None:
                hop = host.neighbours.get(gateway)
            return None if hop is None else (host.mac, host.ip, hop)
        vif = self.addressing.vifs.get(source)
        if vif is None:
            return None
        hop = self.addressing.next_hop_mac(source, dst_ip, self.host_ips)
        return None if hop is None else (vif.mac, vif.ip, hop)

    def send_from(self, source: str, frame: Frame) -> None:
        host = self.hosts.get(source)
        if host is not None:
            host.send(frame)
            return
        placed = self.scenario.placed(source)
        if placed is not None:
            self.chassis[placed.chassis].from_vif(source, frame)

    def deliver_vif(self, vif: str, frame: Frame) -> None:
        self.traffic.at_vif(vif, frame)
        journey = self.plant.journey_flow
        if journey is not None and frame.flow_id == journey and frame.seq == 0:
            if frame.icmp_type == 0 or frame.proto != 1:  # echo reply (or any non-ICMP)
                self.plant.journey_flow = None  # the first journey is over

    def first_journey(self) -> dict[str, tuple[CamEntry, ...]]:
        """Per ToR, the entries the first flow's first packet and its reply wrote."""
        return {
            sw: tuple(sorted(entries.values(), key=lambda e: (e.vlan, e.mac)))
            for sw, entries in self.plant.journey.items()
        }

    def hop(self, frame: Frame, label: str) -> None:
        if frame.flow_id:
            self.traffic.hop(frame, label)

    def count_drop(self, frame: Frame, reason: str, n: int) -> None:
        if frame.flow_id:
            self.traffic.dropped(frame, reason, n)

    def partitioned(self, a: str, b: str) -> bool:
        if not self.groups:
            return False
        return not any(a in g and b in g for g in self.groups)

    # HA ---------------------------------------------------------------------------------

    def _send_bfd(self, local: str, peer: str, packet: BfdPacket) -> None:
        node = self.chassis[local]
        node.tunnel(peer, BfdMessage(local, packet), None)

    def _bfd_changed(self, viewer: str) -> None:
        self.elect(viewer)

    def elect(self, viewer: str) -> None:
        """Recompute `viewer`'s active gateways; on a change re-program it (and claim)."""
        node = self.chassis[viewer]
        changed = False
        now = int(self.env.now)
        for dgp, prios in self.placement.gateways.items():
            choice = elect(prios, viewer, lambda g: self.ha.forwarding(viewer, g))
            old = self.active.get((viewer, dgp), "")
            if choice == old:
                continue
            changed = True
            self.active[(viewer, dgp)] = choice
            self.extra_events.append(
                HaEvent(
                    time_us=now,
                    kind="active",
                    chassis=viewer,
                    port=dgp,
                    new=choice,
                    old=old or None,
                )
            )
        if not changed or not node.alive:
            return
        is_gateway = node.spec.role == "gateway"
        if is_gateway and not node.controller:
            return  # the flows stay as they were until ovn-controller runs again
        executor = node.executor
        if executor is not None and hasattr(executor, "set_placement"):
            executor.set_placement(self.view_of(viewer))
        if is_gateway:
            mine = {d for (v, d), g in self.active.items() if v == viewer and g == viewer}
            self.announcer.gateways(node, mine)

    # events -----------------------------------------------------------------------------

    def _event(self, event: Event) -> None:
        from ovntwin.fabric.events import apply_event

        apply_event(self, event)

    def results(self, until_us: int, wall_s: float) -> Results:
        from ovntwin.fabric.results import Results as R

        now = int(self.env.now)
        direct = 2 * self.scenario.fabric.links.default.delay_us
        events = sorted(self.ha.events + self.extra_events, key=lambda e: e.time_us)
        moves = tuple(m for t in self.plant.tables.values() for m in t.moves)
        detections = tuple(d for t in self.plant.tables.values() for d in t.detections)
        return R(
            scenario=self.scenario.name,
            variant=self.scenario.variant,
            seed=self.scenario.seed,
            until_us=until_us,
            mac_moves=tuple(sorted(moves, key=lambda m: m.time_us)),
            detections=tuple(sorted(detections, key=lambda d: d.time_us)),
            cam={n: tuple(t.entries(now)) for n, t in self.plant.tables.items()},
            cam_first_journey=self.first_journey(),
            ha_events=tuple(events),
            flows=self.traffic.results(until_us, direct),
            wall_time_s=wall_s,
        )


def _nic_receiver(node: ChassisNode, network: str) -> Callable[[object], None]:
    return lambda wire: node.on_wire(network, wire)  # type: ignore[arg-type]


def _bound(fn: Callable[[object], None] | Callable[..., None], arg: object) -> Callable[[], None]:
    return lambda: fn(arg)


__all__ = ["ChassisEvent", "LinkEvent", "PartitionEvent", "QoSEvent", "simulate", "with_qos"]
