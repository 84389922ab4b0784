"""The notification bus and what the API publishes (neutron/notify.py, api/notifications.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ovntwin.api.app import create_app
from ovntwin.neutron.notify import (
    EMPTY_VIEW,
    QOS_POLICY_TOPIC,
    InProcessBus,
    Notification,
    PortBinding,
    QosView,
    changes,
    port_topic,
    replay,
)
from ovntwin.neutron.resources import BandwidthLimitRule, DscpMarkingRule, QosPolicy

POLICY = QosPolicy(id="p1", name="bw-limiter", revision_number=1, rules=(
    BandwidthLimitRule(id="r1", max_kbps=3000, max_burst_kbps=300),
    DscpMarkingRule(id="r2", dscp_mark=26),
))  # fmt: skip
PORT = PortBinding(id="port1", network_id="n1", host="hv-a", name="vm2", qos_policy_id="p1")


def _note(**kw: Any) -> Notification:
    base: dict[str, Any] = dict(resource_type="QosPolicy", event="updated", resource_id="p1",
                                version=1, payload=POLICY, topic=QOS_POLICY_TOPIC)  # fmt: skip
    return Notification(**{**base, **kw})


def test_wire_form_round_trips() -> None:
    for note in (_note(seq=7), _note(resource_type="Port", resource_id="port1", payload=PORT,
                                     topic=port_topic("hv-a"))):  # fmt: skip
        assert Notification.from_dict(note.to_dict()) == note
    doc = _note().to_dict()
    assert doc["payload"]["rules"][0] == {"id": "r1", "type": "bandwidth_limit", "max_kbps": 3000,
                                          "max_burst_kbps": 300, "direction": "egress"}  # fmt: skip


def test_bus_delivers_by_topic_in_order_and_unsubscribes() -> None:
    bus = InProcessBus()
    got: list[tuple[str, int]] = []
    sub = bus.subscribe("a", lambda n: got.append(("a", n.seq)))
    bus.subscribe("b", lambda n: got.append(("b", n.seq)))
    for seq, topic in ((1, "a"), (2, "b"), (3, "a")):
        bus.publish(_note(seq=seq, topic=topic))
    sub.close()
    bus.publish(_note(seq=4, topic="a"))
    assert got == [("a", 1), ("b", 2), ("a", 3)]


def test_changes_policies_first_and_port_moves_reach_both_hosts() -> None:
    old = QosView({"p1": POLICY}, {"port1": PORT})
    moved = PortBinding(**{**_fields(PORT), "host": "hv-b", "revision_number": 2})
    newer = QosPolicy(id="p1", revision_number=2, rules=())
    new = QosView({"p1": newer}, {"port1": moved})
    out = changes(old, new)
    assert [(n.resource_type, n.event, n.topic, n.version) for n in out] == [
        ("QosPolicy", "updated", QOS_POLICY_TOPIC, 2),
        ("Port", "updated", port_topic("hv-a"), 2),
        ("Port", "updated", port_topic("hv-b"), 2),
    ]
    assert changes(new, new) == []
    gone = changes(new, EMPTY_VIEW)
    assert [(n.event, n.payload) for n in gone] == [("deleted", newer), ("deleted", moved)]
    assert replay(changes(EMPTY_VIEW, new)) == new


def _fields(port: PortBinding) -> dict[str, Any]:
    return {k: getattr(port, k) for k in port.__slots__}  # type: ignore[attr-defined]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(f"sqlite:///{tmp_path / 'n.db'}")) as c:
        yield c


def _post(client: TestClient, path: str, key: str, **body: Any) -> dict[str, Any]:
    r = client.post(path, json={key: body})
    assert r.status_code == 201, r.text
    return r.json()[key]  # type: ignore[no-any-return]


def test_api_publishes_each_qos_relevant_write(client: TestClient) -> None:
    bus_seen: list[Notification] = []
    client.app.state.notifier.bus.subscribe(port_topic("hv-a"), bus_seen.append)  # type: ignore[attr-defined]
    net = _post(client, "/v2.0/networks", "network", name="A")
    port = _post(client, "/v2.0/ports", "port", name="vm2", network_id=net["id"],
                 **{"binding:host_id": "hv-a"})  # fmt: skip
    pol = _post(client, "/v2.0/qos/policies", "policy", name="bw-limiter")
    rules = f"/v2.0/qos/policies/{pol['id']}/bandwidth_limit_rules"
    rule = _post(client, rules, "bandwidth_limit_rule", max_kbps=3000, max_burst_kbps=300)
    client.put(f"/v2.0/ports/{port['id']}", json={"port": {"qos_policy_id": pol["id"]}})
    client.put(f"{rules}/{rule['id']}", json={"bandwidth_limit_rule": {"max_kbps": 5000}})
    client.get(f"/v2.0/ports/{port['id']}")  # reads publish nothing
    client.put(f"/v2.0/ports/{port['id']}", json={"port": {"qos_policy_id": None}})
    doc = client.get("/ovntwin/notifications", params={"since": 0}).json()
    seen = [(n["resource_type"], n["event"], n["version"]) for n in doc["notifications"]]
    assert seen == [
        ("Port", "created", 0), ("QosPolicy", "created", 0), ("QosPolicy", "updated", 1),
        ("Port", "updated", 1), ("QosPolicy", "updated", 2), ("Port", "updated", 2),
    ]  # fmt: skip
    assert [n["seq"] for n in doc["notifications"]] == list(range(1, 7)) and doc["last"] == 6
    assert doc["notifications"][4]["payload"]["rules"][0]["max_kbps"] == 5000
    assert [n.seq for n in bus_seen] == [1, 4, 6]  # the in-process bus got hv-a's port updates
    later = client.get("/ovntwin/notifications", params={"since": 4}).json()
    assert [n["seq"] for n in later["notifications"]] == [5, 6]
    bad = client.get("/ovntwin/notifications", params={"since": "x"})
    assert bad.status_code == 400 and "since" in bad.json()["NeutronError"]["message"]


def test_log_survives_restart_without_duplicates(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'n.db'}"
    with TestClient(create_app(url)) as c:
        _post(c, "/v2.0/qos/policies", "policy", name="p")
    with TestClient(create_app(url)) as c:
        _post(c, "/v2.0/qos/policies", "policy", name="q")
        notes = c.get("/ovntwin/notifications").json()["notifications"]
    assert [(n["seq"], n["payload"]["name"]) for n in notes] == [(1, "p"), (2, "q")]


def test_network_policy_and_binding_changes_reach_the_hosts(client: TestClient) -> None:
    net = _post(client, "/v2.0/networks", "network", name="A")
    port = _post(client, "/v2.0/ports", "port", name="vm2", network_id=net["id"],
                 **{"binding:host_id": "hv-a"})  # fmt: skip
    pol = _post(client, "/v2.0/qos/policies", "policy", name="net-limit")
    since = client.get("/ovntwin/notifications").json()["last"]
    client.put(f"/v2.0/networks/{net['id']}", json={"network": {"qos_policy_id": pol["id"]}})
    client.put(f"/v2.0/ports/{port['id']}", json={"port": {"binding:host_id": "hv-b"}})
    notes = client.get("/ovntwin/notifications", params={"since": since}).json()["notifications"]
    got = [(n["topic"], n["payload"]["binding:host_id"], n["payload"]["qos_network_policy_id"])
           for n in notes]  # fmt: skip
    assert got == [
        (port_topic("hv-a"), "hv-a", pol["id"]),  # the network's policy now applies
        (port_topic("hv-a"), "hv-b", pol["id"]),  # hv-a learns the port left
        (port_topic("hv-b"), "hv-b", pol["id"]),
    ]
