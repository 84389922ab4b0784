"""QoS notifications: versioned objects pushed to per-chassis agents, as Neutron's RPC push.

Neutron's QoS plugin pushes the whole `QosPolicy` object (with its rules, versioned by
`revision_number`) to every agent on a fanout topic, and port updates reach the agent
of the chassis hosting the port; agents keep the newest version of each object and
ignore older ones. Here:

* `Notification`: one numbered message (seq), its topic, the resource type
  (QosPolicy / Port), the event (created / updated / deleted), the object's
  revision_number as `version`, and the payload (the policy with its rules, or the
  port's binding: host, own policy and its network's policy).
* `NotificationBus`: publish / subscribe by topic. `InProcessBus` delivers at once, in
  order. A broker (AMQP) is a drop-in: `Notification.to_dict()` / `from_dict()` is the
  wire form, topics are routing keys.
* `qos_view(state)` and `changes(old, new)`: what to publish after a write, from the
  QoS-relevant part of two Neutron states.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

from ovntwin.neutron.resources import (
    BandwidthLimitRule,
    DscpMarkingRule,
    MinimumBandwidthRule,
    NeutronState,
    QosPolicy,
    QosRule,
)

ResourceType = Literal["QosPolicy", "Port"]
EventType = Literal["created", "updated", "deleted"]
# neutron's resources_rpc topic for pushed QosPolicy objects (fanout: every agent gets it)
QOS_POLICY_TOPIC = "neutron-vo-QosPolicy-1.10"
PORT_TOPIC = "q-agent-notifier-port-update"  # neutron's port-update topic


def port_topic(host: str) -> str:
    """Port updates for the agent on `host` (neutron fans port-update out to every
    agent and each one filters; a per-host topic delivers only what the host needs)."""
    return f"{PORT_TOPIC}.{host}"


@dataclass(frozen=True, slots=True, kw_only=True)
class PortBinding:
    """The part of a Neutron port a QoS agent needs."""

    id: str
    network_id: str
    host: str  # binding:host_id, "" when unbound
    name: str = ""
    device_owner: str = ""
    qos_policy_id: str | None = None
    qos_network_policy_id: str | None = None  # the network's policy (qos-port-network-policy)
    revision_number: int = 0

    @property
    def policy_id(self) -> str | None:
        """The policy that applies: the port's, else the network's; ML2/OVN gives
        network:* / neutron:* ports none (ml2ovn.qos.effective_policy)."""
        if self.device_owner.startswith(("network:", "neutron:")):
            return None
        return self.qos_policy_id or self.qos_network_policy_id


Payload = QosPolicy | PortBinding


@dataclass(frozen=True, slots=True, kw_only=True)
class Notification:
    resource_type: ResourceType
    event: EventType
    resource_id: str
    version: int  # the object's revision_number
    payload: Payload  # for `deleted`: the object as it last was
    topic: str
    seq: int = 0  # position in the server's log, 1.. (0: not yet numbered)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "topic": self.topic,
            "resource_type": self.resource_type,
            "event": self.event,
            "resource_id": self.resource_id,
            "version": self.version,
            "payload": payload_dict(self.payload),
        }

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Notification:
        kind = doc["resource_type"]
        body = doc["payload"]
        payload: Payload = policy_from_dict(body) if kind == "QosPolicy" else port_from_dict(body)
        return cls(
            resource_type=kind,
            event=doc["event"],
            resource_id=str(doc["resource_id"]),
            version=int(doc["version"]),
            payload=payload,
            topic=str(doc["topic"]),
            seq=int(doc.get("seq", 0)),
        )


# -- wire form -------------------------------------------------------------------------


def rule_dict(rule: QosRule) -> dict[str, Any]:
    if isinstance(rule, BandwidthLimitRule):
        return {"id": rule.id, "type": "bandwidth_limit", "max_kbps": rule.max_kbps,
                "max_burst_kbps": rule.max_burst_kbps, "direction": rule.direction}  # fmt: skip
    if isinstance(rule, DscpMarkingRule):
        return {"id": rule.id, "type": "dscp_marking", "dscp_mark": rule.dscp_mark}
    return {"id": rule.id, "type": "minimum_bandwidth", "min_kbps": rule.min_kbps,
            "direction": rule.direction}  # fmt: skip


def rule_from_dict(doc: Mapping[str, Any]) -> QosRule:
    kind = doc["type"]
    if kind == "bandwidth_limit":
        return BandwidthLimitRule(
            id=doc["id"], max_kbps=int(doc["max_kbps"]),
            max_burst_kbps=int(doc.get("max_burst_kbps") or 0),
            direction=doc.get("direction", "egress"),
        )  # fmt: skip
    if kind == "dscp_marking":
        return DscpMarkingRule(id=doc["id"], dscp_mark=int(doc["dscp_mark"]))
    return MinimumBandwidthRule(
        id=doc["id"], min_kbps=int(doc["min_kbps"]), direction=doc.get("direction", "egress")
    )


def payload_dict(payload: Payload) -> dict[str, Any]:
    if isinstance(payload, PortBinding):
        return {
            "id": payload.id, "name": payload.name, "network_id": payload.network_id,
            "binding:host_id": payload.host, "device_owner": payload.device_owner,
            "qos_policy_id": payload.qos_policy_id,
            "qos_network_policy_id": payload.qos_network_policy_id,
            "revision_number": payload.revision_number,
        }  # fmt: skip
    return {
        "id": payload.id, "name": payload.name, "project_id": payload.project_id,
        "shared": payload.shared, "is_default": payload.is_default,
        "rules": [rule_dict(x) for x in payload.rules],
        "revision_number": payload.revision_number,
    }  # fmt: skip


def policy_from_dict(doc: Mapping[str, Any]) -> QosPolicy:
    return QosPolicy(
        id=doc["id"], name=doc.get("name", ""), project_id=doc.get("project_id", ""),
        shared=bool(doc.get("shared", False)), is_default=bool(doc.get("is_default", False)),
        rules=tuple(rule_from_dict(x) for x in doc.get("rules", ())),
        revision_number=int(doc.get("revision_number", 0)),
    )  # fmt: skip


def port_from_dict(doc: Mapping[str, Any]) -> PortBinding:
    return PortBinding(
        id=doc["id"], name=doc.get("name", ""), network_id=doc["network_id"],
        host=doc.get("binding:host_id") or "", device_owner=doc.get("device_owner", ""),
        qos_policy_id=doc.get("qos_policy_id"),
        qos_network_policy_id=doc.get("qos_network_policy_id"),
        revision_number=int(doc.get("revision_number", 0)),
    )  # fmt: skip


# -- the bus ---------------------------------------------------------------------------

Callback = Callable[[Notification], None]


class Subscription(Protocol):
    def close(self) -> None: ...


class NotificationBus(Protocol):
    """Publish / subscribe by topic. Delivery per topic is in publish order."""

    def publish(self, notification: Notification) -> None: ...

    def subscribe(self, topic: str, callback: Callback) -> Subscription: ...


@dataclass(eq=False)
class _Handle:
    bus: InProcessBus
    topic: str
    callback: Callback

    def close(self) -> None:
        listeners = self.bus.listeners.get(self.topic, [])
        if self in listeners:
            listeners.remove(self)


@dataclass(eq=False)
class InProcessBus:
    """Synchronous in-process delivery: `publish` calls each subscriber of the topic."""

    listeners: dict[str, list[_Handle]] = field(default_factory=dict)
    published: int = 0

    def publish(self, notification: Notification) -> None:
        self.published += 1
        for handle in list(self.listeners.get(notification.topic, ())):
            handle.callback(notification)

    def subscribe(self, topic: str, callback: Callback) -> Subscription:
        handle = _Handle(self, topic, callback)
        self.listeners.setdefault(topic, []).append(handle)
        return handle


# -- what changed ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QosView:
    """The QoS-relevant state: every policy with its rules, every port's binding."""

    policies: Mapping[str, QosPolicy]
    ports: Mapping[str, PortBinding]


