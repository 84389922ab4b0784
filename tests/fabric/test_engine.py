"""Outcomes of the three shipped scenarios, run end to end in simulated time."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovntwin.fabric.engine import simulate
from ovntwin.fabric.results import Results

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FLAP = EXAMPLES / "vlan-dvr-flapping.yaml"
L3HA = EXAMPLES / "l3ha-failover.yaml"
QOS = EXAMPLES / "qos-bandwidth-limit.yaml"
SEC = 1_000_000
R1_A, R1_B = "fa:16:3e:00:01:01", "fa:16:3e:00:01:02"  # R1's legs in A and B


@pytest.fixture(scope="module")
def flap() -> Results:
    return simulate(FLAP)


@pytest.fixture(scope="module")
def l3ha() -> Results:
    return simulate(L3HA)


@pytest.fixture(scope="module")
def l3ha_fast() -> Results:
    return simulate(L3HA, "bfd-100-100-3")


@pytest.fixture(scope="module")
def qos() -> Results:
    return simulate(QOS)


# -- vlan-dvr-flapping ---------------------------------------------------------------


def test_router_macs_flap_between_compute_ports_until_detection(flap: Results) -> None:
    router_moves = [m for m in flap.mac_moves if m.mac in (R1_A, R1_B)]
    assert router_moves
    assert {(m.from_port, m.to_port) for m in router_moves} == {
        ("hv-a-vlan", "hv-b-vlan"),
        ("hv-b-vlan", "hv-a-vlan"),
    }
    detected = {(d.vlan, d.mac) for d in flap.detections}
    assert detected == {(2011, R1_A), (2010, R1_B)}
    assert all(d.action == "stop-learning" and d.moves == 6 for d in flap.detections)
    for flow in flap.flows:
        assert flow.lost == 0 and flow.sent == 59


def test_first_journey_cam_matches_the_seed(flap: Results) -> None:
    cam = {(e.vlan, e.mac): e.port for e in flap.cam_first_journey["tor1"]}
    assert cam[(2010, R1_B)] == "hv-a-vlan"  # VM1's compute, VLAN of B
    assert cam[(2011, R1_A)] == "hv-b-vlan"  # VM4's compute, VLAN of A


def test_chassis_mac_mappings_stop_router_mac_moves() -> None:
    res = simulate(FLAP, "with-chassis-mac-mappings")
    assert not [m for m in res.mac_moves if m.mac in (R1_A, R1_B)]
    assert not res.detections
    assert all(f.lost == 0 for f in res.flows)


def test_reside_on_redirect_chassis_no_moves_longer_path(flap: Results) -> None:
    res = simulate(FLAP, "reside-on-redirect-chassis")
    assert not res.mac_moves and not res.detections
    for flow in res.flows:
        base = flap.flow(flow.name)
        assert base is not None and flow.lost == 0
        assert any("gw1:out physnet1" in hop for hop in flow.path)  # routed on the gateway
        assert flow.one_way_latency_us is not None and base.one_way_latency_us is not None
        assert flow.one_way_latency_us > base.one_way_latency_us
        assert flow.extra_hop_latency_us and flow.extra_hop_latency_us > 0
        assert base.extra_hop_latency_us == 0


# -- l3ha-failover ---------------------------------------------------------------------


def _failover(res: Results, analytic_ms: int, tx_ms: int) -> None:
    down = [e for e in res.events("bfd") if e.chassis == "gw2" and e.peer == "gw1"]
    down = [e for e in down if e.new == "down" and e.time_us >= 10 * SEC]
    assert down, "gw2 never saw gw1 go down"
    detect_us = down[0].time_us - 10 * SEC
    # Within one TX interval of the analytic detection time (+ link delays).
    assert (analytic_ms - tx_ms) * 1000 <= detect_us <= analytic_ms * 1000 + 1000
    takeover = [e for e in res.events("takeover") if e.time_us >= 10 * SEC]
    assert [(t.chassis, t.port) for t in takeover] == [("gw2", "cr-r1-ext")]
    assert takeover[0].time_us == down[0].time_us
    garps = [e for e in res.events("garp") if e.time_us >= 10 * SEC and e.port == "cr-r1-ext"]
    assert garps and all(g.chassis == "gw2" for g in garps)
    assert garps[0].time_us == takeover[0].time_us + SEC  # pinctrl: first GARP after 1 s
    assert {g.ip for g in garps} == {"172.24.4.10", "172.24.4.100"}
    flow = res.flows[0]
    summary = res.ha_summary()["flows"][flow.name]
    assert flow.lost > 0 and summary["longest_loss_run"] == flow.lost  # one outage
    assert 0 < summary["outage_us"] <= analytic_ms * 1000 + 100_000  # + one ping interval
    assert all(r is not None for r in flow.rtts_us[-100:])  # pings flow again via gw2


def test_l3ha_default_bfd(l3ha: Results) -> None:
    # OVS defaults: 3 x max(min_rx 1000, min_tx 100) = 3000 ms; TX every 1000 ms.
    _failover(l3ha, 3000, 1000)


def test_l3ha_bfd_100_100_3(l3ha_fast: Results) -> None:
    _failover(l3ha_fast, 300, 100)


# -- qos-bandwidth-limit ---------------------------------------------------------------


def test_qos_windows_follow_the_limit(qos: Results) -> None:
    flow = qos.flows[0]
    bps = dict(flow.throughput)
    frame_bits, ip_bits = 1414 * 8, 1400 * 8
    line = 10_000_000_000 * frame_bits // ip_bits  # line rate (10 Gbit/s) in Ethernet bits/s
    for window, limit in ((0, None), (10, 3_000_000), (20, 5_000_000), (30, None)):
        target = line if limit is None else limit
        for second in range(window + 1, window + 10):  # past the burst (first second)
            assert abs(bps[second * SEC] - target) <= 0.02 * target, (second, bps[second * SEC])


def test_determinism() -> None:
    a = simulate(L3HA, "bfd-100-100-3").to_json()
    b = simulate(L3HA, "bfd-100-100-3").to_json()
    a.pop("wall_time_s"), b.pop("wall_time_s")
    assert a == b
