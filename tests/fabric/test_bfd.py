"""BFD sessions driven over a simulated link: handshake, detection bounds, AdminDown, Poll."""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ovntwin.errors import InvalidValue
from ovntwin.fabric.bfd import BfdConfig, BfdPacket, BfdSession, Change, Diag, State

MS = 1000
SEC = 1_000_000


@dataclass
class Pair:
    """Two sessions joined by a link with a fixed one-way delay."""

    a: BfdSession
    b: BfdSession
    delay_us: int = 500
    now: int = 0
    silent: Callable[[str, int], bool] = lambda side, t: False
    boot_us: dict[str, int] = field(default_factory=lambda: {"a": 0, "b": 0})
    changes: dict[str, list[Change]] = field(default_factory=lambda: {"a": [], "b": []})
    sent: dict[str, list[tuple[int, BfdPacket]]] = field(default_factory=lambda: {"a": [], "b": []})
    received: dict[str, list[int]] = field(default_factory=lambda: {"a": [], "b": []})
    _wire: list[tuple[int, int, str, BfdPacket]] = field(default_factory=list)
    _seq: int = 0

    def session(self, side: str) -> BfdSession:
        return self.a if side == "a" else self.b

    def run(self, until_us: int) -> None:
        while True:
            wakes = [(max(self.session(s).wake_us(), self.now, self.boot_us[s]), s) for s in "ab"]
            t_wake, side = min(wakes)
            if self._wire and self._wire[0][0] <= t_wake:
                t, _, dst, packet = heapq.heappop(self._wire)
                if t > until_us:
                    heapq.heappush(self._wire, (t, 0, dst, packet))
                    break
                self.now = t
                if t < self.boot_us[dst]:
                    continue  # not running yet: the packet is lost
                self.received[dst].append(t)
                self.changes[dst] += self.session(dst).receive(t, packet)
                continue
            if t_wake > until_us:
                break
            self.now = t_wake
            self._step(side)
        self.now = until_us

    def _step(self, side: str) -> None:
        session = self.session(side)
        self.changes[side] += session.poll(self.now)
        if session.next_tx_us() <= self.now:
            packet = session.transmit(self.now)
            self.sent[side].append((self.now, packet))
            if not self.silent(side, self.now):
                self._seq += 1
                other = "b" if side == "a" else "a"
                heapq.heappush(self._wire, (self.now + self.delay_us, self._seq, other, packet))


def _pair(cfg_a: BfdConfig, cfg_b: BfdConfig, seed: int = 1, delay_us: int = 500) -> Pair:
    rng = random.Random(seed)
    return Pair(BfdSession(1, cfg_a, rng), BfdSession(2, cfg_b, rng), delay_us)


def _states(changes: list[Change]) -> list[State]:
    return [c.new for c in changes]


def test_simultaneous_start_comes_up_through_init() -> None:
    pair = _pair(BfdConfig(), BfdConfig())
    pair.run(5 * SEC)
    assert pair.a.state == pair.b.state == State.UP
    assert _states(pair.changes["a"]) == [State.INIT, State.UP]
    assert _states(pair.changes["b"]) == [State.INIT, State.UP]


def test_three_way_handshake_with_late_peer() -> None:
    rng = random.Random(7)
    pair = Pair(BfdSession(1, BfdConfig(), rng), BfdSession(2, BfdConfig(), rng, 5 * SEC))
    pair.boot_us["b"] = 5 * SEC
    pair.run(10 * SEC)
    # a hears b's Down -> Init; b hears a's Init -> Up; a hears b's Up -> Up
    assert _states(pair.changes["a"]) == [State.INIT, State.UP]
    assert _states(pair.changes["b"]) == [State.UP]
    assert pair.changes["b"][0].time_us < pair.changes["a"][1].time_us


def test_not_up_sends_at_most_once_a_second_then_speeds_up() -> None:
    cfg = BfdConfig(min_rx_ms=100, min_tx_ms=100, mult=3)
    pair = _pair(cfg, cfg)
    pair.boot_us["b"] = 5 * SEC  # a alone (Down) for 5 s
    pair.run(20 * SEC)
    up_at = pair.changes["a"][-1].time_us
    times = [t for t, _ in pair.sent["a"]]
    gaps_before = [b - a for a, b in zip(times, times[1:], strict=False) if b <= up_at]
    gaps_after = [b - a for a, b in zip(times, times[1:], strict=False) if a > up_at + SEC]
    assert gaps_before and all(750 * MS <= g <= 1000 * MS for g in gaps_before)
    assert gaps_after and all(75 * MS <= g <= 100 * MS for g in gaps_after)


def test_default_intervals_when_up() -> None:
    pair = _pair(BfdConfig(), BfdConfig())
    pair.run(30 * SEC)
    assert pair.a.tx_interval_ms() == 1000  # max(min_tx 100, remote min_rx 1000)
    assert pair.a.detect_time_ms() == 3000  # 3 x max(min_rx 1000, remote min_tx 100)


def test_jitter_with_mult_one_is_75_to_90_percent() -> None:
    cfg = BfdConfig(min_rx_ms=100, min_tx_ms=100, mult=1)
    pair = _pair(cfg, cfg, seed=3)
    pair.run(60 * SEC)
    up_at = max(c.time_us for c in pair.changes["a"])
    times = [t for t, _ in pair.sent["a"] if t > up_at + SEC]
    gaps = {b - a for a, b in zip(times, times[1:], strict=False)}
    assert min(gaps) == 75 * MS and max(gaps) == 90 * MS


