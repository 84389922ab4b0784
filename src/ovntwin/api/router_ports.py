"""The ports a router owns (interfaces, gateway) and the checks Neutron's l3_db runs on them.

Service ports are created/updated through the ports resource itself, so MACs, IPAM and the
ipallocations mirror behave exactly as for a user's port.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ovntwin.api import resource
from ovntwin.api.errors import ApiError, BadRequest, Conflict
from ovntwin.api.models import SubnetRow
from ovntwin.api.port_models import PortRow
from ovntwin.api.ports import PORTS
from ovntwin.api.router_models import FloatingIPRow, RouterRow

INTERFACE = "network:router_interface"
GATEWAY = "network:router_gateway"
FLOATINGIP = "network:floatingip"


def bad_router(msg: str, resource_name: str = "router") -> BadRequest:
    """neutron_lib BadRequest: 'Bad <resource> request: <msg>.'"""
    return BadRequest(f"Bad {resource_name} request: {msg}.", type_name="BadRequest")


def create_port(session: Session, values: dict[str, Any]) -> PortRow:
    """A service port made as Neutron's plugin_utils.create_port does (admin, via the core)."""
    body = {"port": {"name": "", "admin_state_up": True, **values}}
    made = resource.create(PORTS, session, body, str(values.get("project_id", "")))
    row: PortRow = resource.get_row(PORTS, session, made["id"])
    # the twin's gateway chassis claims router ports at once (ML2/OVN: once the LRP is bound)
    row.status = "ACTIVE" if values["device_owner"] != FLOATINGIP else "N/A"
    return row


def delete_port(session: Session, port: PortRow) -> None:
    session.delete(port)
    resource.flush(session)


def router_ports(session: Session, router_id: str, owner: str | None = None) -> list[PortRow]:
    query = select(PortRow).where(PortRow.device_id == router_id)
    query = query.where(PortRow.device_owner.in_([owner] if owner else [INTERFACE, GATEWAY]))
    return list(session.scalars(query.order_by(PortRow.created_at, PortRow.id)))


def subnet_rows(session: Session, ids: list[str]) -> list[SubnetRow]:
    return list(session.scalars(select(SubnetRow).where(SubnetRow.id.in_(ids))))


def network_subnets(session: Session, network_id: str) -> list[SubnetRow]:
    return list(session.scalars(select(SubnetRow).where(SubnetRow.network_id == network_id)))


def _overlaps(old: SubnetRow, new: SubnetRow) -> None:
    a, b = ipaddress.ip_network(old.cidr), ipaddress.ip_network(new.cidr)
    if a.version == b.version and a.overlaps(b):
        raise bad_router(
            f"Cidr {new.cidr} of subnet {new.id} overlaps with cidr {old.cidr} of subnet {old.id}"
        )


def check_dup_subnets(
    session: Session, router_id: str, new: list[SubnetRow], but: str | None = None
) -> None:
    """l3_db._check_for_dup_router_subnets: no second port on a subnet, no overlapping CIDRs."""
    new_ids = {s.id for s in new}
    attached: list[str] = []
    for port in router_ports(session, router_id):
        if port.id == but:
            continue
        for ip in port.fixed_ips:
            if ip["subnet_id"] in new_ids:
                raise bad_router(f"Router already has a port on subnet {ip['subnet_id']}")
        if port.device_owner == GATEWAY:
            attached += [s.id for s in network_subnets(session, port.network_id)]
        else:
            attached += [ip["subnet_id"] for ip in port.fixed_ips]
    for old in subnet_rows(session, attached):
        for subnet in new:
            _overlaps(old, subnet)


def connected(
    session: Session, router_id: str, extra_cidrs: tuple[str, ...] = ()
) -> tuple[list[str], list[str]]:
    """(CIDRs, IPs) of the router's ports: where an extra route's nexthop may point."""
    cidrs: list[str] = list(extra_cidrs)
    ips: list[str] = []
    for port in router_ports(session, router_id):
        subnets = subnet_rows(session, [ip["subnet_id"] for ip in port.fixed_ips])
        cidrs += [s.cidr for s in subnets]
        ips += [ip["ip_address"] for ip in port.fixed_ips]
    return cidrs, ips


def invalid_routes(routes: list[dict[str, str]], reason: str) -> ApiError:
    shown = [{"destination": r["destination"], "nexthop": r["nexthop"]} for r in routes]
    return BadRequest(f"Invalid format for routes: {shown}, {reason}", type_name="InvalidRoutes")


def validate_routes(routes: list[dict[str, str]], cidrs: list[str], ips: list[str]) -> None:
    """extraroute_db._validate_routes_nexthop: nexthop on a connected subnet, not the router's."""
    nets = [ipaddress.ip_network(c) for c in cidrs]
    for route in routes:
        nexthop = ipaddress.ip_address(route["nexthop"])
        if not any(nexthop.version == n.version and nexthop in n for n in nets):
            raise invalid_routes(routes, "the nexthop is not connected with router")
        if route["nexthop"] in ips:
            raise invalid_routes(routes, "the nexthop is used by router")


def check_interface_unused(session: Session, router: RouterRow, subnet: SubnetRow) -> None:
    """Removing an interface: no FIP through it, no extra route's nexthop on the subnet."""
    net = ipaddress.ip_network(subnet.cidr)
    on_subnet = {
        p.id
        for p in session.scalars(select(PortRow).where(PortRow.network_id == subnet.network_id))
        if any(ip["subnet_id"] == subnet.id for ip in p.fixed_ips)
    }
    fips = session.scalars(select(FloatingIPRow).where(FloatingIPRow.router_id == router.id))
    for fip in fips:
        address = fip.fixed_ip_address
        if address and ipaddress.ip_address(address) in net and fip.port_id in on_subnet:
            raise Conflict(
                f"Router interface for subnet {subnet.id} on router {router.id} cannot be "
                "deleted, as it is required by one or more floating IPs.",
                type_name="RouterInterfaceInUseByFloatingIP",
            )
    router_id = router.id
    for route in router.routes:
        hop = ipaddress.ip_address(route["nexthop"])
        if hop.version == net.version and hop in net:
            raise Conflict(
                f"Router interface for subnet {subnet.id} on router {router_id} cannot be "
                "deleted, as it is required by one or more routes.",
                type_name="RouterInterfaceInUseByRoute",
            )
