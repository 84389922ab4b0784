"""Networks: attribute map + provider (ML2 type driver) validation and segment allocation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ovntwin.api.access import Access, Ref, is_shared, shared_or_external
from ovntwin.api.attributes import (
    NAME,
    NOT_SPECIFIED,
    Attr,
    optional,
    standard_attrs,
    string,
    to_bool,
    to_int,
    to_uuid,
)
from ovntwin.api.errors import Conflict, InvalidInput
from ovntwin.api.models import NetworkRow, QosPolicyRow, SubnetRow
from ovntwin.api.port_models import PortRow
from ovntwin.api.qos_policies import check_policy, default_policy
from ovntwin.api.qos_rules import policy_not_found
from ovntwin.api.resource import Hooks, ResourceSpec, Values

TYPES = ("vlan", "flat", "geneve")
TENANT_TYPE = "geneve"  # ML2/OVN's default tenant_network_types
MAX_VNI = 2**24 - 1
# ML2/OVN takes the Geneve header (38 bytes incl. options) + outer IPv4/UDP off 1500
GENEVE_MTU = 1442
MIN_MTU = 68  # neutron-lib's constants.IPV4_MIN_MTU


def _bool_attr(name: str, default: bool, column: str | None = None, admin: bool = False) -> Attr:
    return Attr(
        name,
        column,
        post=True,
        put=True,
        default=default,
        convert=to_bool,
        filter=True,
        sort=True,
        admin_only=admin,
    )


ATTRS = (
    *standard_attrs(),
    NAME,
    _bool_attr("admin_state_up", True),
    Attr("status", filter=True, sort=True),
    Attr("subnets", column=""),
    _bool_attr("shared", False, admin=True),
    _bool_attr("router:external", False, column="external", admin=True),
    _bool_attr("port_security_enabled", True),
    # net-mtu-writable: given on create/update, else the largest the segment type allows
    Attr("mtu", post=True, put=True, default=NOT_SPECIFIED, convert=to_int, filter=True, sort=True),
    Attr(
        "provider:network_type",
        "network_type",
        post=True,
        put=True,
        default=NOT_SPECIFIED,
        convert=optional(string(32)),
        filter=True,
        admin_only=True,
        admin_read=True,
    ),
    Attr(
        "provider:physical_network",
        "physical_network",
        post=True,
        put=True,
        default=NOT_SPECIFIED,
        convert=optional(string(64)),
        filter=True,
        admin_only=True,
        admin_read=True,
    ),
    Attr(
        "provider:segmentation_id",
        "segmentation_id",
        post=True,
        put=True,
        default=NOT_SPECIFIED,
        convert=optional(to_int),
        filter=True,
        admin_only=True,
        admin_read=True,
    ),
    Attr(
        "qos_policy_id",
        post=True,
        put=True,
        default=NOT_SPECIFIED,
        convert=optional(to_uuid),
        filter=True,
    ),
    Attr("availability_zone_hints", column="", post=True, default=[]),
    Attr("availability_zones", column=""),
    Attr("ipv4_address_scope", column=""),
    Attr("ipv6_address_scope", column=""),
)
PROVIDER = ("network_type", "physical_network", "segmentation_id")


def _given(value: Any) -> Any:
    return None if value is NOT_SPECIFIED else value


def _in_use(session: Session, net_type: str, physnet: str | None, seg: int | None) -> bool:
    query = select(func.count()).select_from(NetworkRow).where(NetworkRow.network_type == net_type)
    if physnet is not None:
        query = query.where(NetworkRow.physical_network == physnet)
    if seg is not None:
        query = query.where(NetworkRow.segmentation_id == seg)
    return bool(session.scalar(query))


def _allocate(session: Session, net_type: str, physnet: str | None, top: int) -> int:
    used = set(
        session.scalars(
            select(NetworkRow.segmentation_id).where(
                NetworkRow.network_type == net_type, NetworkRow.physical_network == physnet
            )
        )
    )
    free = next((n for n in range(1, top + 1) if n not in used), None)
    if free is None:
        raise Conflict(
            f"Unable to create the network. No {net_type} segment is available.",
            type_name="NoNetworkAvailable",
        )
    return free


def _vlan(session: Session, physnet: str | None, seg: int | None) -> tuple[str | None, int]:
    if physnet is None:
        if seg is not None:
            raise InvalidInput(
                "segmentation_id requires physical_network for VLAN provider network"
            )
        raise InvalidInput("physical_network required for VLAN provider network")
    if seg is None:
        return physnet, _allocate(session, "vlan", physnet, 4094)
    if not 1 <= seg <= 4094:
        raise InvalidInput("segmentation_id out of range (1 through 4094)")
    if _in_use(session, "vlan", physnet, seg):
        raise Conflict(
            f"Unable to create the network. The VLAN {seg} on physical network "
            f"{physnet} is in use.",
            type_name="VlanIdInUse",
        )
    return physnet, seg


def _flat(session: Session, physnet: str | None, seg: int | None) -> tuple[str | None, None]:
    if physnet is None:
        raise InvalidInput("physical_network required for flat provider network")
    if seg is not None:
        raise InvalidInput("segmentation_id prohibited for flat provider network")
    if _in_use(session, "flat", physnet, None):
        raise Conflict(
            f"Unable to create the flat network. Physical network {physnet} is in use.",
            type_name="FlatNetworkInUse",
        )
    return physnet, None


def _geneve(session: Session, physnet: str | None, seg: int | None) -> tuple[None, int]:
    if physnet is not None:
        raise InvalidInput("provider:physical_network specified for geneve network")
    if seg is None:
        return None, _allocate(session, "geneve", None, MAX_VNI)
    if not 1 <= seg <= MAX_VNI:
        raise InvalidInput(f"segmentation_id out of range (1 through {MAX_VNI})")
    if _in_use(session, "geneve", None, seg):
        raise Conflict(
            f"Unable to create the network. The tunnel ID {seg} is in use.",
            type_name="TunnelIdInUse",
        )
    return None, seg


def provider_segment(session: Session, values: Values) -> None:
    """Validate/complete provider:* like ML2's type drivers; writes the three columns."""
    net_type = _given(values.get("network_type")) or TENANT_TYPE
    physnet = _given(values.get("physical_network"))
    seg = _given(values.get("segmentation_id"))
    if net_type not in TYPES:
        raise InvalidInput(f"network_type value '{net_type}' not supported")
    driver = {"vlan": _vlan, "flat": _flat, "geneve": _geneve}[net_type]
    physnet, seg = driver(session, physnet, seg)
    values.update(network_type=net_type, physical_network=physnet, segmentation_id=seg)
    largest = max_mtu(net_type)
    values["mtu"] = largest if values.get("mtu", NOT_SPECIFIED) is NOT_SPECIFIED else values["mtu"]
    check_mtu(values["mtu"], largest)


