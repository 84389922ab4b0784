"""Router member actions: add/remove_router_interface and add/remove_extraroutes (PUT).

Interface bodies are bare (`{"subnet_id": X}` / `{"port_id": Y}`), as in Neutron's l3 ACTION_MAP.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy.orm import Session

from ovntwin.api import auth, policy, resource
from ovntwin.api.attributes import to_uuid
from ovntwin.api.errors import BadRequest, Conflict, NotFound, resource_not_found
from ovntwin.api.models import SubnetRow
from ovntwin.api.port_models import PortRow
from ovntwin.api.ports import PORTS
from ovntwin.api.router_models import RouterRow
from ovntwin.api.router_ports import (
    INTERFACE,
    bad_router,
    check_dup_subnets,
    check_interface_unused,
    create_port,
    delete_port,
    router_ports,
    subnet_rows,
)
from ovntwin.api.routers import ROUTERS, routes
from ovntwin.api.subnets import SUBNETS

Transaction = Callable[[Request], AbstractContextManager[Session]]
BodyOf = Callable[[Request], Awaitable[Any]]


def _interface_ids(body: Any, removal: bool) -> tuple[str | None, str | None]:
    """l3_db._validate_interface_info: (port_id, subnet_id)."""
    info = body if isinstance(body, dict) else {}
    if "port_id" not in info and "subnet_id" not in info:
        raise bad_router("Either subnet_id or port_id must be specified")
    ids: dict[str, str | None] = {"port_id": None, "subnet_id": None}
    for key in ids:
        if key in info:
            try:
                ids[key] = to_uuid(info[key])
            except ValueError as err:
                raise bad_router(str(err)) from None
    if not removal and ids["port_id"] and ids["subnet_id"]:
        raise bad_router("Cannot specify both subnet-id and port-id")
    return ids["port_id"], ids["subnet_id"]


def _info(router: RouterRow, port: PortRow, subnets: list[SubnetRow]) -> dict[str, Any]:
    return {
        "id": router.id,
        "tenant_id": port.project_id,
        "project_id": port.project_id,
        "port_id": port.id,
        "network_id": port.network_id,
        "subnet_id": subnets[-1].id,
        "subnet_ids": [s.id for s in subnets],
        "tags": list(port.tags),
    }


def _subnet(session: Session, subnet_id: str) -> SubnetRow:
    row = session.get(SubnetRow, subnet_id)
    if row is None:
        raise resource_not_found("Subnet", subnet_id)
    return row


def _by_port(session: Session, router: RouterRow, port_id: str) -> tuple[PortRow, list[SubnetRow]]:
    port: PortRow = resource.get_row(PORTS, session, port_id)
    if port.device_id != "":
        raise Conflict(
            f"Unable to complete operation on port {port.id} for network {port.network_id}. "
            f"Port already has an attached device {port.device_id}.",
            type_name="PortInUse",
        )
    if not port.fixed_ips:
        raise bad_router("Router port must have at least one fixed IP")
    subnets = subnet_rows(session, [ip["subnet_id"] for ip in port.fixed_ips])
    check_dup_subnets(session, router.id, subnets)
    if sum(1 for s in subnets if s.ip_version == 4) > 1:
        raise bad_router("Cannot have multiple IPv4 subnets on router port")
    port.device_id, port.device_owner = router.id, INTERFACE
    port.status = "ACTIVE"  # as create_port: the twin binds router ports at once
    resource.bump(port)
    return port, subnets


def _v6_port(session: Session, router: RouterRow, network_id: str) -> PortRow | None:
    for port in router_ports(session, router.id, INTERFACE):
        v6 = any(ipaddress.ip_address(ip["ip_address"]).version == 6 for ip in port.fixed_ips)
        if port.network_id == network_id and v6:
            return port
    return None


def _by_subnet(
    session: Session, router: RouterRow, subnet_id: str
) -> tuple[PortRow, list[SubnetRow]]:
    subnet = _subnet(session, subnet_id)
    if not subnet.gateway_ip:
        raise bad_router("Subnet for router interface must have a gateway IP")
    check_dup_subnets(session, router.id, [subnet])
    wanted = {"subnet_id": subnet.id, "ip_address": subnet.gateway_ip}
    existing = _v6_port(session, router, subnet.network_id) if subnet.ip_version == 6 else None
    if existing is not None:  # a further IPv6 prefix joins the network's IPv6 router port
        ips = [*existing.fixed_ips, wanted]
        resource.update(PORTS, session, existing.id, {"port": {"fixed_ips": ips}}, None)
        return existing, [subnet]
    values = {
        "project_id": router.project_id,
        "network_id": subnet.network_id,
        "fixed_ips": [wanted],
        "device_id": router.id,
        "device_owner": INTERFACE,
    }
    return create_port(session, values), [subnet]


def add_interface(session: Session, router_id: str, body: Any) -> dict[str, Any]:
    router: RouterRow = resource.get_row(ROUTERS, session, router_id)
    port_id, subnet_id = _interface_ids(body, removal=False)
    if port_id is not None:
        port, subnets = _by_port(session, router, port_id)
    else:
        assert subnet_id is not None
        port, subnets = _by_subnet(session, router, subnet_id)
    resource.bump(router)
    resource.flush(session)
    return _info(router, port, subnets)


def _remove_port(
    session: Session, router: RouterRow, port_id: str, subnet_id: str | None
) -> tuple[PortRow, list[SubnetRow]]:
    port = next((p for p in router_ports(session, router.id, INTERFACE) if p.id == port_id), None)
    if port is None:
        raise NotFound(
            f"Router {router.id} does not have an interface with id {port_id}",
            type_name="RouterInterfaceNotFound",
        )
    ids = [ip["subnet_id"] for ip in port.fixed_ips]
    if subnet_id is not None and subnet_id not in ids:
        raise BadRequest(
            f"Subnet on port {port_id} does not match the requested subnet {subnet_id}.",
            type_name="SubnetMismatchForPort",
        )
    subnets = subnet_rows(session, ids)
    for subnet in subnets:
        check_interface_unused(session, router, subnet)
    delete_port(session, port)
    return port, subnets


def _remove_subnet(
    session: Session, router: RouterRow, subnet_id: str
) -> tuple[PortRow, list[SubnetRow]]:
    subnet = _subnet(session, subnet_id)
    ports = [
        p for p in router_ports(session, router.id, INTERFACE) if p.network_id == subnet.network_id
    ]
    if ports:
        check_interface_unused(session, router, subnet)
    for port in ports:
        ids = [ip["subnet_id"] for ip in port.fixed_ips]
        if subnet_id in ids and len(ids) > 1:  # a multi-prefix port loses that prefix only
            kept = [ip for ip in port.fixed_ips if ip["subnet_id"] != subnet_id]
            resource.update(PORTS, session, port.id, {"port": {"fixed_ips": kept}}, None)
            return port, [subnet]
        if subnet_id in ids:
            delete_port(session, port)
            return port, [subnet]
    raise NotFound(
        f"Router {router.id} has no interface on subnet {subnet_id}",
        type_name="RouterInterfaceNotFoundForSubnet",
    )


def remove_interface(session: Session, router_id: str, body: Any) -> dict[str, Any]:
    router: RouterRow = resource.get_row(ROUTERS, session, router_id)
    port_id, subnet_id = _interface_ids(body, removal=True)
    if port_id is not None:
        port, subnets = _remove_port(session, router, port_id, subnet_id)
    else:
        assert subnet_id is not None
        port, subnets = _remove_subnet(session, router, subnet_id)
    resource.bump(router)
    resource.flush(session)
    return _info(router, port, subnets)


def _route_body(body: Any) -> list[dict[str, str]]:
    router = body.get("router") if isinstance(body, dict) else None
    if not isinstance(router, dict) or "routes" not in router:
        raise BadRequest("Resource body required with key 'router' and its 'routes'.")
    try:
        return routes(router["routes"])
    except ValueError as err:
        raise BadRequest(f"Invalid input for routes. Reason: {err}.") from None


def edit_routes(session: Session, router_id: str, body: Any, add: bool) -> dict[str, Any]:
    """extraroute-atomic: union / difference with the current routes, then a normal update."""
    router: RouterRow = resource.get_row(ROUTERS, session, router_id)
    given = _route_body(body)
    current = list(router.routes)
    if add:
        new = current + [r for r in given if r not in current]
    else:
        new = [r for r in current if r not in given]
    return resource.update(ROUTERS, session, router_id, {"router": {"routes": new}}, None)


def _guard(session: Session, request: Request, router_id: str, body: Any) -> None:
    """The caller must own the router (hidden -> 404, others' -> 403), see the subnet and
    own the port the body names."""
    caller = auth.caller_of(request)
    policy.owned(ROUTERS, session, caller, router_id, "update")
    info = body if isinstance(body, dict) else {}
    if caller.is_admin or ("subnet_id" in info and "port_id" in info):
        return  # admins use anything; a body naming both is refused (400) by the action
    if isinstance(info.get("subnet_id"), str):
        policy.found(SUBNETS, session, caller, info["subnet_id"])
    if isinstance(info.get("port_id"), str):
        policy.owned(PORTS, session, caller, info["port_id"], "update")


Action = Callable[[Session, str, Any], dict[str, Any]]


def _routes_action(add: bool) -> Action:
    def act(session: Session, ident: str, body: Any) -> dict[str, Any]:
        return {"router": edit_routes(session, ident, body, add=add)}

    return act


ACTIONS: tuple[tuple[str, Action], ...] = (
    ("add_router_interface", add_interface),
    ("remove_router_interface", remove_interface),
    ("add_extraroutes", _routes_action(add=True)),
    ("remove_extraroutes", _routes_action(add=False)),
)


def register_router_actions(app: FastAPI, transaction: Transaction, body_of: BodyOf) -> None:
    """`PUT /v2.0/routers/{id}/<action>` for each of ACTIONS."""
    for name, act in ACTIONS:
        _register(app, name, act, transaction, body_of)


def _register(
    app: FastAPI, name: str, act: Action, transaction: Transaction, body_of: BodyOf
) -> None:
    @app.put(f"/v2.0/routers/{{ident}}/{name}", name=name)
    async def action(ident: str, request: Request) -> dict[str, Any]:
        body = await body_of(request)
        with transaction(request) as session:
            _guard(session, request, ident, body)
            return act(session, ident, body)
