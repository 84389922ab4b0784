"""QoS applied at run time (fabric/qos_runtime.py): the limit holds from its arrival time."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ovntwin.errors import InvalidValue
from ovntwin.fabric.engine import Engine
from ovntwin.fabric.load import load_scenario
from ovntwin.fabric.qos_runtime import OvnPortQos, OvsPortQos, schedule_port_qos
from ovntwin.fabric.results import Results
from ovntwin.model import rows as r

QOS = Path(__file__).resolve().parents[2] / "examples" / "qos-bandwidth-limit.yaml"
SEC = 1_000_000
FRAME_BITS, IP_BITS = 1414 * 8, 1400 * 8
LINE = 10_000_000_000 * FRAME_BITS // IP_BITS  # VM2's UDP at 10 Gbit/s, in Ethernet bits/s


def _engine(until_s: int) -> Engine:
    scenario = load_scenario(QOS)
    return Engine(dataclasses.replace(scenario, events=(), until_us=until_s * SEC))


def _run(engine: Engine, until_s: int) -> dict[int, int]:
    engine.run(until_s * SEC, None)
    results: Results = engine.results(until_s * SEC, 0.0)
    return dict(results.flows[0].throughput)


def _row(rate: int, burst: int) -> r.QoS:
    return r.QoS(uuid="00000000-0000-0000-0000-00000000000a", priority=2002,
                 direction="from-lport", match='inport == "vm2"',
                 bandwidth={"rate": rate, "burst": burst})  # fmt: skip


def _near(value: int, target: int, pct: float = 0.03) -> bool:
    return abs(value - target) <= pct * target


def test_ovn_meter_changes_at_arrival_time() -> None:
    engine = _engine(7)
    schedule_port_qos(engine, 2 * SEC, OvnPortQos("vm2", "egress", _row(3000, 300)))
    schedule_port_qos(engine, 4 * SEC, OvnPortQos("vm2", "egress", _row(5000, 500)))
    schedule_port_qos(engine, 6 * SEC, OvnPortQos("vm2", "egress", None))
    bps = _run(engine, 7)
    assert _near(bps[1 * SEC], LINE)  # bin [1 s, 2 s): before the limit
    assert _near(bps[3 * SEC], 3_000_000)  # [3 s, 4 s): past the 300 kbit burst
    assert _near(bps[5 * SEC], 5_000_000)
    assert _near(bps[6 * SEC], LINE)
    qos_notes = [e for e in engine.extra_events if e.kind == "qos"]
    assert [(e.time_us, e.detail) for e in qos_notes] == [
        (2 * SEC, "apply egress"), (4 * SEC, "update egress"), (6 * SEC, "remove egress"),
    ]  # fmt: skip


def test_ovn_limit_long_run_rate() -> None:
    engine = _engine(12)
    schedule_port_qos(engine, 1 * SEC + 123, OvnPortQos("vm2", "egress", _row(3000, 300)))
    bps = _run(engine, 12)
    total = sum(bps[s * SEC] for s in range(2, 12))
    assert _near(total // 10, 3_000_000, 0.02)


def test_ovs_policer_and_queue() -> None:
    engine = _engine(5)
    schedule_port_qos(engine, 1 * SEC, OvsPortQos("vm2", policing_rate_kbps=4000,
                                                  policing_burst_kbits=400))  # fmt: skip
    schedule_port_qos(engine, 3 * SEC, OvsPortQos("vm2"))  # policer off again
    schedule_port_qos(engine, 3 * SEC, OvsPortQos("vm3", queue_max_rate_kbps=2000))
    bps = _run(engine, 5)
    # tc police charges the frame without its 14-byte Ethernet header
    assert _near(bps[2 * SEC], 4_000_000 * 1414 // 1400)
    assert _near(bps[4 * SEC], 2_000_000)  # VM3's ingress queue towards the VM


def test_time_must_be_integer_and_port_known() -> None:
    engine = _engine(1)
    with pytest.raises(InvalidValue):
        schedule_port_qos(engine, 1.5, OvsPortQos("vm2"))  # type: ignore[arg-type]
    schedule_port_qos(engine, 0, OvnPortQos("nope", "egress", _row(1000, 0)))
    with pytest.raises(InvalidValue):
        engine.run(SEC, None)
