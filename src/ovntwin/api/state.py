"""`neutron_state(session)`: the SQL rows as one `NeutronState` snapshot for `build_nb`."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ovntwin.api.models import (
    NetworkRow,
    QosBandwidthLimitRuleRow,
    QosDscpMarkingRuleRow,
    QosMinimumBandwidthRuleRow,
    QosPolicyRow,
    SubnetRow,
)
from ovntwin.api.port_models import PortRow, SecurityGroupRow, SecurityGroupRuleRow
from ovntwin.api.router_models import FloatingIPRow, RouterRow
from ovntwin.neutron import resources as nr

T = TypeVar("T")
# A fixed namespace for the segment ids of provider networks (see _segment).
_SEGMENTS = uuid.UUID("5e65e000-0000-4000-8000-000000000000")


def neutron_state(session: Session) -> nr.NeutronState:
    """Every resource of the database, ordered by id (so the NB build is deterministic)."""
    ports = _all(session, PortRow)
    return nr.NeutronState(
        networks=tuple(_network(x) for x in _all(session, NetworkRow)),
        subnets=tuple(_subnet(x) for x in _all(session, SubnetRow)),
        ports=tuple(_port(x) for x in ports),
        routers=tuple(_router(x) for x in _all(session, RouterRow)),
        floatingips=tuple(_floatingip(x) for x in _all(session, FloatingIPRow)),
        security_groups=_security_groups(session),
        qos_policies=qos_policies(session),
    )


def _all(session: Session, model: type[T]) -> list[T]:
    return list(session.scalars(select(model).order_by(model.id)))  # type: ignore[attr-defined]


def segment_id(network_id: str) -> str:
    # Neutron keeps segments in their own table with random ids; the twin has one segment per
    # network, so its id is derived from the network id (stable across calls and restarts).
    return str(uuid.uuid5(_SEGMENTS, network_id))


def _network(row: NetworkRow) -> nr.Network:
    seg = nr.Segment(
        id=segment_id(row.id),
        network_type=row.network_type,
        physical_network=row.physical_network,
        segmentation_id=row.segmentation_id,
    )
    return nr.Network(
        id=row.id, name=row.name, project_id=row.project_id, admin_state_up=row.admin_state_up,
        mtu=row.mtu, router_external=row.external, segments=(seg,),
        qos_policy_id=row.qos_policy_id, revision_number=row.revision_number,
    )  # fmt: skip


def _subnet(row: SubnetRow) -> nr.Subnet:
    return nr.Subnet(
        id=row.id, network_id=row.network_id, cidr=row.cidr, ip_version=row.ip_version,
        name=row.name, gateway_ip=row.gateway_ip, enable_dhcp=row.enable_dhcp,
        revision_number=row.revision_number,
    )  # fmt: skip


def _fixed_ips(items: Iterable[dict[str, str]]) -> tuple[nr.FixedIP, ...]:
    return tuple(nr.FixedIP(subnet_id=x["subnet_id"], ip_address=x["ip_address"]) for x in items)


def _port(row: PortRow) -> nr.Port:
    mac = row.mac_address
    pairs = tuple(
        nr.AddressPair(ip_address=x["ip_address"], mac_address=x.get("mac_address") or mac)
        for x in row.allowed_address_pairs
    )
    return nr.Port(
        id=row.id, network_id=row.network_id, mac_address=row.mac_address, name=row.name,
        project_id=row.project_id, admin_state_up=row.admin_state_up,
        fixed_ips=_fixed_ips(row.fixed_ips), device_owner=row.device_owner,
        device_id=row.device_id, binding_host_id=row.host_id, binding_vnic_type=row.vnic_type,
        security_groups=tuple(row.security_groups),
        port_security_enabled=row.port_security_enabled, allowed_address_pairs=pairs,
        qos_policy_id=row.qos_policy_id, revision_number=row.revision_number,
    )  # fmt: skip


def _router(row: RouterRow) -> nr.Router:
    gateway = None
    if row.gw_network_id is not None:
        gateway = nr.ExternalGateway(
            network_id=row.gw_network_id, enable_snat=row.enable_snat,
            qos_policy_id=row.qos_policy_id,
        )  # fmt: skip
    return nr.Router(
        id=row.id, name=row.name, project_id=row.project_id, admin_state_up=row.admin_state_up,
        external_gateway_info=gateway,
        routes=tuple(nr.Route(destination=x["destination"], nexthop=x["nexthop"])
                     for x in row.routes),
        availability_zone_hints=tuple(row.availability_zone_hints),
        revision_number=row.revision_number,
    )  # fmt: skip


def _floatingip(row: FloatingIPRow) -> nr.FloatingIP:
    return nr.FloatingIP(
        id=row.id, floating_network_id=row.floating_network_id,
        floating_ip_address=row.floating_ip_address, floating_port_id=row.floating_port_id,
        port_id=row.port_id, fixed_ip_address=row.fixed_ip_address, router_id=row.router_id,
        qos_policy_id=row.qos_policy_id, project_id=row.project_id,
        revision_number=row.revision_number,
    )  # fmt: skip


def _security_groups(session: Session) -> tuple[nr.SecurityGroup, ...]:
    rules: dict[str, list[nr.SecurityGroupRule]] = defaultdict(list)
    for x in _all(session, SecurityGroupRuleRow):
        rules[x.security_group_id].append(
            nr.SecurityGroupRule(
                id=x.id,
                security_group_id=x.security_group_id,
                direction=x.direction,
                ethertype=x.ethertype,
                protocol=x.protocol,
                port_range_min=x.port_range_min,
                port_range_max=x.port_range_max,
                remote_ip_prefix=x.remote_ip_prefix,
                remote_group_id=x.remote_group_id,
            )  # fmt: skip
        )
    return tuple(
        nr.SecurityGroup(
            id=g.id,
            name=g.name,
            project_id=g.project_id,
            stateful=g.stateful,
            rules=tuple(rules[g.id]),
            revision_number=g.revision_number,
        )  # fmt: skip
        for g in _all(session, SecurityGroupRow)
    )


def qos_policies(session: Session) -> tuple[nr.QosPolicy, ...]:
    """Every QoS policy with its rules (all kinds, ordered by rule id)."""
    rules: dict[str, list[nr.QosRule]] = defaultdict(list)
    for b in _all(session, QosBandwidthLimitRuleRow):
        rules[b.qos_policy_id].append(
            nr.BandwidthLimitRule(
                id=b.id,
                max_kbps=b.max_kbps,
                max_burst_kbps=b.max_burst_kbps,
                direction=b.direction,
            )  # fmt: skip
        )
    for d in _all(session, QosDscpMarkingRuleRow):
        rules[d.qos_policy_id].append(nr.DscpMarkingRule(id=d.id, dscp_mark=d.dscp_mark))
    for m in _all(session, QosMinimumBandwidthRuleRow):
        rules[m.qos_policy_id].append(
            nr.MinimumBandwidthRule(id=m.id, min_kbps=m.min_kbps, direction=m.direction)
        )
    return tuple(
        nr.QosPolicy(
            id=p.id,
            name=p.name,
            project_id=p.project_id,
            shared=p.shared,
            is_default=p.is_default,
            rules=tuple(sorted(rules[p.id], key=lambda rule: rule.id)),
            revision_number=p.revision_number,
        )  # fmt: skip
        for p in _all(session, QosPolicyRow)
    )