@settings(max_examples=60, deadline=None)
@given(
    rx_a=st.integers(10, 2000),
    tx_a=st.integers(10, 2000),
    mult_a=st.integers(1, 5),
    rx_b=st.integers(10, 2000),
    tx_b=st.integers(10, 2000),
    mult_b=st.integers(1, 5),
    seed=st.integers(0, 1000),
    silence_ms=st.integers(0, 5000),
)
def test_detection_when_peer_goes_silent(
    rx_a: int,
    tx_a: int,
    mult_a: int,
    rx_b: int,
    tx_b: int,
    mult_b: int,
    seed: int,
    silence_ms: int,
) -> None:
    cfg_a, cfg_b = BfdConfig(rx_a, tx_a, mult_a), BfdConfig(rx_b, tx_b, mult_b)
    pair = _pair(cfg_a, cfg_b, seed)
    pair.run(20 * SEC)
    assert pair.a.state == pair.b.state == State.UP
    silent_at = pair.now + silence_ms * MS
    pair.silent = lambda side, t: side == "b" and t >= silent_at
    detect_us = mult_b * max(rx_a, tx_b) * MS  # remote mult x max(local rx, remote tx)
    b_tx_us = max(tx_b, rx_a) * MS  # b's interval while Up
    assert pair.a.detect_time_ms() * MS == detect_us
    pair.run(silent_at + detect_us + 2 * b_tx_us)
    down = [c for c in pair.changes["a"] if c.time_us >= silent_at]
    assert down[0].new == State.DOWN and down[0].diag == Diag.EXPIRED
    last_rx = max(t for t in pair.received["a"] if t <= down[0].time_us)
    assert down[0].time_us == last_rx + detect_us
    assert detect_us - b_tx_us - pair.delay_us < down[0].time_us - silent_at <= detect_us


def test_admin_down_peer_brings_session_down_and_back() -> None:
    cfg = BfdConfig(100, 100, 3)
    pair = _pair(cfg, cfg)
    pair.run(5 * SEC)
    assert pair.b.set_admin_down(pair.now, True) == [
        Change(5 * SEC, State.UP, State.ADMIN_DOWN, Diag.ADMIN_DOWN)
    ]
    pair.run(10 * SEC)
    assert pair.a.state == State.DOWN
    assert pair.changes["a"][-1].diag == Diag.NEIGHBOR_DOWN
    assert pair.b.state == State.ADMIN_DOWN  # ignores a's packets meanwhile
    pair.b.set_admin_down(pair.now, False)
    pair.run(15 * SEC)
    assert pair.a.state == pair.b.state == State.UP


def test_poll_sequence_applies_a_slower_tx() -> None:
    cfg = BfdConfig(100, 100, 3)
    pair = _pair(cfg, cfg)
    pair.run(5 * SEC)
    pair.a.reconfigure(BfdConfig(100, 300, 3))
    assert pair.a.polling and pair.a.min_tx_ms == 100  # slower TX waits for the Final
    pair.run(6 * SEC)
    assert not pair.a.polling and pair.a.min_tx_ms == 300
    polls = [p for t, p in pair.sent["a"] if p.poll]
    finals = [p for t, p in pair.sent["b"] if p.final]
    assert polls and finals and polls[0].desired_min_tx_us == 300 * MS
    assert pair.b.detect_time_ms() == 3 * 300
    assert pair.a.state == pair.b.state == State.UP


def test_discarded_packets() -> None:
    s = BfdSession(5, BfdConfig(), random.Random(0))
    good = BfdPacket(State.DOWN, Diag.NONE, 3, 9, 0, SEC, SEC)
    bad = [
        BfdPacket(State.DOWN, Diag.NONE, 0, 9, 0, SEC, SEC),  # zero mult
        BfdPacket(State.DOWN, Diag.NONE, 3, 0, 0, SEC, SEC),  # zero my_disc
        BfdPacket(State.DOWN, Diag.NONE, 3, 9, 6, SEC, SEC),  # not our discriminator
        BfdPacket(State.UP, Diag.NONE, 3, 9, 0, SEC, SEC),  # Up without your_disc
    ]
    for packet in bad:
        assert s.receive(0, packet) == [] and s.rmt_disc == 0
    assert s.receive(0, good) == [Change(0, State.DOWN, State.INIT, Diag.NONE)]
    assert s.rmt_disc == 9


def test_config_from_options_like_ovs() -> None:
    assert BfdConfig.from_options({}) == BfdConfig(1000, 100, 3)
    opts = {"bfd-min-rx": "100", "bfd-min-tx": "50", "bfd-mult": "5"}
    assert BfdConfig.from_options(opts) == BfdConfig(100, 50, 5)
    odd = {"bfd-min-rx": "0", "bfd-min-tx": "x", "bfd-mult": "300"}
    assert BfdConfig.from_options(odd) == BfdConfig(1, 100, 3)
    with pytest.raises(InvalidValue):
        BfdConfig(0, 1, 1)
    with pytest.raises(InvalidValue):
        BfdSession(0, BfdConfig(), random.Random(0))


def test_deterministic_for_a_seed() -> None:
    runs = []
    for _ in range(2):
        pair = _pair(BfdConfig(), BfdConfig(), seed=42)
        pair.run(20 * SEC)
        runs.append([t for t, _ in pair.sent["a"]])
    assert runs[0] == runs[1]
