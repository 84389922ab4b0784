"""Floating IPs (`/v2.0/floatingips`; ext router, qos-fip), after neutron's l3_db.

Each FIP owns a port on the external network (device_owner network:floatingip, project "",
device_id = the FIP's id); its router is the one with a gateway on that network and an
interface on the associated port's subnet.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ovntwin.api import resource
from ovntwin.api.access import Access, Ref, is_shared, shared_or_external
from ovntwin.api.attributes import Attr, ip_address, optional, standard_attrs, to_uuid
from ovntwin.api.errors import ApiError, Conflict, NotFound, resource_not_found
from ovntwin.api.models import NetworkRow, QosPolicyRow, SubnetRow
from ovntwin.api.port_models import PortRow
from ovntwin.api.ports import PORTS
from ovntwin.api.qos_policies import check_policy
from ovntwin.api.qos_rules import policy_not_found
from ovntwin.api.resource import Hooks, ResourceSpec, Values
from ovntwin.api.router_models import FloatingIPRow, RouterRow
from ovntwin.api.router_ports import FLOATINGIP, INTERFACE, bad_router, create_port

PENDING = "ovntwin.floatingip.request"  # session.info key: association asked for on POST


def _attr(name: str, put: bool = False, convert: Any = None, column: str | None = None) -> Attr:
    return Attr(
        name, column, post=True, put=put, default=None, convert=convert, filter=True, sort=True
    )


ATTRS = (
    *standard_attrs(),
    Attr("floating_network_id", post=True, convert=to_uuid, filter=True, sort=True),
    _attr("floating_ip_address", convert=optional(ip_address)),
    # input only (is_visible False in neutron-lib); "subnet" is no column, the hooks take it
    Attr("subnet_id", "subnet", post=True, default=None, convert=optional(to_uuid), visible=False),
    _attr("port_id", put=True, convert=optional(to_uuid)),
    _attr("fixed_ip_address", put=True, convert=optional(ip_address)),
    Attr("router_id", filter=True, sort=True),
    Attr("status", filter=True, sort=True),
    _attr("qos_policy_id", put=True, convert=optional(to_uuid)),
    Attr("port_details", column=""),
)


def _bad(msg: str) -> Any:
    return bad_router(msg, "floatingip")


def _v4(port: PortRow) -> list[dict[str, str]]:
    return [ip for ip in port.fixed_ips if ipaddress.ip_address(ip["ip_address"]).version == 4]


def _internal(session: Session, port_id: str, fixed: str | None) -> tuple[PortRow, str, str]:
    """l3_db._internal_fip_assoc_data: (port, subnet id, fixed IPv4 address)."""
    port: PortRow = resource.get_row(PORTS, session, port_id)
    owner = port.device_owner
    if owner.startswith("network:"):
        raise _bad(f"Port {port.id} is unable to be assigned a floating IP")
    if fixed is not None:
        if ipaddress.ip_address(fixed).version != 4:
            raise _bad(
                f"Cannot process floating IP association with {fixed}, since that is not "
                "an IPv4 address"
            )
        subnet = next((ip["subnet_id"] for ip in port.fixed_ips if ip["ip_address"] == fixed), None)
        if subnet is None:
            raise _bad(f"Port {port.id} does not have fixed ip {fixed}")
        return port, subnet, fixed
    v4 = _v4(port)
    if not v4:
        raise _bad(f"Cannot add floating IP to port {port.id} that has no fixed IPv4 addresses")
    if len(v4) > 1:
        raise _bad(
            f"Port {port.id} has multiple fixed IPv4 addresses.  Must provide a specific "
            "IPv4 address when assigning a floating IP"
        )
    return port, v4[0]["subnet_id"], v4[0]["ip_address"]


def router_for(session: Session, port: PortRow, subnet_id: str, network_id: str) -> str:
    """get_router_for_floatingip: a router with a gateway on `network_id` and an interface on
    the subnet, preferring the one holding the subnet's gateway IP."""
    gateway_ip = session.get(SubnetRow, subnet_id).gateway_ip  # type: ignore[union-attr]
    first: str | None = None
    interfaces = session.scalars(
        select(PortRow)
        .where(PortRow.network_id == port.network_id, PortRow.device_owner == INTERFACE)
        .order_by(PortRow.created_at, PortRow.id)
    )
    for iface in interfaces:
        ips = [ip["ip_address"] for ip in iface.fixed_ips if ip["subnet_id"] == subnet_id]
        router = session.get(RouterRow, iface.device_id)
        if not ips or router is None or router.gw_network_id != network_id:
            continue
        if gateway_ip in ips:
            return router.id
        first = first or router.id
    if first is None:
        raise NotFound(
            f"External network {network_id} is not reachable from subnet {subnet_id}.  "
            f"Therefore, cannot associate Port {port.id} with a Floating IP.",
            type_name="ExternalGatewayForFloatingIPNotFound",
        )
    return first


