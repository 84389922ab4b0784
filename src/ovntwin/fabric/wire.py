"""The physical plant: NIC <-> ToR links with delays, ToR forwarding by its MAC table.

A `Wire` is what crosses a link: outer Ethernet source/destination, the 802.1Q tag, a
size and a train `count`, and an opaque payload (a logical Frame on a VLAN/flat
network; a tunnelled frame or a BFD packet on the overlay). The ToR learns and
forwards on the outer header only, through `tor.MacTable`. A link that is down drops
frames both ways. Serialisation delay is size x 8 / rate when the link has a rate;
there are no queues (deliberate: the scenarios never load a link near its rate).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import simpy

from ovntwin.fabric.spec import Attachment, FabricSpec
from ovntwin.fabric.tor import CamEntry, MacTable, is_group

Receiver = Callable[["Wire"], None]
Capture = Callable[[int, str, "Wire"], None]  # (now_us, "switch:port", wire) on ToR ingress


@dataclass(frozen=True, slots=True)
class Wire:
    src: str
    dst: str
    tag: int | None
    size_bytes: int
    payload: Any
    count: int = 1


def call_later(env: simpy.Environment, delay_us: int, fn: Callable[[], None]) -> None:
    """Run `fn` `delay_us` from now (a bare timeout with a callback: no process needed)."""
    event = env.timeout(delay_us)
    event.callbacks.append(lambda _e: fn())


class Plant:
    """Every ToR and what is plugged into each of its ports."""

    def __init__(self, env: simpy.Environment, spec: FabricSpec) -> None:
        self.env = env
        self.spec = spec
        self.tables = {s.name: MacTable(s) for s in spec.switches}
        self._receivers: dict[tuple[str, str], Receiver] = {}
        self._down: set[tuple[str, str]] = set()
        self.frames = 0  # wires forwarded by ToRs (for reports and benchmarks)
        self.capture: Capture | None = None  # a tap on every frame entering a ToR port
        # The first journey: entries written by frames of flow `journey_flow`, seq 0.
        self.journey_flow: str | None = None
        self.journey: dict[str, dict[tuple[int, str], CamEntry]] = {}

    def plug(self, at: Attachment, receiver: Receiver) -> None:
        self._receivers[(at.switch, at.port)] = receiver

    def link(self, at: Attachment, up: bool) -> None:
        key = (at.switch, at.port)
        table = self.tables[at.switch]
        if up:
            self._down.discard(key)
            table.link_up(at.port)
        else:
            self._down.add(key)
            table.link_down(at.port)

    def is_up(self, at: Attachment) -> bool:
        return (at.switch, at.port) not in self._down

    def delay(self, at: Attachment, wire: Wire) -> int:
        link = self.spec.links.at(at)
        if link.rate_kbps:
            # bits * 1000 / kbps = µs of serialisation for the whole train
            return link.delay_us + wire.size_bytes * 8 * wire.count * 1000 // link.rate_kbps
        return link.delay_us

    def send(self, at: Attachment, wire: Wire) -> None:
        """A NIC plugged at `at` transmits `wire`; the ToR gets it after the link delay."""
        if not self.is_up(at):
            return
        call_later(self.env, self.delay(at, wire), lambda: self._switch(at, wire))

    def _switch(self, at: Attachment, wire: Wire) -> None:
        if not self.is_up(at):
            return
        table = self.tables[at.switch]
        now = int(self.env.now)
        if self.capture is not None:
            self.capture(now, f"{at.switch}:{at.port}", wire)
        fwd = table.receive(now, at.port, wire.tag, wire.src, wire.dst)
        self.frames += 1
        if self.journey_flow is not None and fwd.vlan is not None:
            self._journey(at, wire, fwd.vlan, now)
        for egress in fwd.egress:
            out = Attachment(switch=at.switch, port=egress.port)
            receiver = self._receivers.get((at.switch, egress.port))
            if receiver is None or not self.is_up(out):
                continue
            copy = wire if egress.tag == wire.tag else replace(wire, tag=egress.tag)
            call_later(self.env, self.delay(out, copy), _deliver(self, out, receiver, copy))

    def _journey(self, at: Attachment, wire: Wire, vlan: int, now: int) -> None:
        frame = wire.payload
        flow_id = getattr(frame, "flow_id", None)
        if flow_id == self.journey_flow and getattr(frame, "seq", None) == 0:
            if not is_group(wire.src):
                entry = CamEntry(vlan, wire.src.lower(), at.port, now)
                self.journey.setdefault(at.switch, {})[(vlan, entry.mac)] = entry


def _deliver(plant: Plant, at: Attachment, receiver: Receiver, wire: Wire) -> Callable[[], None]:
    def run() -> None:
        if plant.is_up(at):
            receiver(wire)

    return run
