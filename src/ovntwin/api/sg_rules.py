"""Security group rules: attribute map and Neutron's validation (securitygroups_db.py)."""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ovntwin.api.access import Access, Ref
from ovntwin.api.attributes import Attr, optional, standard_attrs, to_int, to_uuid
from ovntwin.api.errors import BadRequest, Conflict, NotFound
from ovntwin.api.port_models import SecurityGroupRow, SecurityGroupRuleRow
from ovntwin.api.resource import Hooks, ResourceSpec, Values, bump

# neutron-lib's IP_PROTOCOL_MAP (names the API accepts, kept as given)
PROTOCOLS = {
    "ah": 51, "dccp": 33, "egp": 8, "esp": 50, "gre": 47, "hopopt": 0, "icmp": 1,
    "igmp": 2, "ip": 0, "ipip": 4, "ipv6-encap": 41, "ipv6-frag": 44, "ipv6-icmp": 58,
    "icmpv6": 58, "ipv6-nonxt": 59, "ipv6-opts": 60, "ipv6-route": 43, "ospf": 89,
    "pgm": 113, "rsvp": 46, "sctp": 132, "tcp": 6, "udp": 17, "udplite": 136, "vrrp": 112,
}  # fmt: skip
PORT_PROTOCOLS = {6, 17, 33, 132, 136}  # tcp udp dccp sctp udplite carry L4 ports
ICMP_PROTOCOLS = {1, 58}
IPV6_ONLY = {41, 43, 44, 58, 59, 60}
ETHERTYPES = {"ipv4": "IPv4", "ipv6": "IPv6"}


def protocol(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).lower()
    if text == "any":  # neutron-lib converts 'any' to "no protocol"
        return None
    if text in PROTOCOLS:
        return text
    if text.isdigit() and 0 <= int(text) <= 255:
        return text
    raise ValueError(
        f"Security group rule protocol {value} not supported. Only protocol values "
        f"{sorted(PROTOCOLS)} and integer representations [0 to 255] are supported"
    )


def ethertype(value: Any) -> str:
    found = ETHERTYPES.get(str(value).lower())
    if found is None:
        raise ValueError(f"'{value}' is not in ['IPv4', 'IPv6']")
    return found


def direction(value: Any) -> str:
    if value not in ("ingress", "egress"):
        raise ValueError(f"'{value}' is not in ['ingress', 'egress']")
    return str(value)


def port_value(value: Any) -> int:
    port = to_int(value)
    if not 0 <= port <= 65535:
        raise ValueError(f"Invalid value for port {value}")
    return port


def ip_prefix(value: Any) -> str:
    try:  # Neutron keeps host bits (netaddr); normalized_cidr shows the network
        iface = ipaddress.ip_interface(str(value))
    except ValueError:
        raise ValueError(f"'{value}' is not a valid IP subnet") from None
    return f"{iface.ip}/{iface.network.prefixlen}"


ATTRS = (
    *standard_attrs(),
    Attr("security_group_id", post=True, convert=to_uuid, filter=True, sort=True),
    Attr("direction", post=True, convert=direction, filter=True, sort=True),
    Attr("ethertype", post=True, default="IPv4", convert=ethertype, filter=True, sort=True),
    Attr("protocol", post=True, default=None, convert=protocol, filter=True, sort=True),
    Attr("port_range_min", post=True, default=None, convert=optional(port_value), filter=True),
    Attr("port_range_max", post=True, default=None, convert=optional(port_value), filter=True),
    Attr("remote_ip_prefix", post=True, default=None, convert=optional(ip_prefix), filter=True),
    Attr("remote_group_id", post=True, default=None, convert=optional(to_uuid), filter=True),
    Attr("remote_address_group_id", column="", post=True, default=None, filter=True),
    Attr("normalized_cidr", column=""),
    Attr("belongs_to_default_sg", column=""),
)
KEY = (
    "direction", "ethertype", "protocol", "port_range_min", "port_range_max",
    "remote_ip_prefix", "remote_group_id",
)  # fmt: skip


def sg_not_found(ident: str) -> NotFound:
    return NotFound(f"Security group {ident} does not exist", type_name="SecurityGroupNotFound")


def _bad(type_name: str, message: str) -> BadRequest:
    return BadRequest(message, type_name=type_name)


def _number(proto: str | None) -> int | None:
    if proto is None:
        return None
    return int(proto) if proto.isdigit() else PROTOCOLS[proto]


