"""ToR MAC table: learning, aging, flooding by VLAN, MAC-move detection and its actions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ovntwin.errors import InvalidValue
from ovntwin.fabric.spec import MOVE_POLICY_PRESETS, MovePolicy, SwitchPort, TorSwitch
from ovntwin.fabric.tor import Egress, MacMove, MacTable

SEC = 1_000_000
R1 = "fa:16:3e:00:00:01"
VM = "fa:16:3e:00:00:10"
BCAST = "ff:ff:ff:ff:ff:ff"


def _switch(policy: MovePolicy | None = None, aging_us: int = 300 * SEC) -> MacTable:
    ports = (
        SwitchPort(name="p1", vlans=(2010, 2011)),
        SwitchPort(name="p2", vlans=(2010, 2011)),
        SwitchPort(name="p3", vlans=(2011,)),
        SwitchPort(name="uplink", vlans=(2010, 2011, 100), native_vlan=100),
        SwitchPort(name="acc", mode="access", native_vlan=2010),
    )
    return MacTable(
        TorSwitch(name="tor1", ports=ports, mac_aging_us=aging_us, move_detection=policy)
    )


def test_learn_then_forward_known_unicast() -> None:
    sw = _switch()
    flood = sw.receive(0, "p1", 2010, VM, R1)
    assert flood.flooded and {e.port for e in flood.egress} == {"p2", "uplink", "acc"}
    assert Egress("acc", None) in flood.egress  # access port: untagged
    reply = sw.receive(1, "p2", 2010, R1, VM)
    assert not reply.flooded and reply.egress == (Egress("p1", 2010),)
    assert [(e.vlan, e.mac, e.port) for e in sw.entries(2)] == [(2010, R1, "p2"), (2010, VM, "p1")]


def test_flood_stays_in_the_vlan_and_untags_native() -> None:
    sw = _switch()
    out = sw.receive(0, "p1", 2011, VM, BCAST)
    assert set(out.egress) == {Egress("p2", 2011), Egress("p3", 2011), Egress("uplink", 2011)}
    native = sw.receive(0, "uplink", None, R1, BCAST)  # untagged on a trunk: VLAN 100
    assert native.vlan == 100 and native.egress == ()
    assert sw.receive(0, "p3", 2010, VM, R1).dropped is not None  # VLAN not on p3
    assert sw.receive(0, "acc", 2010, VM, R1).dropped is not None  # tagged on access


def test_group_source_is_not_learned_and_unknown_ports_refused() -> None:
    sw = _switch()
    sw.receive(0, "p1", 2010, "01:00:5e:00:00:01", BCAST)
    assert sw.entries(0) == []
    with pytest.raises(InvalidValue):
        sw.receive(0, "nope", 2010, VM, R1)


@given(
    aging_s=st.integers(1, 600),
    refresh_at=st.one_of(st.none(), st.integers(0, 599)),
    probe_at=st.integers(0, 1200),
)
def test_aging(aging_s: int, refresh_at: int | None, probe_at: int) -> None:
    aging = aging_s * SEC
    sw = _switch(aging_us=aging)
    sw.receive(0, "p1", 2010, VM, BCAST)
    last = 0
    if refresh_at is not None and refresh_at * SEC < aging:
        last = refresh_at * SEC
        sw.receive(last, "p1", 2010, VM, BCAST)
    probe = max(probe_at * SEC, last)
    expected = "p1" if probe - last < aging else None
    assert sw.lookup(probe, 2010, VM) == expected
    if expected is None:  # gone: traffic to it floods again
        assert sw.receive(probe, "p2", 2010, R1, VM).flooded


def _flap(sw: MacTable, times_us: list[int]) -> None:
    """R1's MAC alternates between p1 and p2 at the given times (first learn at t=0)."""
    sw.receive(0, "p1", 2010, R1, BCAST)
    for i, t in enumerate(times_us):
        sw.receive(t, "p2" if i % 2 == 0 else "p1", 2010, R1, BCAST)


