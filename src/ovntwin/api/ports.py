"""Ports: attribute map, IPAM, MAC generation, port security and security group defaults."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ovntwin.api import ipam
from ovntwin.api.access import Access, Ref, is_shared, shared_or_external
from ovntwin.api.attributes import (
    NAME,
    NOT_SPECIFIED,
    Attr,
    optional,
    standard_attrs,
    string,
    to_bool,
    to_uuid,
)
from ovntwin.api.errors import ApiError, BadRequest, Conflict, resource_not_found
from ovntwin.api.l3_guard import before_port_delete
from ovntwin.api.models import NetworkRow, QosPolicyRow, SubnetRow
from ovntwin.api.port_attrs import (
    NEUTRON_MAC_BASE,
    address_pairs,
    fixed_ips,
    fixed_ips_match,
    mac_address,
    uuid_list,
)
from ovntwin.api.port_models import IpAllocationRow, PortRow, SecurityGroupRow
from ovntwin.api.qos_rules import policy_not_found
from ovntwin.api.resource import Hooks, ResourceSpec, Values
from ovntwin.api.security_groups import default_group
from ovntwin.api.sg_rules import sg_not_found

VNIC_TYPES = ("normal", "direct", "macvtap", "baremetal", "direct-physical", "virtio-forwarder")
# ML2/OVN's vif details for a port bound to an OVS chassis
OVS_VIF_DETAILS = {
    "port_filter": True,
    "connectivity": "l2",
    "bridge_name": "br-int",
    "datapath_type": "system",
}


def _vnic(value: Any) -> str:
    if value not in VNIC_TYPES:
        raise ValueError(f"'{value}' is not in {list(VNIC_TYPES)}")
    return str(value)


def _profile(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"'{value}' is not a dictionary")
    return dict(value)


def _has_group(value: Any, raw: str) -> bool:
    return raw in (value or [])


def _attr(name: str, default: Any, convert: Any, column: str | None = None, **kw: Any) -> Attr:
    return Attr(name, column, post=True, put=True, default=default, convert=convert, **kw)


ATTRS = (
    *standard_attrs(),
    NAME,
    Attr("network_id", post=True, convert=to_uuid, filter=True, sort=True),
    _attr("admin_state_up", True, to_bool, filter=True, sort=True),
    _attr("mac_address", NOT_SPECIFIED, mac_address, filter=True, sort=True),
    _attr("fixed_ips", NOT_SPECIFIED, fixed_ips, filter=True, match=fixed_ips_match),
    _attr("device_id", "", string(255), filter=True, sort=True),
    _attr("device_owner", "", string(255), filter=True, sort=True),
    Attr("status", filter=True, sort=True),
    _attr("port_security_enabled", NOT_SPECIFIED, to_bool, filter=True),
    _attr("security_groups", NOT_SPECIFIED, uuid_list, filter=True, match=_has_group),
    _attr("allowed_address_pairs", [], address_pairs),
    _attr("qos_policy_id", None, optional(to_uuid), filter=True),
    Attr("qos_network_policy_id", column=""),
    _attr(
        "binding:host_id", "", string(255), "host_id", filter=True, admin_only=True, admin_read=True
    ),
    _attr("binding:vnic_type", "normal", _vnic, column="vnic_type", filter=True),
    _attr("binding:profile", {}, _profile, "profile", admin_only=True, admin_read=True),
    Attr("binding:vif_type", column="", admin_read=True),
    Attr("binding:vif_details", column="", admin_read=True),
)


def _trusted(owner: str) -> bool:
    return owner.startswith("network:")


def _ports(session: Session, network_id: str, but: str | None = None) -> list[PortRow]:
    rows = session.scalars(select(PortRow).where(PortRow.network_id == network_id)).all()
    return [r for r in rows if r.id != but]


def _subnets(session: Session, network_id: str) -> list[ipam.Subnet]:
    rows = session.scalars(
        select(SubnetRow).where(SubnetRow.network_id == network_id).order_by(SubnetRow.created_at)
    ).all()
    return [ipam.subnet_of(r) for r in rows]


def _taken(ports: list[PortRow]) -> set[str]:
    return {ip["ip_address"] for p in ports for ip in p.fixed_ips}


def _mac_in_use(network_id: str, mac: str) -> Conflict:
    return Conflict(
        f"Unable to complete operation for network {network_id}. The mac address {mac} is in use.",
        type_name="MacAddressInUse",
    )


def _new_mac(used: set[str]) -> str:
    rng = random.SystemRandom()
    for _ in range(16):  # neutron's mac_generation_retries
        mac = NEUTRON_MAC_BASE + "".join(f":{rng.randrange(256):02x}" for _ in range(3))
        if mac not in used:
            return mac
    raise Conflict("Unable to generate unique mac", type_name="MacAddressGenerationFailure")


def _check_groups(session: Session, groups: list[str]) -> None:
    for ident in groups:
        if session.get(SecurityGroupRow, ident) is None:
            raise sg_not_found(ident)


def _portsec_errors(enabled: bool, groups: list[str], pairs: list[Any]) -> None:
    if enabled:
        return
    if pairs:
        raise Conflict(
            "Port Security must be enabled in order to have allowed address pairs on a port.",
            type_name="AddressPairAndPortSecurityRequired",
        )
    if groups:
        raise BadRequest(
            "Port security must be enabled and port must have an IP address in order to "
            "use security groups.",
            type_name="PortSecurityAndIPRequiredForSecurityGroups",
        )


def _store_allocations(session: Session, port_id: str, network_id: str, ips: list[Any]) -> None:
    """Mirror fixed_ips into ipallocations; a concurrent double allocation fails here."""
    session.execute(delete(IpAllocationRow).where(IpAllocationRow.port_id == port_id))
    for ip in ips:
        session.add(
            IpAllocationRow(
                network_id=network_id,
                ip_address=ip["ip_address"],
                subnet_id=ip["subnet_id"],
                port_id=port_id,
            )
        )
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(
            f"IP address allocation on network {network_id} raced with another request; retry.",
            type_name="IpAddressAlreadyAllocated",
        ) from None


class PortHooks(Hooks):
    def before_create(self, session: Session, values: Values) -> None:
        network = session.get(NetworkRow, values["network_id"])
        if network is None:
            raise resource_not_found("Network", values["network_id"])
        others = _ports(session, network.id)
        macs = {p.mac_address for p in others}
        if values["mac_address"] is NOT_SPECIFIED:
            values["mac_address"] = _new_mac(macs)
        elif values["mac_address"] in macs:
            raise _mac_in_use(network.id, values["mac_address"])
        requested = values["fixed_ips"]
        values["fixed_ips"] = ipam.allocate(
            _subnets(session, network.id),
            None if requested is NOT_SPECIFIED else requested,
            _taken(others),
            values["mac_address"],
            network.id,
        )
        self._security(session, values, network)
        # the twin's chassis claims a bound port at once (real OVN: when ovn-controller binds it)
        values["status"] = "ACTIVE" if values["host_id"] else "DOWN"

    def after_create(self, session: Session, row: Any) -> None:
        _store_allocations(session, row.id, row.network_id, row.fixed_ips)

    def _security(self, session: Session, values: Values, network: NetworkRow) -> None:
        enabled = values["port_security_enabled"]
        if enabled is NOT_SPECIFIED:
            enabled = network.port_security_enabled  # inherits the network's setting
        values["port_security_enabled"] = enabled
        groups = values["security_groups"]
        _portsec_errors(
            enabled, [] if groups is NOT_SPECIFIED else groups, values["allowed_address_pairs"]
        )
        if groups is NOT_SPECIFIED:
            trusted = _trusted(values["device_owner"])
            groups = (
                [] if not enabled or trusted else [default_group(session, values["project_id"]).id]
            )
        _check_groups(session, groups)
        values["security_groups"] = groups

    def before_update(self, session: Session, row: Any, changes: Values) -> None:
        others = _ports(session, row.network_id, but=row.id)
        mac = changes.get("mac_address", row.mac_address)
        if "mac_address" in changes and mac in {p.mac_address for p in others}:
            raise _mac_in_use(row.network_id, mac)
        if "fixed_ips" in changes:
            changes["fixed_ips"] = ipam.allocate(
                _subnets(session, row.network_id),
                changes["fixed_ips"],
                _taken(others),
                mac,
                row.network_id,
                kept=row.fixed_ips,
            )
            _store_allocations(session, row.id, row.network_id, changes["fixed_ips"])
        enabled = changes.get("port_security_enabled", row.port_security_enabled)
        pairs = changes.get("allowed_address_pairs", row.allowed_address_pairs)
        if "security_groups" in changes:
            _portsec_errors(enabled, changes["security_groups"], pairs)
            _check_groups(session, changes["security_groups"])
        else:
            _portsec_errors(enabled, [], pairs)
            if not enabled and row.security_groups:
                raise Conflict(
                    "Port has security group associated. Cannot disable port security or IP "
                    "address until security group is removed",
                    type_name="PortSecurityPortHasSecurityGroup",
                )
        if "host_id" in changes:
            changes["status"] = "ACTIVE" if changes["host_id"] else "DOWN"

    def before_delete(self, session: Session, row: Any) -> None:
        before_port_delete(session, row)

    def extra_view(self, session: Session, row: Any) -> Values:
        bound = bool(row.host_id)
        return {
            "allowed_address_pairs": [
                {
                    "ip_address": p["ip_address"],
                    "mac_address": p.get("mac_address", row.mac_address),
                }
                for p in row.allowed_address_pairs
            ],
            # the policy the port inherits from its network (qos extension, read-only)
            "qos_network_policy_id": session.scalar(
                select(NetworkRow.qos_policy_id).where(NetworkRow.id == row.network_id)
            ),
            "binding:vif_type": "ovs" if bound else "unbound",
            "binding:vif_details": dict(OVS_VIF_DETAILS) if bound else {},
        }


def _network_not_found(ident: str) -> ApiError:
    return resource_not_found("Network", ident)


# a member's port may sit on a shared network and use a shared QoS policy, nothing else of others
ACCESS = Access(
    refs=(
        Ref("network_id", NetworkRow, _network_not_found, shared_or_external, is_shared),
        Ref("security_groups", SecurityGroupRow, sg_not_found),
        Ref("qos_policy_id", QosPolicyRow, policy_not_found, usable=is_shared),
    )
)
PORTS = ResourceSpec("port", "ports", "ports", "Port", PortRow, ATTRS, PortHooks(), access=ACCESS)
