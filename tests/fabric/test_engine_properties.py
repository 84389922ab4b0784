"""Property: the engine is deterministic per seed and accounts every packet.

For random seeds (BFD jitter) and ping intervals on the L3HA network with its gw1
crash, two runs with one seed give identical results, and per flow
sent == received + lost with every lost ping one without an RTT.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ovntwin.fabric.engine import simulate
from ovntwin.fabric.load import load_scenario
from ovntwin.fabric.scenario import Ping, Scenario

L3HA = Path(__file__).resolve().parents[2] / "examples" / "l3ha-failover.yaml"
SEC = 1_000_000


def scenario(seed: int, interval_ms: int) -> Scenario:
    base = load_scenario(L3HA, "bfd-100-100-3")
    ping = base.traffic[0]
    assert isinstance(ping, Ping)
    ping = dataclasses.replace(ping, interval_us=interval_ms * 1000)
    return dataclasses.replace(base, seed=seed, traffic=(ping,), until_us=14 * SEC)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), interval_ms=st.integers(20, 700))
def test_same_seed_same_results_and_packets_add_up(seed: int, interval_ms: int) -> None:
    s = scenario(seed, interval_ms)
    a, b = simulate(s).to_json(), simulate(s).to_json()
    a.pop("wall_time_s"), b.pop("wall_time_s")
    assert a == b
    for flow in a["flows"]:
        assert flow["sent"] == flow["received"] + flow["lost"]
        assert flow["lost"] >= 0
        assert flow["lost"] == sum(r is None for r in flow["rtts_us"])
        assert flow["sent"] == len(flow["rtts_us"])
