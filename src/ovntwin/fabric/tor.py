"""A top-of-rack switch's MAC (CAM) table: learning, aging, forwarding, MAC-move detection.

Behaviour of an ordinary 802.1Q learning bridge (IEEE 802.1Q §8.7 learning process,
§8.8 filtering database): every frame's source (VLAN, MAC) is learned on its ingress
port; a known unicast destination goes out of its port, an unknown one (and broadcast,
multicast) is flooded to every other port of the VLAN. Entries not refreshed for the
aging time (300 s by default, spec.DEFAULT_MAC_AGING_US) are gone.

A *move* is the source of a known (VLAN, MAC) showing up on another port. The switch's
`MovePolicy` (spec.MOVE_POLICY_PRESETS: real switch defaults) fires when `moves` moves of
one (VLAN, MAC) fall within `window_us` (first to last move strictly less than the window
apart): `notify` only reports; `stop-learning` freezes that entry (no move, no refresh)
until `hold_us` passes; `err-disable` shuts the port the MAC moved to (its entries are
flushed, frames in and out are dropped) until `hold_us` passes. A hold of None lasts
until cleared by hand (`clear`). After a detection the move count of that MAC restarts.
Deliberate simplification: Nexus 9000's policy disables learning on the whole VLAN; we
freeze the one flapping entry, which is what the fabric's reports are about.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from ovntwin.errors import InvalidValue
from ovntwin.fabric.spec import MoveAction, MovePolicy, SwitchPort, TorSwitch

Key = tuple[int, str]  # (VLAN, MAC in lower-case colon form)


@dataclass(frozen=True)
class MacMove:
    time_us: int
    switch: str
    vlan: int
    mac: str
    from_port: str
    to_port: str


@dataclass(frozen=True)
class Detection:
    time_us: int
    switch: str
    vlan: int
    mac: str
    moves: int
    action: MoveAction
    port: str  # the port the MAC last moved to (the one err-disable shuts)
    until_us: int | None  # end of the hold; None: until cleared (or nothing held: notify)


@dataclass(frozen=True)
class CamEntry:
    vlan: int
    mac: str
    port: str
    last_seen_us: int


@dataclass(frozen=True)
class Egress:
    port: str
    tag: int | None  # 802.1Q VID on the wire; None: untagged (native/access VLAN)


@dataclass(frozen=True)
class Forwarding:
    """Where one received frame goes."""

    vlan: int | None  # the VLAN the frame was classified into (None: dropped at ingress)
    egress: tuple[Egress, ...]
    flooded: bool = False
    dropped: str | None = None  # why nothing went out, if so


def is_group(mac: str) -> bool:
    """Broadcast/multicast: the I/G bit of the first octet (IEEE 802 §8.2)."""
    return bool(int(mac[:2], 16) & 1)


class _Port:
    """A switch port with its VLAN membership as a set (spec tuples are long)."""

    def __init__(self, spec: SwitchPort) -> None:
        self.name = spec.name
        self.access = spec.mode == "access"
        self.native = spec.native_vlan
        self.tagged = frozenset() if self.access else frozenset(spec.vlans)

    def classify(self, tag: int | None) -> int | None:
        """The VLAN of a frame received with 802.1Q `tag`, or None if the port drops it."""
        if tag is None:
            return self.native
        return tag if tag in self.tagged or (not self.access and tag == self.native) else None

    def carries(self, vlan: int) -> bool:
        return vlan == self.native or vlan in self.tagged

    def tag_for(self, vlan: int) -> int | None:
        return None if vlan == self.native else vlan


class MacTable:
    """The forwarding state of one ToR switch; events go to `moves` and `detections`."""

    def __init__(self, spec: TorSwitch) -> None:
        self.spec = spec
        self.name = spec.name
        self.policy: MovePolicy | None = spec.move_detection
        self._ports = {p.name: _Port(p) for p in spec.ports}
        self._table: dict[Key, CamEntry] = {}
        self._history: dict[Key, deque[int]] = {}
        self._frozen: dict[Key, int | None] = {}  # stop-learning holds
        self._disabled: dict[str, int | None] = {}  # err-disabled ports (and links down)
        self.moves: list[MacMove] = []
        self.detections: list[Detection] = []

    # table ------------------------------------------------------------------------------

    def _alive(self, entry: CamEntry, now_us: int) -> bool:
        aging = self.spec.mac_aging_us
        return aging == 0 or now_us - entry.last_seen_us < aging  # 0: aging disabled

    def lookup(self, now_us: int, vlan: int, mac: str) -> str | None:
        """The port (VLAN, MAC) was learned on, if the entry is still alive."""
        key = (vlan, mac.lower())
        entry = self._table.get(key)
        if entry is None:
            return None
        if not self._alive(entry, now_us):
            del self._table[key]
            return None
        return entry.port

    def entries(self, now_us: int) -> list[CamEntry]:
        """The live table, sorted by VLAN, MAC (what `show mac address-table` lists)."""
        live = [e for e in self._table.values() if self._alive(e, now_us)]
        return sorted(live, key=lambda e: (e.vlan, e.mac))

    def learn(self, now_us: int, port: str, vlan: int, mac: str) -> None:
        """Learn `mac` on `port` in `vlan` from a frame's source address."""
        key = (vlan, mac.lower())
        if not self.spec.learning or is_group(mac) or self._is_frozen(key, now_us):
            return
        old = self._table.get(key)
        self._table[key] = CamEntry(vlan, key[1], port, now_us)
        if old is not None and old.port != port and self._alive(old, now_us):
            self._moved(now_us, key, old.port, port)

    def _is_frozen(self, key: Key, now_us: int) -> bool:
        if key not in self._frozen:
            return False
        until = self._frozen[key]
        if until is not None and now_us >= until:
            del self._frozen[key]
            return False
        return True

    # moves and detection ----------------------------------------------------------------

    def _moved(self, now_us: int, key: Key, from_port: str, to_port: str) -> None:
        vlan, mac = key
        self.moves.append(MacMove(now_us, self.name, vlan, mac, from_port, to_port))
        policy = self.policy
        if policy is None:
            return
        history = self._history.setdefault(key, deque())
        history.append(now_us)
        while now_us - history[0] >= policy.window_us:
            history.popleft()
        if len(history) >= policy.moves:
            del self._history[key]
            self._detect(now_us, key, to_port, policy)

    def _detect(self, now_us: int, key: Key, port: str, policy: MovePolicy) -> None:
        until = None if policy.hold_us is None else now_us + policy.hold_us
        if policy.action == "stop-learning":
            self._frozen[key] = until
        elif policy.action == "err-disable":
            self._shut(port, until)
        vlan, mac = key
        held = until if policy.action != "notify" else None
        self.detections.append(
            Detection(now_us, self.name, vlan, mac, policy.moves, policy.action, port, held)
        )

    def _shut(self, port: str, until: int | None) -> None:
        self._disabled[port] = until
        self._table = {k: e for k, e in self._table.items() if e.port != port}

    def port_enabled(self, now_us: int, port: str) -> bool:
        if port not in self._disabled:
            return True
        until = self._disabled[port]
        if until is not None and now_us >= until:
            del self._disabled[port]  # err-disable recovery
            return True
        return False

    def link_down(self, port: str) -> None:
        """The link of `port` failed: entries on it are flushed until `link_up`."""
        self._port(port)
        self._shut(port, None)

    def link_up(self, port: str) -> None:
        self._port(port)
        self._disabled.pop(port, None)

    def clear(self) -> None:
        """Operator clears every hold (stop-learning and err-disabled ports)."""
        self._frozen.clear()
        self._disabled.clear()
        self._history.clear()

    # forwarding -------------------------------------------------------------------------

    def _port(self, name: str) -> _Port:
        port = self._ports.get(name)
        if port is None:
            raise InvalidValue(f"switch {self.name} has no port {name!r}")
        return port

    def receive(self, now_us: int, port: str, tag: int | None, src: str, dst: str) -> Forwarding:
        """A frame from `src` to `dst` enters `port` with 802.1Q `tag` (None: untagged)."""
        ingress = self._port(port)
        if not self.port_enabled(now_us, port):
            return Forwarding(None, (), dropped="ingress port disabled")
        vlan = ingress.classify(tag)
        if vlan is None:
            return Forwarding(None, (), dropped=f"VLAN {tag} not allowed on {port}")
        self.learn(now_us, port, vlan, src)
        known = None if is_group(dst) else self.lookup(now_us, vlan, dst)
        if known is not None:
            if known == port:
                return Forwarding(vlan, (), dropped="destination on the ingress port")
            out = self._ports[known]
            return Forwarding(vlan, (Egress(known, out.tag_for(vlan)),))
        if not is_group(dst) and not self.spec.flood_unknown:
            return Forwarding(vlan, (), dropped="unknown unicast not flooded")
        flood = tuple(
            Egress(p.name, p.tag_for(vlan))
            for p in self._ports.values()
            if p.name != port and p.carries(vlan) and self.port_enabled(now_us, p.name)
        )
        return Forwarding(vlan, flood, flooded=True)
