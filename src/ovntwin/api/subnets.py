"""Subnets: attribute map, gateway and allocation pool defaults (neutron's ipam utils)."""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ovntwin.api.access import Access, Ref, shared_or_external
from ovntwin.api.attributes import (
    NAME,
    NOT_SPECIFIED,
    Attr,
    cidr,
    dict_with,
    ip_address,
    list_of,
    one_of,
    optional,
    standard_attrs,
    then,
    to_bool,
    to_int,
    to_uuid,
)
from ovntwin.api.errors import ApiError, Conflict, InvalidInput, resource_not_found
from ovntwin.api.models import NetworkRow, SubnetRow
from ovntwin.api.port_models import PortRow
from ovntwin.api.resource import Hooks, ResourceSpec, Values

IPV6_MODES = ("dhcpv6-stateful", "dhcpv6-stateless", "slaac")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

ATTRS = (
    *standard_attrs(),
    NAME,
    Attr("network_id", post=True, convert=to_uuid, filter=True, sort=True),
    Attr("ip_version", post=True, convert=then(to_int, one_of(4, 6)), filter=True, sort=True),
    Attr("cidr", post=True, default=NOT_SPECIFIED, convert=cidr, filter=True, sort=True),
    Attr(
        "gateway_ip",
        post=True,
        put=True,
        default=NOT_SPECIFIED,
        convert=optional(ip_address),
        filter=True,
        sort=True,
    ),
    Attr(
        "allocation_pools",
        post=True,
        put=True,
        default=NOT_SPECIFIED,
        convert=list_of(dict_with("start", "end", required=("start", "end"))),
    ),
    Attr("dns_nameservers", post=True, put=True, default=[], convert=list_of(ip_address)),
    Attr(
        "host_routes",
        post=True,
        put=True,
        default=[],
        convert=list_of(dict_with("destination", "nexthop", required=("destination", "nexthop"))),
    ),
    Attr("enable_dhcp", post=True, put=True, default=True, convert=to_bool, filter=True, sort=True),
    Attr(
        "ipv6_ra_mode",
        post=True,
        default=None,
        convert=optional(one_of(*IPV6_MODES)),
        filter=True,
        sort=True,
    ),
    Attr(
        "ipv6_address_mode",
        post=True,
        default=None,
        convert=optional(one_of(*IPV6_MODES)),
        filter=True,
        sort=True,
    ),
    Attr("subnetpool_id", column=""),
    Attr("segment_id", column=""),
    Attr("service_types", column=""),
    Attr("shared", column="", visible=False, filter=True),
)


def default_pools(net: Network, gateway: str | None) -> list[dict[str, str]]:
    """The whole range minus network/broadcast (IPv4, prefix <= 30) and the gateway."""
    first, last = int(net.network_address), int(net.broadcast_address)
    if net.version == 4 and net.prefixlen <= 30:
        first, last = first + 1, last - 1
    elif net.version == 6:
        first += 1  # the subnet-router anycast address is never allocated
    ranges = [(first, last)]
    if gateway is not None:
        gw = int(ipaddress.ip_address(gateway))
        ranges = [
            r for lo, hi in ranges for r in ((lo, gw - 1), (gw + 1, hi)) if lo <= gw <= hi
        ] + [(lo, hi) for lo, hi in ranges if not lo <= gw <= hi]
    make = ipaddress.ip_address
    return [{"start": str(make(lo)), "end": str(make(hi))} for lo, hi in ranges if lo <= hi]


def _check_pools(net: Network, pools: list[dict[str, Any]], gateway: str | None) -> None:
    spans = []
    for pool in pools:
        try:
            start, end = ipaddress.ip_address(pool["start"]), ipaddress.ip_address(pool["end"])
        except ValueError as err:
            raise InvalidInput(f"Invalid allocation pool: {err}") from None
        if start not in net or end not in net or int(start) > int(end):
            raise InvalidInput(
                f"The allocation pool {pool['start']}-{pool['end']} spans beyond "
                f"the subnet cidr {net}."
            )
        spans.append((int(start), int(end)))
    spans.sort()
    if any(a[1] >= b[0] for a, b in zip(spans, spans[1:], strict=False)):
        raise InvalidInput("Found overlapping allocation pools")
    if gateway is not None:
        gw = int(ipaddress.ip_address(gateway))
        if any(lo <= gw <= hi for lo, hi in spans):
            raise InvalidInput(f"Gateway ip {gateway} conflicts with allocation pool")


class SubnetHooks(Hooks):
    def before_create(self, session: Session, values: Values) -> None:
        if session.get(NetworkRow, values["network_id"]) is None:
            raise resource_not_found("Network", values["network_id"])
        if values["cidr"] is NOT_SPECIFIED:
            raise InvalidInput("A cidr must be specified in the absence of a subnet pool")
        net = ipaddress.ip_network(values["cidr"])
        if net.version != values["ip_version"]:
            raise InvalidInput("Cidr and ip_version mismatch")
        if (values["ipv6_ra_mode"] or values["ipv6_address_mode"]) and net.version != 6:
            raise InvalidInput("ipv6_ra_mode and ipv6_address_mode apply only to IPv6 subnets")
        gateway = values["gateway_ip"]
        if gateway is NOT_SPECIFIED:
            gateway = str(net[1]) if net.num_addresses > 2 else None
        elif gateway is not None and ipaddress.ip_address(gateway).version != net.version:
            raise InvalidInput("Gateway IP version inconsistent with allocation pool version")
        values["gateway_ip"] = gateway
        pools = values["allocation_pools"]
        if pools is NOT_SPECIFIED:
            pools = default_pools(net, gateway)
        _check_pools(net, pools, gateway)
        values["allocation_pools"] = pools

    def before_update(self, session: Session, row: Any, changes: Values) -> None:
        net = ipaddress.ip_network(row.cidr)
        gateway = changes.get("gateway_ip", row.gateway_ip)
        if gateway is not None and ipaddress.ip_address(gateway) not in net:
            raise InvalidInput(f"Gateway IP {gateway} is not in subnet {net}")
        _check_pools(net, changes.get("allocation_pools", row.allocation_pools), gateway)

    def before_delete(self, session: Session, row: Any) -> None:
        ports = session.scalars(select(PortRow).where(PortRow.network_id == row.network_id))
        if any(ip["subnet_id"] == row.id for port in ports for ip in port.fixed_ips):
            raise Conflict(
                f"Unable to complete operation on subnet {row.id}: One or more ports have an "
                "IP allocation from this subnet.",
                type_name="SubnetInUse",
            )

    def extra_view(self, session: Session, row: Any) -> Values:
        return {"subnetpool_id": None, "segment_id": None, "service_types": []}


def _public(session: Session, row: Any) -> bool:
    """Subnets of shared and external networks are visible to every project."""
    network = session.get(NetworkRow, row.network_id)
    return network is not None and shared_or_external(session, network)


def _network_not_found(ident: str) -> ApiError:
    return resource_not_found("Network", ident)


# only the network's owner adds subnets: others' visible networks -> 403, hidden ones -> 404
ACCESS = Access(
    public=_public,
    refs=(Ref("network_id", NetworkRow, _network_not_found, visible=shared_or_external),),
)
SUBNETS = ResourceSpec(
    "subnet", "subnets", "subnets", "Subnet", SubnetRow, ATTRS, SubnetHooks(), access=ACCESS
)