@given(moves=st.integers(1, 10), window_s=st.integers(1, 300), data=st.data())
def test_detection_at_exactly_the_nth_move_inside_the_window(
    moves: int, window_s: int, data: st.DataObject
) -> None:
    window = window_s * SEC
    policy = MovePolicy(moves=moves, window_us=window, action="notify")
    gap = data.draw(st.integers(1, max(1, (window - 1) // max(moves - 1, 1))))
    sw = _switch(policy, aging_us=0)  # 0: no aging, as on real switches
    times = [(i + 1) * gap for i in range(moves)]
    _flap(sw, times[:-1])
    assert sw.detections == []
    sw.receive(times[-1], "p2" if (moves - 1) % 2 == 0 else "p1", 2010, R1, BCAST)
    assert len(sw.moves) == moves
    assert [(d.time_us, d.moves, d.mac) for d in sw.detections] == [(times[-1], moves, R1)]


@given(moves=st.integers(2, 10), window_s=st.integers(1, 300), extra=st.integers(0, SEC))
def test_no_detection_when_moves_spread_wider_than_the_window(
    moves: int, window_s: int, extra: int
) -> None:
    window = window_s * SEC
    gap = -(-window // (moves - 1)) + extra  # any N consecutive moves span >= the window
    sw = _switch(MovePolicy(moves=moves, window_us=window, action="notify"), aging_us=0)
    _flap(sw, [(i + 1) * gap for i in range(4 * moves)])
    assert len(sw.moves) == 4 * moves and sw.detections == []


def test_nexus_preset_fires_on_sixth_move_in_30s_and_freezes_for_120s() -> None:
    policy = MOVE_POLICY_PRESETS["nexus-9000"]
    sw = _switch(policy)
    _flap(sw, [i * SEC for i in range(1, 7)])  # 6 moves, 1 s apart
    (det,) = sw.detections
    assert det.moves == 6 and det.action == "stop-learning"
    assert det.time_us == 6 * SEC and det.until_us == 126 * SEC
    frozen_port = sw.lookup(det.time_us, 2010, R1)
    assert frozen_port == "p1"  # the 6th move (even index -> p1) was applied, then frozen
    for t in range(7, 126, 5):  # keeps flapping: no moves while frozen
        sw.receive(t * SEC, "p2", 2010, R1, BCAST)
        assert sw.lookup(t * SEC, 2010, R1) == frozen_port
    assert len(sw.moves) == 6
    sw.receive(126 * SEC, "p2", 2010, R1, BCAST)  # hold over: learning again
    assert sw.lookup(126 * SEC, 2010, R1) == "p2"
    assert sw.moves[-1] == MacMove(126 * SEC, "tor1", 2010, R1, "p1", "p2")


def test_hold_none_lasts_until_cleared() -> None:
    sw = _switch(MOVE_POLICY_PRESETS["evpn-rfc7432"])
    _flap(sw, [i * SEC for i in range(1, 6)])
    assert sw.detections[0].until_us is None
    sw.receive(10_000 * SEC, "p1", 2010, R1, BCAST)
    sw.receive(10_000 * SEC, "p2", 2010, R1, BCAST)
    assert len(sw.moves) == 5
    assert sw.lookup(10_000 * SEC, 2010, R1) is None  # frozen, not refreshed: aged out
    sw.receive(10_000 * SEC, "p1", 2010, R1, BCAST)  # still frozen: not even re-learned
    assert sw.lookup(10_000 * SEC, 2010, R1) is None
    sw.clear()
    sw.receive(10_001 * SEC, "p1", 2010, R1, BCAST)
    sw.receive(10_002 * SEC, "p2", 2010, R1, BCAST)
    assert len(sw.moves) == 6


def test_err_disable_shuts_the_port_and_recovers_after_hold() -> None:
    sw = _switch(MovePolicy(moves=3, window_us=60 * SEC, action="err-disable", hold_us=30 * SEC))
    sw.receive(0, "p2", 2010, VM, BCAST)  # VM behind p2
    _flap(sw, [1 * SEC, 2 * SEC, 3 * SEC])  # 3rd move lands on p2
    (det,) = sw.detections
    assert det.port == "p2" and det.until_us == 33 * SEC
    assert sw.lookup(3 * SEC, 2010, VM) is None  # p2's entries flushed
    assert sw.receive(4 * SEC, "p2", 2010, VM, BCAST).dropped == "ingress port disabled"
    out = sw.receive(5 * SEC, "p1", 2010, R1, VM)
    assert "p2" not in {e.port for e in out.egress}
    assert sw.receive(33 * SEC, "p2", 2010, VM, BCAST).dropped is None  # recovered


def test_link_down_flushes_entries() -> None:
    sw = _switch()
    sw.receive(0, "p1", 2010, VM, BCAST)
    sw.link_down("p1")
    assert sw.lookup(1, 2010, VM) is None
    assert sw.receive(1, "p1", 2010, VM, BCAST).dropped is not None
    sw.link_up("p1")
    assert sw.receive(2, "p1", 2010, VM, BCAST).dropped is None


def test_moves_are_reported_without_a_policy() -> None:
    sw = _switch()
    _flap(sw, [SEC, 2 * SEC])
    assert [(m.from_port, m.to_port) for m in sw.moves] == [("p1", "p2"), ("p2", "p1")]
    assert sw.detections == []
