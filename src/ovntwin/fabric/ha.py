"""L3HA: BFD sessions between chassis over the overlay, and who is the active gateway.

ovn-controller turns BFD on for the tunnels between the chassis of an HA chassis group
and the chassis that need them (OVN controller/bfd.c); the fabric runs one session per
ordered pair compute<->gateway and gateway<->gateway, configured from NB_Global
bfd-min-rx / bfd-min-tx / bfd-mult (northd copies them to SB_Global). BFD lives in
ovs-vswitchd, so an ovn-controller stop leaves it running; a crash silences it.

Each chassis picks the active gateway of a distributed gateway port itself: its
highest-priority gateway whose BFD session (as seen from this chassis) is forwarding;
a gateway counts itself alive while at least one of its own BFD sessions forwards
(ovn-controller's ha_chassis_group_is_active: an empty set of active tunnels means the
chassis lost the overlay, so it does not claim; a lone gateway always does). On
computes the OVS `bundle(active_backup)` over BFD-watched tunnels makes the same choice.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import simpy

from ovntwin.fabric.bfd import BfdConfig, BfdPacket, BfdSession, Change
from ovntwin.fabric.results import HaEvent
from ovntwin.fabric.wire import call_later

SendBfd = Callable[[str, str, BfdPacket], None]  # (local, peer, packet)


class _Driver:
    """Runs one session's timers on the simpy clock (re-armed on every packet)."""

    def __init__(self, ha: Ha, local: str, peer: str, session: BfdSession) -> None:
        self.ha, self.local, self.peer, self.session = ha, local, peer, session
        self.version = 0
        self.running = True

    def arm(self) -> None:
        self.version += 1
        version = self.version
        now = int(self.ha.env.now)
        wake = max(self.session.wake_us(), now)
        call_later(self.ha.env, wake - now, lambda: self._fire(version))

    def _fire(self, version: int) -> None:
        if version != self.version or not self.running:
            return
        now = int(self.ha.env.now)
        changes = self.session.poll(now)
        if self.session.next_tx_us() <= now:
            self.ha.send(self.local, self.peer, self.session.transmit(now))
        self.ha.changed(self, changes)
        self.arm()


class Ha:
    """Every BFD session of the fabric and the events they produce."""

    def __init__(
        self,
        env: simpy.Environment,
        config: BfdConfig,
        pairs: list[tuple[str, str]],
        rng: random.Random,
        send: SendBfd,
        on_change: Callable[[str], None],
    ) -> None:
        self.env = env
        self.config = config
        self.rng = rng
        self.send = send
        self.on_change = on_change
        self.events: list[HaEvent] = []
        self._pairs = pairs
        self._discs = {pair: i + 1 for i, pair in enumerate(pairs)}
        self.drivers: dict[tuple[str, str], _Driver] = {}
        for pair in pairs:
            self._new_driver(pair)

    def _new_driver(self, pair: tuple[str, str]) -> None:
        session = BfdSession(self._discs[pair], self.config, self.rng, int(self.env.now))
        self.drivers[pair] = _Driver(self, pair[0], pair[1], session)

    def start(self) -> None:
        for driver in self.drivers.values():
            driver.arm()

    def changed(self, driver: _Driver, changes: list[Change]) -> None:
        for change in changes:
            self.events.append(
                HaEvent(
                    time_us=change.time_us,
                    kind="bfd",
                    chassis=driver.local,
                    peer=driver.peer,
                    old=change.old.name.lower().replace("_", "-"),
                    new=change.new.name.lower().replace("_", "-"),
                    diag=change.diag.name.lower(),
                )
            )
        if changes:
            self.on_change(driver.local)

    def receive(self, local: str, peer: str, packet: BfdPacket) -> None:
        driver = self.drivers.get((local, peer))
        if driver is None or not driver.running:
            return
        changes = driver.session.receive(int(self.env.now), packet)
        self.changed(driver, changes)
        driver.arm()

    def forwarding(self, local: str, peer: str) -> bool:
        """BFD from `local` to `peer` forwards; `peer == local`: `local` may be active."""
        if local == peer:
            return self._self_alive(local)
        driver = self.drivers.get((local, peer))
        return driver is not None and driver.running and driver.session.forwarding

    def _self_alive(self, local: str) -> bool:
        """A gateway with no forwarding session has lost the overlay and is not active
        (OVN: empty active_tunnels); one whose every peer has no other peer is the only
        gateway of the fabric, which OVN makes active regardless (a 1-member group)."""
        peers = [p for (a, p), d in self.drivers.items() if a == local]
        if any(self.forwarding(local, p) for p in peers):
            return True
        return all(all(b == local for (a, b) in self.drivers if a == p) for p in peers)

    def stop(self, chassis: str) -> None:
        """The chassis crashed: its sessions are gone (silent; peers time out)."""
        for (local, _peer), driver in self.drivers.items():
            if local == chassis:
                driver.running = False
                driver.version += 1

    def restart(self, chassis: str) -> None:
        """The chassis booted again: fresh sessions, starting Down."""
        for pair in list(self.drivers):
            if pair[0] == chassis:
                self._new_driver(pair)
                self.drivers[pair].arm()


def bfd_pairs(computes: list[str], gateways: list[str]) -> list[tuple[str, str]]:
    """Ordered (local, peer) pairs: compute<->gateway and gateway<->gateway."""
    pairs: list[tuple[str, str]] = []
    for gw in gateways:
        for other in computes + gateways:
            if other != gw:
                pairs.append((gw, other))
                if other in computes:
                    pairs.append((other, gw))
    return sorted(set(pairs))


def elect(
    gateways: tuple[tuple[str, int], ...], me: str, alive: Callable[[str], bool]
) -> str | None:
    """The active gateway as chassis `me` sees it (priorities best first); `alive(me)`
    says whether `me` itself may be active (see Ha.forwarding)."""
    for name, _prio in gateways:
        if alive(name):
            return name
    return None
