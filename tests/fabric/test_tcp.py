"""The TCP-like AIMD flow: under an OVN QoS meter and at line rate.

The flow is VM2 -> VM3 of examples/qos-bandwidth-limit.yaml (10 Gbit/s links), with
the scenario's UDP replaced by a TCP-like flow and its first QoS event (3000 kbps /
300 kbit on VM2's egress) moved to t=1 s.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ovntwin.fabric.engine import simulate
from ovntwin.fabric.load import load_scenario
from ovntwin.fabric.results import FlowResult
from ovntwin.fabric.scenario import TcpFlow, UdpFlow

QOS = Path(__file__).resolve().parents[2] / "examples" / "qos-bandwidth-limit.yaml"
SEC = 1_000_000
UNTIL_S = 20
LIMIT_BPS = 3_000_000
LINE_BPS = 10_000_000_000  # examples' links: rate_kbps 10000000


def run(limited: bool) -> FlowResult:
    base = load_scenario(QOS)
    udp = base.traffic[0]
    assert isinstance(udp, UdpFlow)
    tcp = TcpFlow(name="tcp", source=udp.source, dst_ip=udp.dst_ip, start_us=0, stop_us=None)
    events = (dataclasses.replace(base.events[0], at_us=SEC),) if limited else ()
    scenario = dataclasses.replace(base, traffic=(tcp,), events=events, until_us=UNTIL_S * SEC)
    res = simulate(scenario)
    return res.flows[0]


@pytest.fixture(scope="module")
def limited() -> FlowResult:
    return run(True)


@pytest.fixture(scope="module")
def free() -> FlowResult:
    return run(False)


def test_goodput_under_the_meter(limited: FlowResult) -> None:
    """Long run (2..20 s, past the 300 kbit burst): below the limit (+ the burst spread
    over the window), above half of it; every second's bin near the limit too."""
    bps = dict(limited.throughput)
    seconds = range(2, UNTIL_S)
    long_run = sum(bps[s * SEC] for s in seconds) // len(seconds)
    assert LIMIT_BPS // 2 < long_run <= LIMIT_BPS + 300_000 // len(seconds)
    assert all(0.5 * LIMIT_BPS < bps[s * SEC] < 1.05 * LIMIT_BPS for s in seconds)
    assert limited.lost > 0  # the meter drops: that is how AIMD finds the rate
    assert {reason for reason, _n in limited.drops} == {"hv-a: meter"}


def test_cwnd_halves_on_drops(limited: FlowResult) -> None:
    """Each loss signal (from the ACKs) halves the window; between losses it grows by one
    per window: the sawtooth is in the cwnd timeline and the halvings list."""
    assert len(limited.cwnd_halvings) > 100
    for when, before, after in limited.cwnd_halvings:
        assert after == max(1, before // 2)
        assert when > SEC  # no loss before the QoS rule exists
    peak_before = max(c for t, c in limited.cwnd if t <= SEC)
    assert peak_before > 500  # grew unhindered during the first second
    after_limit = [c for t, c in limited.cwnd if t >= 2 * SEC]
    assert max(after_limit) < 40  # about the 300-kbit burst (25 segments) at most
    assert len(set(after_limit)) > 1  # it keeps moving: probe, halve, probe
    assert limited.tcp_timeouts == 0  # tail loss probes find the holes before an RTO


def test_line_rate_without_a_limit(free: FlowResult) -> None:
    assert not free.drops and not free.cwnd_halvings and free.tcp_timeouts == 0
    assert free.lost <= 2 * 826  # only what is still on the wire at the end (2 trains)
    bps = dict(free.throughput)
    assert all(bps[s * SEC] >= 0.99 * LINE_BPS for s in range(8, UNTIL_S))
    assert all(bps[s * SEC] <= LINE_BPS for s in range(UNTIL_S))
    cwnd = [c for _t, c in free.cwnd]
    assert cwnd == sorted(cwnd)  # additive increase only
