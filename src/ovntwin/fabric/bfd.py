"""One BFD session (RFC 5880, asynchronous mode) as Open vSwitch's lib/bfd.c runs it.

ovn-controller enables BFD on every tunnel to a chassis it shares an HA chassis group
with, passing SB_Global options bfd-min-rx/bfd-min-tx/bfd-mult (OVN controller/bfd.c);
the session state "up" is what makes a gateway count as alive.

The session is pure: every method takes the current time and returns what happened.
A driver calls `transmit` when `next_tx_us()` is due (it may be in the past: send now),
`poll` when `wake_us()` is due (detection timeout, poll-sequence start), and `receive`
for every packet from the peer. Randomness (transmit jitter) comes only from the
`random.Random` handed in. Intervals are whole milliseconds as in OVS; times are µs.

Behaviour kept from OVS: defaults min_rx 1000 ms / min_tx 100 ms / mult 3; a session starts
Down and sends at once; the reception table of RFC 5880 §6.8.6 as OVS codes it; detection
time = remote mult x max(local min_rx, remote desired min_tx) re-armed on every accepted
packet (§6.8.4); transmit interval = max(local desired min_tx, remote required min_rx),
with desired min_tx raised to 1 s while not Up (§6.8.3), minus 0-25 % jitter (10-25 %
when mult is 1, §6.8.7); parameter changes while Up run a Poll/Final sequence (§6.5).
Left out: demand mode, echo, authentication, decay_min_rx, forwarding_if_rx, cpath_down.
OVS never enters AdminDown itself (it deletes the session); `set_admin_down` follows
RFC 5880 §6.8.16 for the fabric's "ovn-controller stop" style failures.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum

from ovntwin.errors import InvalidValue

DEFAULT_MIN_RX_MS = 1000  # OVS Interface bfd:min_rx default (lib/bfd.c bfd_configure)
DEFAULT_MIN_TX_MS = 100  # OVS Interface bfd:min_tx default (lib/bfd.c bfd_configure)
DEFAULT_MULT = 3  # OVS DEFAULT_MULT (lib/bfd.c); mult outside 1..255 falls back to it
MAX_MULT = 255  # Detect Mult is one octet (RFC 5880 §4.1)
SLOW_TX_MS = 1000  # desired min TX while not Up: at least one second (RFC 5880 §6.8.3)
JITTER_MAX_PCT = 25  # interval reduced by 0..25 % (RFC 5880 §6.8.7; OVS random_range(26))
JITTER_MULT1_MIN_PCT = 10  # with mult 1 the reduction is 10..25 % (RFC 5880 §6.8.7)
US_PER_MS = 1000


class State(IntEnum):
    """bfd.SessionState values (RFC 5880 §4.1 'Sta')."""

    ADMIN_DOWN = 0
    DOWN = 1
    INIT = 2
    UP = 3


class Diag(IntEnum):
    """Diagnostic codes (RFC 5880 §4.1 'Diag')."""

    NONE = 0
    EXPIRED = 1  # Control Detection Time Expired
    ECHO_FAILED = 2
    NEIGHBOR_DOWN = 3  # Neighbor Signaled Session Down
    FWD_RESET = 4
    PATH_DOWN = 5
    CPATH_DOWN = 6
    ADMIN_DOWN = 7
    RCPATH_DOWN = 8


@dataclass(frozen=True)
class BfdConfig:
    """Interface bfd:min_rx/min_tx (ms) and mult, validated the way OVS does."""

    min_rx_ms: int = DEFAULT_MIN_RX_MS
    min_tx_ms: int = DEFAULT_MIN_TX_MS
    mult: int = DEFAULT_MULT

    def __post_init__(self) -> None:
        if self.min_rx_ms < 1 or self.min_tx_ms < 1 or not 1 <= self.mult <= MAX_MULT:
            raise InvalidValue(f"BFD intervals must be >= 1 ms and mult in 1..255: {self}")

    @classmethod
    def from_options(cls, options: Mapping[str, str]) -> BfdConfig:
        """From NB_Global/SB_Global options bfd-min-rx, bfd-min-tx, bfd-mult.

        Like OVS: intervals below 1 become 1, a mult outside 1..255 becomes 3, and an
        unparsable value means the default (smap_get_int)."""
        rx = max(_int(options.get("bfd-min-rx"), DEFAULT_MIN_RX_MS), 1)
        tx = max(_int(options.get("bfd-min-tx"), DEFAULT_MIN_TX_MS), 1)
        mult = _int(options.get("bfd-mult"), DEFAULT_MULT)
        return cls(rx, tx, mult if 1 <= mult <= MAX_MULT else DEFAULT_MULT)


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


@dataclass(frozen=True)
class BfdPacket:
    """The fields of a BFD Control packet the state machine reads (RFC 5880 §4.1)."""

    state: State
    diag: Diag
    mult: int
    my_disc: int
    your_disc: int
    desired_min_tx_us: int
    required_min_rx_us: int
    poll: bool = False
    final: bool = False


@dataclass(frozen=True)
class Change:
    """A state (or diagnostic) change of a session."""

    time_us: int
    old: State
    new: State
    diag: Diag


class BfdSession:
    """bfd.* state variables of one session (RFC 5880 §6.8.1) plus OVS's timers."""

    def __init__(self, disc: int, config: BfdConfig, rng: random.Random, now_us: int = 0) -> None:
        if disc <= 0:
            raise InvalidValue(f"BFD local discriminator must be nonzero: {disc}")
        self.disc = disc
        self.config = config
        self._rng = rng
        self.state = State.DOWN
        self.diag = Diag.NONE
        self.min_tx_ms = config.min_tx_ms  # bfd.DesiredMinTxInterval (before §6.8.3)
        self.min_rx_ms = config.min_rx_ms  # bfd.RequiredMinRxInterval
        self._poll_min_tx_ms = 0
        self._poll_min_rx_ms = 0
        self.polling = False  # our Poll sequence is running (P bit set)
        self._final_due = False  # a received Poll awaits our Final
        self._forget_remote()
        self.last_tx_us = now_us
        self._next_tx_us = 0  # 0: send at once (OVS starts with next_tx = 0)
        self.detect_us = 0

    def _forget_remote(self) -> None:
        self.rmt_state = State.DOWN
        self.rmt_diag = Diag.NONE
        self.rmt_disc = 0
        self.rmt_min_rx_ms = 1  # OVS resets the remote min RX to 1 ms when going Down
        self.rmt_min_tx_ms = 0
        self.rmt_mult = 0

    # timers ---------------------------------------------------------------------------

    def desired_min_tx_ms(self) -> int:
        """The TX interval we may use: at least 1 s while not Up (RFC 5880 §6.8.3)."""
        return self.min_tx_ms if self.state == State.UP else max(self.min_tx_ms, SLOW_TX_MS)

    def tx_interval_ms(self) -> int:
        return max(self.desired_min_tx_ms(), self.rmt_min_rx_ms)

    def rx_interval_ms(self) -> int:
        return max(self.min_rx_ms, self.rmt_min_tx_ms)

    def detect_time_ms(self) -> int:
        """Detection time in asynchronous mode (RFC 5880 §6.8.4)."""
        return self.rmt_mult * self.rx_interval_ms()

    def _schedule_tx(self) -> None:
        interval = self.tx_interval_ms()
        if self.config.mult == 1:
            spread = JITTER_MAX_PCT - JITTER_MULT1_MIN_PCT + 1
            cut = JITTER_MULT1_MIN_PCT + self._rng.randrange(spread)
        else:
            cut = self._rng.randrange(JITTER_MAX_PCT + 1)
        self._next_tx_us = self.last_tx_us + (interval - interval * cut // 100) * US_PER_MS

    def next_tx_us(self) -> int:
        """When the next Control packet is due (at or before now: send now)."""
        return 0 if self._final_due else self._next_tx_us

    def wake_us(self) -> int:
        """The earliest time `transmit` or `poll` has something to do."""
        if self.state > State.DOWN:
            return min(self.next_tx_us(), self.detect_us)
        return self.next_tx_us()

    @property
    def forwarding(self) -> bool:
        """OVS bfd_forwarding without overrides: Up and the peer reports no path down."""
        path_down = (Diag.PATH_DOWN, Diag.CPATH_DOWN, Diag.RCPATH_DOWN)
        return self.state == State.UP and self.rmt_diag not in path_down

    # state ------------------------------------------------------------------------------

    def _set_state(self, now_us: int, state: State, diag: Diag) -> list[Change]:
        if state == self.state and diag == self.diag:
            return []
        change = Change(now_us, self.state, state, diag)
        self.state, self.diag = state, diag
        if state <= State.DOWN:
            self._forget_remote()
        return [change]

    def poll(self, now_us: int) -> list[Change]:
        """Periodic work (OVS bfd_run): detection timeout, then a pending Poll sequence."""
        changes: list[Change] = []
        if self.state > State.DOWN and now_us >= self.detect_us:
            changes = self._set_state(now_us, State.DOWN, Diag.EXPIRED)
        if self.min_tx_ms != self.config.min_tx_ms or self.min_rx_ms != self.config.min_rx_ms:
            self._start_poll()
        return changes

    def _start_poll(self) -> None:
        if self.state > State.DOWN and not self.polling and not self._final_due:
            self._poll_min_tx_ms = self.config.min_tx_ms
            self._poll_min_rx_ms = self.config.min_rx_ms
            self.polling = True
            self._next_tx_us = 0

    def reconfigure(self, config: BfdConfig) -> None:
        """New bfd options (OVS bfd_configure): applied at once or by a Poll sequence."""
        old, self.config = self.config, config
        need_poll = False
        if config.min_tx_ms != old.min_tx_ms:
            if self.state != State.UP or (not self.polling and config.min_tx_ms < self.min_tx_ms):
                self.min_tx_ms = config.min_tx_ms
            need_poll = True
        if config.min_rx_ms != old.min_rx_ms:
            if self.state != State.UP or (not self.polling and config.min_rx_ms > self.min_rx_ms):
                self.min_rx_ms = config.min_rx_ms
            need_poll = True
        if need_poll:
            self._start_poll()

    def set_admin_down(self, now_us: int, down: bool) -> list[Change]:
        """Enter AdminDown (diag 7) or leave it for Down (RFC 5880 §6.8.16)."""
        if down:
            return self._set_state(now_us, State.ADMIN_DOWN, Diag.ADMIN_DOWN)
        if self.state == State.ADMIN_DOWN:
            return self._set_state(now_us, State.DOWN, Diag.NONE)
        return []

    # packets ----------------------------------------------------------------------------

    def transmit(self, now_us: int) -> BfdPacket:
        """Build the Control packet sent now and schedule the next one (bfd_put_packet)."""
        if self.polling:
            tx, rx = self._poll_min_tx_ms, self._poll_min_rx_ms
        else:
            tx, rx = self.desired_min_tx_ms(), self.min_rx_ms
        packet = BfdPacket(
            state=self.state,
            diag=self.diag,
            mult=self.config.mult,
            my_disc=self.disc,
            your_disc=self.rmt_disc,
            desired_min_tx_us=tx * US_PER_MS,
            required_min_rx_us=rx * US_PER_MS,
            poll=self.polling,
            final=self._final_due,
        )
        self._final_due = False
        self.last_tx_us = now_us
        self._schedule_tx()
        return packet

    def _acceptable(self, packet: BfdPacket) -> bool:
        """The discard rules of RFC 5880 §6.8.6 that apply to our packet model."""
        if packet.mult == 0 or packet.my_disc == 0:
            return False
        if packet.your_disc:
            return packet.your_disc == self.disc
        return packet.state <= State.DOWN  # Your Discriminator 0 only while Down/AdminDown

    def receive(self, now_us: int, packet: BfdPacket) -> list[Change]:
        """Process a Control packet from the peer (RFC 5880 §6.8.6, OVS ordering)."""
        if not self._acceptable(packet):
            return []
        self._learn_remote(packet)
        self.detect_us = now_us + self.detect_time_ms() * US_PER_MS
        if self.state == State.ADMIN_DOWN:
            return []
        return self._reception_table(now_us, packet.state)

    def _learn_remote(self, packet: BfdPacket) -> None:
        self.rmt_disc = packet.my_disc
        self.rmt_state = packet.state
        self.rmt_diag = packet.diag
        if packet.final and self.polling:
            self.min_tx_ms, self.min_rx_ms = self._poll_min_tx_ms, self._poll_min_rx_ms
            self.polling = False
        if packet.poll:  # answer with Final at once (RFC 5880 §6.5)
            self.polling = False
            self._final_due = True
        self.rmt_mult = packet.mult
        rmt_min_rx = max(packet.required_min_rx_us // US_PER_MS, 1)
        if rmt_min_rx != self.rmt_min_rx_ms:
            self.rmt_min_rx_ms = rmt_min_rx
            if self._next_tx_us:
                self._schedule_tx()
        self.rmt_min_tx_ms = max(packet.desired_min_tx_us // US_PER_MS, 1)

    def _reception_table(self, now_us: int, remote: State) -> list[Change]:
        if remote == State.ADMIN_DOWN:
            if self.state != State.DOWN:
                return self._set_state(now_us, State.DOWN, Diag.NEIGHBOR_DOWN)
            return []
        if self.state == State.DOWN:
            if remote == State.DOWN:
                return self._set_state(now_us, State.INIT, self.diag)
            if remote == State.INIT:
                return self._set_state(now_us, State.UP, self.diag)
        elif self.state == State.INIT:
            if remote > State.DOWN:
                return self._set_state(now_us, State.UP, self.diag)
        elif remote <= State.DOWN:  # Up
            return self._set_state(now_us, State.DOWN, Diag.NEIGHBOR_DOWN)
        return []