def max_mtu(net_type: str) -> int:
    return GENEVE_MTU if net_type == "geneve" else 1500


def check_mtu(mtu: int, largest: int) -> None:
    if mtu > largest:
        raise InvalidInput(f"Requested MTU is too big, maximum is {largest}")
    if mtu < MIN_MTU:
        raise InvalidInput(f"Invalid input for mtu. Reason: {mtu} is less than {MIN_MTU}")


class NetworkHooks(Hooks):
    def before_create(self, session: Session, values: Values) -> None:
        provider_segment(session, values)
        if values["qos_policy_id"] is NOT_SPECIFIED:  # qos-default: the project's default
            values["qos_policy_id"] = default_policy(session, values["project_id"])
        check_policy(session, values["qos_policy_id"])

    def before_update(self, session: Session, row: Any, changes: Values) -> None:
        check_policy(session, changes.get("qos_policy_id"))
        if "mtu" in changes:
            check_mtu(changes["mtu"], max_mtu(row.network_type))
        wanted = {k: changes[k] for k in PROVIDER if k in changes}
        current = {k: getattr(row, k) for k in PROVIDER}
        if wanted and any(wanted[k] != current[k] for k in wanted):
            # ML2 refuses to change segments of an existing network
            raise InvalidInput("Plugin does not support updating provider attributes")

    def before_delete(self, session: Session, row: Any) -> None:
        # Neutron deletes a network's subnets with it, refusing while ports remain
        if session.scalars(select(PortRow.id).where(PortRow.network_id == row.id)).first():
            raise Conflict(
                f"Unable to complete operation on network {row.id}. There are one or more "
                "ports still in use on the network.",
                type_name="NetworkInUse",
            )
        for subnet in session.scalars(select(SubnetRow).where(SubnetRow.network_id == row.id)):
            session.delete(subnet)
        session.flush()

    def extra_view(self, session: Session, row: Any) -> Values:
        subnets = session.scalars(
            select(SubnetRow.id).where(SubnetRow.network_id == row.id).order_by(SubnetRow.id)
        ).all()
        return {
            "subnets": list(subnets),
            "availability_zone_hints": [],
            "availability_zones": [],
            "ipv4_address_scope": None,
            "ipv6_address_scope": None,
        }


# others see shared and external networks; a member may attach only shared QoS policies
ACCESS = Access(
    public=shared_or_external,
    refs=(Ref("qos_policy_id", QosPolicyRow, policy_not_found, usable=is_shared),),
)
NETWORKS = ResourceSpec(
    "network", "networks", "networks", "Network", NetworkRow, ATTRS, NetworkHooks(), access=ACCESS
)