def _check_ports(values: Values) -> None:
    low, high = values["port_range_min"], values["port_range_max"]
    proto = _number(values["protocol"])
    if low is None and high is None:
        return
    if proto is None:
        raise _bad(
            "SecurityGroupProtocolRequiredWithPorts",
            "Must also specify protocol if port range is given.",
        )
    if proto in PORT_PROTOCOLS:
        if low == 0 or high == 0:
            raise _bad("SecurityGroupInvalidPortValue", "Invalid value for port 0")
        if low is None or high is None or low > high:
            raise _bad(
                "SecurityGroupInvalidPortRange",
                "For TCP/UDP protocols, port_range_min must be <= port_range_max",
            )
        if (low, high) == (1, 65535):  # the whole range means "any port"
            values["port_range_min"] = values["port_range_max"] = None
    elif proto in ICMP_PROTOCOLS:
        for field, attr, value in (
            ("type", "port_range_min", low),
            ("code", "port_range_max", high),
        ):
            if value is not None and not 0 <= value <= 255:
                raise _bad(
                    "SecurityGroupInvalidIcmpValue",
                    f"Invalid value for ICMP {field} ({attr}) {value}. It must be 0 to 255.",
                )
        if low is None:
            raise _bad(
                "SecurityGroupMissingIcmpType",
                f"ICMP code (port-range-max) {high} is provided but ICMP type "
                "(port-range-min) is missing.",
            )
    else:
        raise _bad(
            "SecurityGroupInvalidProtocolForPortRange",
            f"Invalid protocol {values['protocol']} for port range, only supported for TCP, "
            "UDP, UDPLITE, SCTP, DCCP and ICMP protocols",
        )


def _check_remote(session: Session, values: Values) -> None:
    prefix, group = values["remote_ip_prefix"], values["remote_group_id"]
    if prefix is not None and group is not None:
        raise _bad(
            "SecurityGroupRemoteGroupAndRemoteIpPrefix",
            "Only remote_ip_prefix or remote_group_id may be provided.",
        )
    if values.get("remote_address_group_id") is not None:
        raise _bad("InvalidInput", "Address groups are not supported by this server.")
    if prefix is not None:
        version = ipaddress.ip_interface(prefix).version
        if ETHERTYPES[f"ipv{version}"] != values["ethertype"]:
            raise _bad(
                "SecurityGroupRuleParameterConflict",
                f"Conflicting value ethertype {values['ethertype']} for CIDR {prefix}",
            )
    if group is not None and session.get(SecurityGroupRow, group) is None:
        raise sg_not_found(group)


def check_rule(session: Session, values: Values) -> None:
    proto = _number(values["protocol"])
    if proto in IPV6_ONLY and values["ethertype"] == "IPv4":
        raise _bad(
            "SecurityGroupEthertypeConflictWithProtocol",
            f"Invalid ethertype IPv4 for protocol {values['protocol']}.",
        )
    _check_ports(values)
    _check_remote(session, values)


def _same(row: SecurityGroupRuleRow, values: Values) -> bool:
    def norm(key: str, value: Any) -> Any:
        if key == "protocol":
            return _number(value)
        return value

    return all(norm(k, getattr(row, k)) == norm(k, values[k]) for k in KEY)


class RuleHooks(Hooks):
    def before_create(self, session: Session, values: Values) -> None:
        group = session.get(SecurityGroupRow, values["security_group_id"])
        if group is None:
            raise sg_not_found(values["security_group_id"])
        check_rule(session, values)
        values.pop("remote_address_group_id", None)
        for row in session.scalars(
            select(SecurityGroupRuleRow).where(SecurityGroupRuleRow.security_group_id == group.id)
        ):
            if _same(row, values):
                raise Conflict(
                    f"Security group rule already exists. Rule id is {row.id}.",
                    type_name="SecurityGroupRuleExists",
                )
        values["name"] = ""
        bump(group)

    def before_delete(self, session: Session, row: Any) -> None:
        group = session.get(SecurityGroupRow, row.security_group_id)
        if group is not None:
            bump(group)

    def extra_view(self, session: Session, row: Any) -> Values:
        prefix = row.remote_ip_prefix
        group = session.get(SecurityGroupRow, row.security_group_id)
        return {
            "remote_address_group_id": None,
            "normalized_cidr": None
            if prefix is None
            else str(ipaddress.ip_interface(prefix).network),
            "belongs_to_default_sg": bool(group is not None and group.is_default),
        }


def _group_owner(session: Session, row: Any) -> str:
    """A rule belongs to whoever owns its security group (Neutron's sg owner check)."""
    group = session.get(SecurityGroupRow, row.security_group_id)
    return str(group.project_id if group is not None else row.project_id)


ACCESS = Access(
    owner=_group_owner,
    refs=(
        Ref("security_group_id", SecurityGroupRow, sg_not_found),
        Ref("remote_group_id", SecurityGroupRow, sg_not_found),
    ),
)
RULES = ResourceSpec(
    "security_group_rule",
    "security_group_rules",
    "security-group-rules",
    "SecurityGroupRule",
    SecurityGroupRuleRow,
    ATTRS,
    RuleHooks(),
    updatable=False,  # Neutron has no update for rules: PUT answers 405
    access=ACCESS,
)
