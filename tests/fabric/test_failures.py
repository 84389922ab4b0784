"""Outcomes of the failure injections on the l3ha-failover network (BFD 100/100/3).

Each test loads examples/l3ha-failover.yaml (variant bfd-100-100-3: detection time
3 x max(100, 100) = 300 ms, TX every 75-100 ms) and replaces its events: VM1 pings the
upstream router through SNAT on R1's gateway port every 100 ms from t=1 s to t=30 s.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ovntwin.fabric.engine import simulate
from ovntwin.fabric.load import load_scenario
from ovntwin.fabric.results import HaEvent, Results
from ovntwin.fabric.scenario import ChassisEvent, Event, LinkEvent, PartitionEvent, Scenario
from ovntwin.fabric.spec import Attachment
from ovntwin.fabric.wire import Wire

L3HA = Path(__file__).resolve().parents[2] / "examples" / "l3ha-failover.yaml"
SEC = 1_000_000
T0 = 10 * SEC  # every failure is injected at 10 s
DETECT_US = 300_000  # remote mult 3 x max(local min_rx 100 ms, remote min_tx 100 ms)
TX_US = 100_000  # one BFD TX interval (jitter makes it 75..100 ms)
SLACK_US = 1000  # link delays of the overlay hop
PING_US = 100_000


@pytest.fixture(scope="module")
def base() -> Scenario:
    return load_scenario(L3HA, "bfd-100-100-3")


def run(base: Scenario, *events: Event) -> tuple[Results, list[tuple[int, str]]]:
    """Simulate with `events`; also return (time, ToR port) of every ICMP frame of the
    ping flow entering the gateways' external ToR ports (which gateway carries it)."""
    seen: list[tuple[int, str]] = []

    def tap(now: int, port: str, wire: Wire) -> None:
        flow = getattr(wire.payload, "flow_id", None)
        if flow == "vm1-to-upstream" and port in ("tor1:gw1-ext", "tor1:gw2-ext"):
            seen.append((now, port))

    res = simulate(dataclasses.replace(base, events=events), capture=tap)
    return res, seen


def bfd(res: Results, chassis: str, peer: str, new: str) -> list[HaEvent]:
    return [
        e
        for e in res.events("bfd")
        if e.chassis == chassis and e.peer == peer and e.new == new and e.time_us >= T0
    ]


def takeovers(res: Results, since: int = T0) -> list[tuple[str, str | None]]:
    return [(e.chassis or "", e.port) for e in res.events("takeover") if e.time_us >= since]


def gateway_ports_after(seen: list[tuple[int, str]], t: int) -> set[str]:
    return {port for when, port in seen if when >= t}


def assert_detected(res: Results, viewer: str) -> int:
    downs = bfd(res, viewer, "gw1", "down")
    assert downs, f"{viewer} never saw gw1 go down"
    detect = downs[0].time_us - T0
    # The last packet from gw1 left at most one TX interval before T0.
    assert DETECT_US - TX_US <= detect <= DETECT_US + SLACK_US, (viewer, detect)
    return downs[0].time_us


def test_overlay_link_down_on_gw1_fails_over_to_gw2(base: Scenario) -> None:
    """gw1's overlay NIC link goes down: every BFD session to gw1 expires after the
    detection time, gw2 (priority 10) becomes active and GARPs R1's external addresses;
    gw1, whose sessions all expired, stops being active too (OVN: no active tunnel ->
    not active), so there is no split brain; pings recover through gw2."""
    down = Attachment(switch="tor1", port="gw1-tun")
    res, seen = run(base, LinkEvent(at_us=T0, up=False, attachment=down, chassis="gw1"))
    t_gw2 = assert_detected(res, "gw2")
    for compute in ("hv-a", "hv-b"):
        assert_detected(res, compute)
    assert takeovers(res) == [("gw2", "cr-r1-ext")]
    assert res.events("takeover")[-1].time_us == t_gw2
    gw1_gives_up = [e for e in res.events("active") if e.chassis == "gw1" and e.time_us >= T0]
    assert [(e.old, e.new) for e in gw1_gives_up] == [("gw1", None)]
    garps = [e for e in res.events("garp") if e.time_us >= T0 and e.port == "cr-r1-ext"]
    assert garps and {g.chassis for g in garps} == {"gw2"}
    flow = res.flows[0]
    outage = res.ha_summary()["flows"][flow.name]
    assert 0 < flow.lost == outage["longest_loss_run"]  # one outage, then recovery
    assert outage["outage_us"] <= DETECT_US + PING_US
    assert all(r is not None for r in flow.rtts_us[-150:])
    assert gateway_ports_after(seen, t_gw2 + PING_US) == {"tor1:gw2-ext"}