def associate(session: Session, fip: FloatingIPRow, port_id: str | None, fixed: str | None) -> None:
    """_update_fip_assoc: set (or with port_id None clear) port, fixed IP, router, status."""
    if fixed is not None and port_id is None:
        raise _bad("fixed_ip_address cannot be specified without a port_id")
    if port_id is None:
        fip.port_id = fip.fixed_ip_address = fip.router_id = None
        fip.status = "DOWN"
        return
    port, subnet_id, address = _internal(session, port_id, fixed)
    router_id = router_for(session, port, subnet_id, fip.floating_network_id)
    taken = session.scalar(
        select(FloatingIPRow.id).where(
            FloatingIPRow.port_id == port.id,
            FloatingIPRow.floating_network_id == fip.floating_network_id,
            FloatingIPRow.fixed_ip_address == address,
            FloatingIPRow.id != fip.id,
        )
    )
    if taken is not None:
        raise Conflict(
            f"Cannot associate floating IP {fip.floating_ip_address} ({fip.id}) with port "
            f"{port.id} using fixed IP {address}, as that fixed IP already has a floating IP "
            f"on external network {fip.floating_network_id}.",
            type_name="FloatingIPPortAlreadyAssociated",
        )
    fip.port_id, fip.fixed_ip_address, fip.router_id = port.id, address, router_id
    fip.status = "ACTIVE"  # ML2/OVN: ACTIVE once the NAT row exists (the twin: at once)


def _external(session: Session, network_id: str) -> NetworkRow:
    network = session.get(NetworkRow, network_id)
    if network is None:
        raise resource_not_found("Network", network_id)
    if not network.external:
        raise _bad(f"Network {network_id} is not a valid external network")
    v4 = session.scalar(
        select(SubnetRow.id).where(SubnetRow.network_id == network_id, SubnetRow.ip_version == 4)
    )
    if v4 is None:
        raise _bad(f"Network {network_id} does not contain any IPv4 subnet")
    return network


class FloatingIPHooks(Hooks):
    def before_create(self, session: Session, values: Values) -> None:
        network = _external(session, values["floating_network_id"])
        check_policy(session, values["qos_policy_id"])
        fixed: dict[str, str] = {}
        if values["subnet"] is not None:
            fixed["subnet_id"] = values["subnet"]
        if values["floating_ip_address"] is not None:
            fixed["ip_address"] = values["floating_ip_address"]
        port_values: dict[str, Any] = {
            "project_id": "",  # never exposed to the project (l3_db)
            "network_id": network.id,
            "device_id": "PENDING",
            "device_owner": FLOATINGIP,
        }
        if fixed:
            port_values["fixed_ips"] = [fixed]
        port = create_port(session, port_values)
        v4 = _v4(port)
        if not v4:
            raise Conflict(
                f"Unable to find any IP address on external network {network.id}.",
                type_name="ExternalIpAddressExhausted",
            )
        values["floating_ip_address"] = v4[0]["ip_address"]
        values["floating_port_id"] = port.id
        session.info[PENDING] = (values.pop("port_id"), values.pop("fixed_ip_address"))
        values.pop("subnet")
        values["status"] = "DOWN"

    def after_create(self, session: Session, row: Any) -> None:
        port_id, fixed = session.info.pop(PENDING, (None, None))
        associate(session, row, port_id, fixed)
        port: PortRow = resource.get_row(PORTS, session, row.floating_port_id)
        port.device_id = row.id
        resource.flush(session)

    def before_update(self, session: Session, row: Any, changes: Values) -> None:
        if "qos_policy_id" in changes:
            check_policy(session, changes["qos_policy_id"])
        if "port_id" in changes or "fixed_ip_address" in changes:
            port_id = changes.pop("port_id", row.port_id)
            fixed = changes.pop("fixed_ip_address", None)
            if port_id != row.port_id or fixed not in (None, row.fixed_ip_address):
                associate(session, row, port_id, fixed)

    def before_delete(self, session: Session, row: Any) -> None:
        port = session.get(PortRow, row.floating_port_id)
        if port is None:
            return

        # the port goes once the FIP row is gone (its floating_port_id references it)
        @event.listens_for(session, "after_flush_postexec", once=True)
        def _drop_port(done: Session, _context: Any) -> None:
            done.delete(port)

    def extra_view(self, session: Session, row: Any) -> Values:
        return {"port_details": _port_details(session, row.port_id)}


def _port_details(session: Session, port_id: str | None) -> dict[str, Any] | None:
    """fip-port-details: a few attributes of the associated port."""
    port = session.get(PortRow, port_id) if port_id else None
    if port is None:
        return None
    return {
        "name": port.name,
        "network_id": port.network_id,
        "mac_address": port.mac_address,
        "admin_state_up": port.admin_state_up,
        "status": port.status,
        "device_id": port.device_id,
        "device_owner": port.device_owner,
    }


def _network_not_found(ident: str) -> ApiError:
    return resource_not_found("Network", ident)


def _port_not_found(ident: str) -> ApiError:
    return resource_not_found("Port", ident)


# a member allocates from external (or shared) networks, for its own ports, with shared QoS
ACCESS = Access(
    refs=(
        Ref("floating_network_id", NetworkRow, _network_not_found, usable=shared_or_external),
        Ref("port_id", PortRow, _port_not_found),
        Ref("qos_policy_id", QosPolicyRow, policy_not_found, usable=is_shared),
    )
)
FLOATINGIPS = ResourceSpec(
    "floatingip",
    "floatingips",
    "floatingips",
    "FloatingIP",
    FloatingIPRow,
    ATTRS,
    FloatingIPHooks(),
    access=ACCESS,
)
