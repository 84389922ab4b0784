"""Per-chassis agents and their OVN / OVS drivers (ovntwin.agents)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ovntwin.agents.agent import ChassisAgent
from ovntwin.agents.drivers import OvnDriver, OvsDriver
from ovntwin.fabric.qos_runtime import OvnPortQos, OvsPortQos, PortQos
from ovntwin.neutron.ml2ovn import qos
from ovntwin.neutron.notify import (
    EMPTY_VIEW,
    InProcessBus,
    Notification,
    PortBinding,
    QosView,
    changes,
    numbered,
)
from ovntwin.neutron.resources import (
    BandwidthLimitRule,
    DscpMarkingRule,
    Network,
    NeutronState,
    Port,
    QosPolicy,
)

PORT_ID = "6f1c3b1e-0000-4000-8000-000000000002"
PORT = PortBinding(id=PORT_ID, network_id="net-a", host="hv-a", name="vm2", revision_number=1)


class Recorder:
    def __init__(self) -> None:
        self.changes: list[PortQos] = []

    def apply(self, change: PortQos) -> None:
        self.changes.append(change)


def _policy(rate: int, burst: int, version: int, *extra: Any) -> QosPolicy:
    rules = (BandwidthLimitRule(id="r1", max_kbps=rate, max_burst_kbps=burst), *extra)
    return QosPolicy(id="p1", name="bw-limiter", rules=rules, revision_number=version)


class World:
    """A bus, agents on hv-a and hv-b, and a QoS view the test edits step by step."""

    def __init__(self, driver: str) -> None:
        self.bus = InProcessBus()
        self.targets = {h: Recorder() for h in ("hv-a", "hv-b")}
        kind = OvnDriver if driver == "ovn" else OvsDriver
        self.agents = {h: ChassisAgent(h, kind(t)) for h, t in self.targets.items()}
        for agent in self.agents.values():
            agent.subscribe(self.bus)
        self.view = EMPTY_VIEW
        self.seq = 0

    def step(self, policies: dict[str, QosPolicy], ports: dict[str, PortBinding]) -> None:
        new = QosView(policies, ports)
        notes = numbered(changes(self.view, new), self.seq + 1)
        self.seq += len(notes)
        self.view = new
        for note in notes:
            self.bus.publish(note)


def test_ovn_driver_writes_ml2ovn_rows_through_the_seed_workflow() -> None:
    world = World("ovn")
    target, agent = world.targets["hv-a"], world.agents["hv-a"]
    driver = agent.driver
    assert isinstance(driver, OvnDriver)
    p3000 = _policy(3000, 300, 1)
    world.step({"p1": p3000}, {PORT_ID: PORT})
    assert target.changes == []  # policy known, port not using it
    world.step({"p1": p3000}, {PORT_ID: replace(PORT, qos_policy_id="p1", revision_number=2)})
    state = NeutronState(networks=(Network(id="net-a"),), qos_policies=(p3000,), ports=(
        Port(id=PORT_ID, network_id="net-a", mac_address="", qos_policy_id="p1"),))  # fmt: skip
    expected = [q.row for q in qos.port_qos(state, state.ports[0])]
    assert driver.rows[PORT_ID] == expected  # exactly ML2/OVN's rows
    assert expected[0].match == f'inport == "{PORT_ID}"' and expected[0].priority == 2002
    (change,) = target.changes
    assert isinstance(change, OvnPortQos) and change.port == "vm2" and change.row is not None
    assert change.row.match == 'inport == "vm2"'
    assert change.row.bandwidth == {"rate": 3000, "burst": 300}
    world.step({"p1": _policy(5000, 500, 2)}, dict(world.view.ports))
    last = target.changes[-1]
    assert isinstance(last, OvnPortQos) and last.row is not None
    assert last.row.bandwidth == {"rate": 5000, "burst": 500}
    world.step({"p1": _policy(5000, 500, 2)}, {PORT_ID: replace(PORT, revision_number=3)})
    assert target.changes[-1] == OvnPortQos("vm2", "egress", None)  # unset: limit gone
    assert driver.rows == {} and world.targets["hv-b"].changes == []


def test_ovn_dscp_and_ingress_rows() -> None:
    world = World("ovn")
    policy = QosPolicy(id="p1", revision_number=1, rules=(
        BandwidthLimitRule(id="r1", max_kbps=1000, direction="ingress"),
        DscpMarkingRule(id="r2", dscp_mark=26)))  # fmt: skip
    world.step({"p1": policy}, {PORT_ID: replace(PORT, qos_policy_id="p1")})
    rows = {(c.direction, c.row.direction, c.row.match): (c.row.bandwidth, c.row.action)
            for c in world.targets["hv-a"].changes
            if isinstance(c, OvnPortQos) and c.row}  # fmt: skip
    assert rows == {
        ("egress", "from-lport", 'inport == "vm2"'): ({}, {"dscp": 26}),
        ("ingress", "to-lport", 'outport == "vm2"'): ({"rate": 1000}, {}),
    }


def test_ovs_driver_policing_and_queue() -> None:
    world = World("ovs")
    policy = QosPolicy(id="p1", revision_number=1, rules=(
        BandwidthLimitRule(id="r1", max_kbps=3000, max_burst_kbps=300),
        BandwidthLimitRule(id="r2", max_kbps=2000, direction="ingress")))  # fmt: skip
    world.step({"p1": policy}, {PORT_ID: replace(PORT, qos_policy_id="p1")})
    assert world.targets["hv-a"].changes == [
        OvsPortQos(
            "vm2",
            policing_rate_kbps=3000,
            policing_burst_kbits=300,
            queue_max_rate_kbps=2000,
            queue_burst_kbits=1600,
        )
    ]  # fmt: skip  (burst 0 -> 80 %)
    world.step({"p1": policy}, {PORT_ID: replace(PORT, host="hv-b", qos_policy_id="p1",
                                                 revision_number=2)})  # fmt: skip
    assert world.targets["hv-a"].changes[-1] == OvsPortQos("vm2")  # moved away: all off
    assert world.targets["hv-b"].changes[-1].policing_rate_kbps == 3000  # type: ignore[union-attr]
    world.step({}, {})  # port and policy deleted
    assert world.targets["hv-b"].changes[-1] == OvsPortQos("vm2")


def test_network_policy_applies_when_the_port_has_none() -> None:
    world = World("ovs")
    world.step({"p1": _policy(4000, 0, 1)}, {PORT_ID: replace(PORT, qos_network_policy_id="p1")})
    assert world.targets["hv-a"].changes[-1].policing_rate_kbps == 4000  # type: ignore[union-attr]
    assert world.agents["hv-a"].policy_of(PORT_ID) == _policy(4000, 0, 1)


def test_older_version_never_overrides_a_newer_one() -> None:
    recorder = Recorder()
    agent = ChassisAgent("hv-a", OvsDriver(recorder))
    bound = replace(PORT, qos_policy_id="p1", revision_number=5)
    port_note = Notification(resource_type="Port", event="updated", resource_id=PORT_ID,
                             version=5, payload=bound, topic="t")  # fmt: skip

    def policy_note(rate: int, version: int) -> Notification:
        policy = _policy(rate, 0, version)
        return Notification(resource_type="QosPolicy", event="updated", resource_id="p1",
                            version=version, payload=policy, topic="t")  # fmt: skip

    agent.handle(policy_note(5000, 3))
    agent.handle(port_note)
    agent.handle(policy_note(3000, 2))  # late delivery of an older version
    assert agent.ignored == [policy_note(3000, 2)]
    assert [c.policing_rate_kbps for c in recorder.changes] == [5000]  # type: ignore[union-attr]
    stale_port = replace(port_note, version=4, payload=replace(bound, qos_policy_id=None))
    agent.handle(stale_port)
    assert agent.policy_of(PORT_ID) == _policy(5000, 0, 3)
    agent.handle(policy_note(5000, 3))  # the same version again: re-applied, no change
    assert len(recorder.changes) == 1
