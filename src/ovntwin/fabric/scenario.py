"""A scenario: an NB topology on a physical fabric, with traffic and timed events.

`load.py` builds a `Scenario` from a file (docs/fabric-format.md). Everything is
resolved and checked there: names refer to existing things, times are integer
microseconds, QoS changes carry the exact NB QoS row ML2/OVN would write.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from ovntwin.fabric.spec import Attachment, FabricSpec, Placement
from ovntwin.loaders import Topology
from ovntwin.loaders.uuids import row_uuid
from ovntwin.model import rows as r
from ovntwin.model.db import NorthboundDB

# ML2/OVN writes port QoS rows at this priority (FIP rules use 2003).
NEUTRON_PORT_QOS_PRIORITY = 2002


# -- traffic -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Ping:
    """ICMP echo requests every `interval_us` (like `ping -i`), `count` of them or until the end."""

    name: str
    source: str  # a placed VIF or an external host
    dst_ip: str
    start_us: int
    interval_us: int
    count: int | None = None
    size: int = 64  # ICMP bytes (header + payload), `ping -s 56`


@dataclass(frozen=True, slots=True, kw_only=True)
class UdpFlow:
    """Constant-rate UDP: one `size`-byte IP packet every size*8/rate_kbps ms."""

    name: str
    source: str
    dst_ip: str
    start_us: int
    stop_us: int | None
    rate_kbps: int
    size: int = 1400  # IP packet bytes
    src_port: int = 40000
    dst_port: int = 5001


@dataclass(frozen=True, slots=True, kw_only=True)
class TcpFlow:
    """A TCP-like bulk flow: AIMD window (+1 MSS per RTT, halved on a loss)."""

    name: str
    source: str
    dst_ip: str
    start_us: int
    stop_us: int | None
    mss: int = 1460
    src_port: int = 40001
    dst_port: int = 5201


Traffic = Ping | UdpFlow | TcpFlow


# -- events --------------------------------------------------------------------------

ChassisAction = Literal["crash", "restart", "ovn-controller-stop", "ovn-controller-start"]
QoSAction = Literal["apply", "update", "remove"]
QoSDirection = Literal["egress", "ingress"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ChassisEvent:
    at_us: int
    action: ChassisAction
    chassis: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkEvent:
    """A NIC <-> ToR link goes down or up (`nic-down` names it by chassis and network)."""

    at_us: int
    up: bool
    attachment: Attachment
    chassis: str | None = None  # the chassis whose NIC it is, if any
    host: str | None = None  # or the external host


@dataclass(frozen=True, slots=True, kw_only=True)
class PartitionEvent:
    """Tunnels work only inside each group (empty `groups`: the overlay heals)."""

    at_us: int
    groups: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class QoSEvent:
    """Apply / update / remove the port's QoS row of one direction, as ML2/OVN does.

    `row` is the NB QoS row after the change (None when removed); `switch` is the
    logical switch of the port, whose `qos_rules` hold the row.
    """

    at_us: int
    action: QoSAction
    port: str
    switch: str
    direction: QoSDirection
    row_uuid: str
    row: r.QoS | None


Event = ChassisEvent | LinkEvent | PartitionEvent | QoSEvent


# -- the scenario ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    name: str  # the file's stem
    source: str  # the scenario file
    variant: str | None  # None: the base scenario
    variants: tuple[str, ...]  # every variant the file defines
    description: str
    topology: Topology  # NB rows; runtime facts derived from fabric + placement
    fabric: FabricSpec
    placement: tuple[Placement, ...]
    traffic: tuple[Traffic, ...]
    events: tuple[Event, ...]  # sorted by time (stable: file order at equal times)
    until_us: int
    seed: int

    @property
    def nb(self) -> NorthboundDB:
        return self.topology.nb

    def placed(self, vif: str) -> Placement | None:
        return next((p for p in self.placement if p.vif == vif), None)

    def flow(self, name: str) -> Traffic | None:
        return next((t for t in self.traffic if t.name == name), None)


def qos_row_uuid(switch: str, port: str, direction: QoSDirection) -> str:
    """The (stable) UUID of the QoS row the fabric writes for a port and direction."""
    return row_uuid("QoS", "fabric", switch, port, direction)


def with_qos(nb: NorthboundDB, event: QoSEvent) -> NorthboundDB:
    """`nb` with the event's QoS row set (or removed) on its logical switch; rows keep
    their order (the switch in place, a new QoS row last)."""
    switch = nb.by_name(r.LogicalSwitch, event.switch)
    if switch is None:
        return nb
    rules = tuple(u for u in switch.qos_rules if u != event.row_uuid)
    if event.row is not None:
        rules += (event.row_uuid,)
    rows: list[r.Row] = []
    for table in nb.tables.values():
        for row in table.values():
            if row.uuid == switch.uuid:
                rows.append(replace(switch, qos_rules=rules))
            elif row.uuid != event.row_uuid:
                rows.append(row)
    if event.row is not None:
        rows.append(event.row)
    return NorthboundDB.build(rows, nb.runtime)
