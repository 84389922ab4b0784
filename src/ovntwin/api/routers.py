"""Routers (`/v2.0/routers`; ext router, ext-gw-mode, extraroute, qos-gateway-ip).

The gateway is a port on the external network (device_owner network:router_gateway, project
""); interfaces are handled by `router_actions`.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ovntwin.api import resource
from ovntwin.api.access import Access, Ref, shared_or_external
from ovntwin.api.attributes import (
    NAME,
    Attr,
    list_of,
    optional,
    standard_attrs,
    string,
    to_bool,
    to_uuid,
)
from ovntwin.api.errors import ApiError, Conflict, resource_not_found
from ovntwin.api.models import NetworkRow
from ovntwin.api.port_attrs import fixed_ips
from ovntwin.api.port_models import PortRow
from ovntwin.api.ports import PORTS
from ovntwin.api.qos_policies import check_policy
from ovntwin.api.resource import Hooks, ResourceSpec, Values
from ovntwin.api.router_models import FloatingIPRow, RouterRow
from ovntwin.api.router_ports import (
    GATEWAY,
    INTERFACE,
    bad_router,
    check_dup_subnets,
    connected,
    create_port,
    delete_port,
    network_subnets,
    router_ports,
    validate_routes,
)

GW_KEYS = ("network_id", "external_fixed_ips", "enable_snat", "qos_policy_id")


def gateway_info(value: Any) -> dict[str, Any] | None:
    """type:dict_or_nodata: None or {} clears the gateway."""
    if value is None or value == {}:
        return None
    if not isinstance(value, dict):
        raise ValueError(f"'{value}' is not a dictionary")
    unknown = sorted(set(value) - set(GW_KEYS))
    if unknown:
        raise ValueError(
            f"Validation of dictionary's keys failed. Expected keys: {set(GW_KEYS)} "
            f"Provided keys: {set(value)}"
        )
    if "network_id" not in value:
        raise ValueError("Validation of dictionary's keys failed. Expected keys: {'network_id'}")
    out: dict[str, Any] = {"network_id": to_uuid(value["network_id"])}
    if value.get("external_fixed_ips") is not None:
        out["external_fixed_ips"] = fixed_ips(value["external_fixed_ips"])
    if "enable_snat" in value:
        out["enable_snat"] = to_bool(value["enable_snat"])
    if "qos_policy_id" in value:
        out["qos_policy_id"] = optional(to_uuid)(value["qos_policy_id"])
    return out


def _route(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != {"destination", "nexthop"}:
        raise ValueError(f"Invalid data format for hostroute: '{value}'")
    dest = str(value["destination"])
    try:
        net = ipaddress.ip_network(dest)
    except ValueError:
        raise ValueError(f"'{dest}' is not a valid IP subnet") from None
    try:
        hop = ipaddress.ip_address(str(value["nexthop"]))
    except ValueError:
        raise ValueError(f"'{value['nexthop']}' is not a valid IP address") from None
    return {"destination": str(net), "nexthop": str(hop)}


def routes(value: Any) -> list[dict[str, str]]:
    out: list[dict[str, str]] = list_of(_route)(value)
    for i, route in enumerate(out):
        if route in out[:i]:
            raise ValueError(f"Duplicate hostroute '{route}'")
    return out


ATTRS = (
    *standard_attrs(),
    NAME,
    Attr("admin_state_up", post=True, put=True, default=True, convert=to_bool, filter=True),
    Attr("status", filter=True, sort=True),
    # "gateway" is no column: the hooks turn it into gw_network_id/gw_port_id/enable_snat
    Attr(
        "external_gateway_info", "gateway", post=True, put=True, default=None, convert=gateway_info
    ),
    Attr("routes", put=True, convert=routes),
    Attr("availability_zone_hints", post=True, default=[], convert=list_of(string(255))),
    Attr("availability_zones", column=""),
    # ML2/OVN schedules gateways on chassis itself: no DVR/L3-HA flags to set (read as False)
    Attr("distributed", column="", admin_only=True),
    Attr("ha", column="", admin_only=True),
    Attr("flavor_id", post=True, default=None, convert=optional(to_uuid), filter=True),
)


def gateway_port(session: Session, router: RouterRow) -> PortRow | None:
    return session.get(PortRow, router.gw_port_id) if router.gw_port_id else None


def gateway_view(session: Session, router: RouterRow) -> dict[str, Any] | None:
    port = gateway_port(session, router)
    if router.gw_network_id is None:
        return None
    return {
        "network_id": router.gw_network_id,
        "enable_snat": router.enable_snat,
        "external_fixed_ips": [
            {"subnet_id": ip["subnet_id"], "ip_address": ip["ip_address"]}
            for ip in (port.fixed_ips if port else [])
        ],
        "qos_policy_id": router.qos_policy_id,
    }


def _external_network(session: Session, info: dict[str, Any]) -> NetworkRow:
    network = session.get(NetworkRow, info["network_id"])
    if network is None:
        raise resource_not_found("Network", info["network_id"])
    if not network.external:
        raise bad_router(f"Network {network.id} is not an external network")
    gateways = {s.gateway_ip for s in network_subnets(session, network.id) if s.gateway_ip}
    for ip in info.get("external_fixed_ips", []):
        if ip.get("ip_address") in gateways:
            raise bad_router(f"External IP {ip['ip_address']} is the same as the gateway IP")
    return network


def _fips_block(session: Session, router: RouterRow) -> None:
    used = session.scalar(select(FloatingIPRow.id).where(FloatingIPRow.router_id == router.id))
    if used is not None:
        raise Conflict(
            f"Gateway cannot be updated for router {router.id}, since a gateway to external "
            f"network {router.gw_network_id} is required by one or more floating IPs.",
            type_name="RouterExternalGatewayInUseByFloatingIp",
        )


def clear_gateway(session: Session, router: RouterRow) -> None:
    port = gateway_port(session, router)
    if router.gw_network_id is None:
        return
    _fips_block(session, router)
    router.gw_port_id = None
    router.gw_network_id = None
    router.qos_policy_id = None  # the gateway's policy binding goes with the gateway
    resource.flush(session)
    if port is not None:
        delete_port(session, port)


def _ips_changed(port: PortRow, wanted: list[dict[str, str]]) -> bool:
    if not wanted:
        return False
    have = {ip["subnet_id"] for ip in port.fixed_ips}, {ip["ip_address"] for ip in port.fixed_ips}
    subnets = {w["subnet_id"] for w in wanted if "subnet_id" in w}
    addresses = {w["ip_address"] for w in wanted if "ip_address" in w}
    return subnets != have[0] or addresses != have[1]


def set_gateway(session: Session, router: RouterRow, info: dict[str, Any] | None) -> None:
    """l3_db._update_router_gw_info (+ ext-gw-mode enable_snat, qos-gateway-ip policy)."""
    if info is None:
        clear_gateway(session, router)
        return
    network = _external_network(session, info)
    check_policy(session, info.get("qos_policy_id"))
    wanted = info.get("external_fixed_ips", [])
    if router.routes:
        cidrs, ips = connected(session, router.id)
        gw_cidrs = tuple(s.cidr for s in network_subnets(session, network.id))
        validate_routes(router.routes, cidrs + list(gw_cidrs), ips)
    port = gateway_port(session, router)
    if port is not None and port.network_id == network.id:
        if _ips_changed(port, wanted):
            resource.update(PORTS, session, port.id, {"port": {"fixed_ips": wanted}}, None)
    else:
        clear_gateway(session, router)
        check_dup_subnets(session, router.id, network_subnets(session, network.id))
        values: dict[str, Any] = {
            "project_id": "",  # Neutron hides the gateway port from the project
            "network_id": network.id,
            "device_id": router.id,
            "device_owner": GATEWAY,
        }
        if wanted:
            values["fixed_ips"] = wanted
        router.gw_port_id = create_port(session, values).id
        router.gw_network_id = network.id
    router.enable_snat = info.get("enable_snat", True)  # enable_snat_by_default
    if "qos_policy_id" in info:
        router.qos_policy_id = info["qos_policy_id"]


PENDING = "ovntwin.router.gateway"  # session.info key: the POSTed gateway, set once the row exists


class RouterHooks(Hooks):
    def before_create(self, session: Session, values: Values) -> None:
        session.info[PENDING] = values.pop("gateway")
        values["status"] = "ACTIVE"

    def after_create(self, session: Session, row: Any) -> None:
        set_gateway(session, row, session.info.pop(PENDING, None))
        resource.flush(session)

    def before_update(self, session: Session, row: Any, changes: Values) -> None:
        if "gateway" in changes:
            set_gateway(session, row, changes.pop("gateway"))
        if "routes" in changes:
            cidrs, ips = connected(session, row.id)
            validate_routes(changes["routes"], cidrs, ips)

    def before_delete(self, session: Session, row: Any) -> None:
        attached = [p.id for p in router_ports(session, row.id, INTERFACE)]
        if attached:
            raise Conflict(
                f"Router {row.id} has ports still attached: {', '.join(attached)}",
                type_name="RouterInUse",
            )
        clear_gateway(session, row)

    def extra_view(self, session: Session, row: Any) -> Values:
        return {
            "external_gateway_info": gateway_view(session, row),
            "availability_zones": [],
            "distributed": False,
            "ha": False,
        }


def _network_not_found(ident: str) -> ApiError:
    return resource_not_found("Network", ident)


# a member's gateway goes on an external (or shared) network; SNAT and fixed IPs: admins
ACCESS = Access(
    refs=(
        Ref(
            "external_gateway_info.network_id",
            NetworkRow,
            _network_not_found,
            usable=shared_or_external,
        ),
    ),
    admin_paths=("external_gateway_info.enable_snat", "external_gateway_info.external_fixed_ips"),
)
ROUTERS = ResourceSpec(
    "router", "routers", "routers", "Router", RouterRow, ATTRS, RouterHooks(), access=ACCESS
)