EMPTY_VIEW = QosView({}, {})


def qos_view(state: NeutronState) -> QosView:
    nets = {n.id: n.qos_policy_id for n in state.networks}
    ports = {
        p.id: PortBinding(
            id=p.id,
            network_id=p.network_id,
            host=p.binding_host_id,
            name=p.name,
            device_owner=p.device_owner,
            qos_policy_id=p.qos_policy_id,
            qos_network_policy_id=nets.get(p.network_id),
            revision_number=p.revision_number,
        )  # fmt: skip
        for p in state.ports
    }
    return QosView({q.id: q for q in state.qos_policies}, ports)


def _event(old: object, new: object) -> EventType | None:
    if old is None:
        return "created"
    if new is None:
        return "deleted"
    return None if old == new else "updated"


def changes(old: QosView, new: QosView) -> list[Notification]:
    """Notifications (unnumbered) taking an agent from `old` to `new`: policies first
    (so a port update never names a policy its agent has not seen), then ports, each on
    the topic of every host it was or is bound to."""
    out: list[Notification] = []
    for pid in sorted(old.policies.keys() | new.policies.keys()):
        before, after = old.policies.get(pid), new.policies.get(pid)
        event = _event(before, after)
        policy = after or before
        if event is None or policy is None:
            continue
        out.append(Notification(resource_type="QosPolicy", event=event, resource_id=pid,
                                version=policy.revision_number, payload=policy,
                                topic=QOS_POLICY_TOPIC))  # fmt: skip
    for port_id in sorted(old.ports.keys() | new.ports.keys()):
        was, now = old.ports.get(port_id), new.ports.get(port_id)
        event = _event(was, now)
        port = now or was
        if event is None or port is None:
            continue
        hosts = sorted({p.host for p in (was, now) if p is not None and p.host})
        for host in hosts:
            out.append(Notification(resource_type="Port", event=event, resource_id=port_id,
                                    version=port.revision_number, payload=port,
                                    topic=port_topic(host)))  # fmt: skip
    return out


def replay(notifications: list[Notification]) -> QosView:
    """The view a log of notifications describes (the newest version of each object)."""
    policies: dict[str, QosPolicy] = {}
    ports: dict[str, PortBinding] = {}
    for note in notifications:
        target: dict[str, Any] = policies if note.resource_type == "QosPolicy" else ports
        if note.event == "deleted":
            target.pop(note.resource_id, None)
        else:
            target[note.resource_id] = note.payload
    return QosView(policies, ports)


def numbered(notifications: list[Notification], first: int) -> list[Notification]:
    return [replace(n, seq=first + i) for i, n in enumerate(notifications)]
