"""A per-chassis QoS agent: the notifications for its chassis in, driver calls out.

Like neutron's QoS agent extension, it subscribes to the pushed QosPolicy objects
(fanout) and to the port updates of its own host, keeps the newest version of each
object (an older version never overrides a newer one; an equal one is re-applied),
and gives its driver, for every port bound here, the policy in force: the port's, else
its network's. Policy deleted, port unbound, moved away or deleted: the driver gets
None and the limits go.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ovntwin.agents.drivers import QosDriver
from ovntwin.neutron.notify import (
    QOS_POLICY_TOPIC,
    Notification,
    NotificationBus,
    PortBinding,
    Subscription,
    port_topic,
)
from ovntwin.neutron.resources import QosPolicy


@dataclass(frozen=True, slots=True)
class Known:
    version: int
    value: QosPolicy | PortBinding | None  # None: deleted (a tombstone keeps its version)


@dataclass(eq=False)
class ChassisAgent:
    host: str
    driver: QosDriver
    policies: dict[str, Known] = field(default_factory=dict)
    ports: dict[str, Known] = field(default_factory=dict)
    applied: dict[str, QosPolicy | None] = field(default_factory=dict)  # port id -> policy
    ignored: list[Notification] = field(default_factory=list)  # stale versions
    subscriptions: list[Subscription] = field(default_factory=list)

    def subscribe(self, bus: NotificationBus) -> None:
        for topic in (QOS_POLICY_TOPIC, port_topic(self.host)):
            self.subscriptions.append(bus.subscribe(topic, self.handle))

    def close(self) -> None:
        for sub in self.subscriptions:
            sub.close()
        self.subscriptions.clear()

    def handle(self, note: Notification) -> None:
        store = self.policies if note.resource_type == "QosPolicy" else self.ports
        known = store.get(note.resource_id)
        if known is not None and note.version < known.version:
            self.ignored.append(note)
            return
        store[note.resource_id] = Known(
            note.version, None if note.event == "deleted" else note.payload
        )
        if note.resource_type == "Port":
            self._sync(note.resource_id, note.payload)
            return
        for port_id, port in list(self.ports.items()):
            if isinstance(port.value, PortBinding) and port.value.policy_id == note.resource_id:
                self._sync(port_id, port.value)

    def policy_of(self, port_id: str) -> QosPolicy | None:
        """The policy this agent enforces on `port_id` now (None: no QoS)."""
        return self.applied.get(port_id)

    def _sync(self, port_id: str, last: object) -> None:
        current = self.ports[port_id].value
        port = current if isinstance(current, PortBinding) else last
        if not isinstance(port, PortBinding):
            return
        wanted = None
        if isinstance(current, PortBinding) and current.host == self.host:
            known = self.policies.get(current.policy_id or "")
            wanted = known.value if known and isinstance(known.value, QosPolicy) else None
        if port_id not in self.applied and wanted is None:
            return  # never programmed: nothing to remove
        if port_id in self.applied and self.applied[port_id] == wanted:
            return
        self.driver.apply(port, wanted)
        if wanted is None:
            del self.applied[port_id]
        else:
            self.applied[port_id] = wanted