def test_ovn_controller_stop_on_gw1_changes_nothing(base: Scenario) -> None:
    """ovn-controller stops on gw1: BFD is run by ovs-vswitchd (the BFD state machine is
    in OVS's lib/bfd.c, ovn-controller only configures it), and the OpenFlow flows
    installed stay in ovs-vswitchd, so gw1 keeps answering BFD and forwarding. Nobody
    sees gw1 go down: no takeover, and the pings keep flowing through gw1 without a
    loss. Only ovn-controller's own work stops (no GARPs, no recompute)."""
    res, seen = run(base, ChassisEvent(at_us=T0, action="ovn-controller-stop", chassis="gw1"))
    assert not [e for e in res.events("bfd") if e.time_us >= T0]
    assert takeovers(res) == []
    assert not [e for e in res.events("active") if e.time_us >= T0]
    assert not [e for e in res.events("garp") if e.time_us >= T0 and e.chassis == "gw1"]
    flow = res.flows[0]
    assert flow.sent == 290 and flow.lost == 0
    assert gateway_ports_after(seen, T0) == {"tor1:gw1-ext"}


def test_partition_isolating_gw1_is_a_clean_failover(base: Scenario) -> None:
    """Overlay partition [gw1] | [gw2, hv-a, hv-b]: as a NIC failure. gw2 and the
    computes see gw1 down after the detection time and switch to gw2; gw1 sees all its
    sessions expire and, having no active tunnel, stops claiming cr-r1-ext (no split
    brain, as ha_chassis_group_is_active decides)."""
    groups = (("gw1",), ("gw2", "hv-a", "hv-b"))
    res, seen = run(base, PartitionEvent(at_us=T0, groups=groups))
    t_gw2 = assert_detected(res, "gw2")
    assert takeovers(res) == [("gw2", "cr-r1-ext")]
    last_gw1_session = max(
        e.time_us for p in ("gw2", "hv-a", "hv-b") for e in bfd(res, "gw1", p, "down")
    )
    gw1_active = [e for e in res.events("active") if e.chassis == "gw1" and e.time_us >= T0]
    assert [(e.time_us, e.new) for e in gw1_active] == [(last_gw1_session, None)]
    assert res.flows[0].lost <= (DETECT_US + PING_US) // PING_US
    assert gateway_ports_after(seen, t_gw2 + PING_US) == {"tor1:gw2-ext"}


def test_partition_between_gateways_and_computes_blackholes(base: Scenario) -> None:
    """Overlay partition [gw1, gw2] | [hv-a, hv-b]: the gateways still see each other,
    so gw1 (highest priority, with an active tunnel to gw2) stays active and gw2 stays
    standby; the computes lose BFD to both gateways and have no live gateway chassis
    for cr-r1-ext. What OVN really does: N/S traffic from the computes is dropped on
    the compute until the partition heals; no takeover happens anywhere."""
    groups = (("gw1", "gw2"), ("hv-a", "hv-b"))
    res, _seen = run(base, PartitionEvent(at_us=T0, groups=groups))
    assert takeovers(res) == []
    assert not bfd(res, "gw2", "gw1", "down") and not bfd(res, "gw1", "gw2", "down")
    for compute in ("hv-a", "hv-b"):
        assert_detected(res, compute)
        lost_all = [e for e in res.events("active") if e.chassis == compute and e.time_us >= T0]
        assert lost_all and lost_all[-1].new is None
    flow = res.flows[0]
    assert all(r is None for r in flow.rtts_us[-150:])  # down until the end
    assert any("no live gateway chassis" in reason for reason, _n in flow.drops)


def test_gw1_restart_preempts_and_garps_again(base: Scenario) -> None:
    """gw1 crashes at 10 s and boots at 15 s: gw2 takes over at detection; once gw1's
    BFD is Up again gw1 (priority 20 > 10) claims cr-r1-ext back — preemption, as OVN
    does — and sends its GARPs again on the pinctrl schedule (first one 1 s after the
    claim); gw2 and the computes move back to gw1."""
    res, seen = run(
        base,
        ChassisEvent(at_us=T0, action="crash", chassis="gw1"),
        ChassisEvent(at_us=15 * SEC, action="restart", chassis="gw1"),
    )
    boot = 15 * SEC
    assert takeovers(res) == [("gw2", "cr-r1-ext"), ("gw1", "cr-r1-ext")]
    back = res.events("takeover")[-1]
    first_up = min(e.time_us for p in ("gw2", "hv-a", "hv-b") for e in bfd(res, "gw1", p, "up"))
    assert back.time_us == first_up > boot  # no claim before a tunnel is Up
    garps = [e for e in res.events("garp") if e.chassis == "gw1" and e.time_us >= boot]
    assert garps and garps[0].time_us == back.time_us + SEC
    assert {g.ip for g in garps} == {"172.24.4.10", "172.24.4.100"}
    for viewer in ("gw2", "hv-a", "hv-b"):
        last = [e for e in res.events("active") if e.chassis == viewer][-1]
        assert last.new == "gw1" and last.time_us > boot
    flow = res.flows[0]
    assert all(r is not None for r in flow.rtts_us[-100:])
    assert gateway_ports_after(seen, 17 * SEC) == {"tor1:gw1-ext"}
