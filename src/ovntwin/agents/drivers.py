"""QoS drivers: a port's policy -> what one chassis programs, as Neutron's two back ends.

* `OvnDriver`: the NB QoS rows ML2/OVN writes for the port (ml2ovn.qos.port_qos: priority
  2002, from-lport `inport == "<port>"` for egress, to-lport `outport` for ingress,
  bandwidth rate kbps / burst kbits, DSCP mark) - ovn-controller makes each a meter.
* `OvsDriver`: the OVS agent's settings: egress (from the VM) bandwidth limit = the VIF
  Interface's `ingress_policing_rate` / `ingress_policing_burst` (a policer that drops),
  ingress (to the VM) = an HTB queue's `max-rate` / `burst`; DSCP = a mark flow.

A driver hands each change to a `QosTarget` (the fabric's `PortQos` values), naming the
port by its VIF (`vif_of`: the port's name, else its id), and only when it changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from ovntwin.fabric.qos_runtime import OvnPortQos, OvsPortQos, PortQos
from ovntwin.fabric.scenario import QoSDirection
from ovntwin.model import rows as r
from ovntwin.neutron.ml2ovn import qos
from ovntwin.neutron.notify import PortBinding
from ovntwin.neutron.resources import (
    BandwidthLimitRule,
    DscpMarkingRule,
    Network,
    NeutronState,
    Port,
    QosPolicy,
)

# neutron's OVS agent: a bandwidth limit without burst gets 80 % of the rate as burst
# (neutron.agent.l2.extensions.qos_linux, qos_consts.DEFAULT_BURST_RATE)
DEFAULT_BURST_RATE_PCT = 80
DIRECTIONS: tuple[QoSDirection, ...] = ("egress", "ingress")
OVN_DIRECTION = {"from-lport": "egress", "to-lport": "ingress"}


class QosTarget(Protocol):
    def apply(self, change: PortQos) -> None: ...


class QosDriver(Protocol):
    name: str

    def apply(self, port: PortBinding, policy: QosPolicy | None) -> None:
        """Program `port` for `policy`; None: no QoS (policy removed, port unbound/gone)."""


def default_vif(port: PortBinding) -> str:
    return port.name or port.id


def ml2ovn_rows(port: PortBinding, policy: QosPolicy | None) -> list[r.QoS]:
    """The NB QoS rows ML2/OVN writes for `port` under `policy` (by the port's id).

    The agent does not know the network's type, so a min-bw rule on a physnet (limits in
    LSP options instead of a row) is not told apart; ML2/OVN on a geneve network is."""
    if policy is None:
        return []
    state = NeutronState(
        networks=(Network(id=port.network_id),),
        ports=(
            Port(
                id=port.id,
                network_id=port.network_id,
                mac_address="",
                device_owner=port.device_owner,
                qos_policy_id=policy.id,
            ),
        ),  # fmt: skip
        qos_policies=(policy,),
    )
    state_port = state.ports[0]
    return [q.row for q in qos.port_qos(state, state_port)]


@dataclass
class OvnDriver:
    target: QosTarget
    vif_of: Callable[[PortBinding], str] = default_vif
    name: str = "ovn"

    def __post_init__(self) -> None:
        self.rows: dict[str, list[r.QoS]] = {}  # port id -> ML2/OVN's rows

    def apply(self, port: PortBinding, policy: QosPolicy | None) -> None:
        rows = ml2ovn_rows(port, policy)
        old = {OVN_DIRECTION[x.direction]: x for x in self.rows.get(port.id, [])}
        new = {OVN_DIRECTION[x.direction]: x for x in rows}
        if rows:
            self.rows[port.id] = rows
        else:
            self.rows.pop(port.id, None)
        vif = self.vif_of(port)
        for direction in DIRECTIONS:
            if old.get(direction) != new.get(direction):
                row = new.get(direction)
                named = None if row is None else _renamed(row, port.id, vif)
                self.target.apply(OvnPortQos(vif, direction, named))


def _renamed(row: r.QoS, port_id: str, vif: str) -> r.QoS:
    """ML2/OVN names the LSP by the port id; the fabric's LSP is the VIF name."""
    return replace(row, match=row.match.replace(f'"{port_id}"', f'"{vif}"'))


def ovs_settings(port: PortBinding, policy: QosPolicy | None) -> OvsPortQos:
    vif = port.name or port.id
    out = OvsPortQos(vif)
    for rule in policy.rules if policy else ():
        if not isinstance(rule, BandwidthLimitRule):
            continue
        burst = rule.max_burst_kbps or rule.max_kbps * DEFAULT_BURST_RATE_PCT // 100
        if rule.direction == "egress":
            out = replace(out, policing_rate_kbps=rule.max_kbps, policing_burst_kbits=burst)
        else:
            out = replace(out, queue_max_rate_kbps=rule.max_kbps, queue_burst_kbits=burst)
    return out


def dscp_mark(policy: QosPolicy | None) -> int | None:
    rules = policy.rules if policy else ()
    return next((x.dscp_mark for x in rules if isinstance(x, DscpMarkingRule)), None)


@dataclass
class OvsDriver:
    target: QosTarget
    vif_of: Callable[[PortBinding], str] = default_vif
    name: str = "ovs"

    def __post_init__(self) -> None:
        self.interfaces: dict[str, OvsPortQos] = {}  # port id -> Interface/queue settings
        self.dscp: dict[str, int] = {}  # port id -> mark (the fabric carries no DSCP field)

    def apply(self, port: PortBinding, policy: QosPolicy | None) -> None:
        settings = replace(ovs_settings(port, policy), vif=self.vif_of(port))
        mark = dscp_mark(policy)
        if mark is None:
            self.dscp.pop(port.id, None)
        else:
            self.dscp[port.id] = mark
        old = self.interfaces.get(port.id, OvsPortQos(settings.vif))
        if settings == OvsPortQos(settings.vif):
            self.interfaces.pop(port.id, None)
        else:
            self.interfaces[port.id] = settings
        if old != settings:
            self.target.apply(settings)
