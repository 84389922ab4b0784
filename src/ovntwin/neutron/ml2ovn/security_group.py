"""Security groups -> Port_Group `pg_<sg>` with one ACL per rule, plus `neutron_pg_drop`."""

from __future__ import annotations

import ipaddress

from ovntwin.model import rows as r
from ovntwin.neutron.ml2ovn import names as n
from ovntwin.neutron.ml2ovn.port import has_lsp, port_security_on
from ovntwin.neutron.resources import NeutronState, SecurityGroup, SecurityGroupRule

ACL_PRIORITY_ALLOW = 1002  # neutron's ACL_PRIORITY_ALLOW: above the default drop
ACL_PRIORITY_DROP = 1001  # neutron's ACL_PRIORITY_DROP for neutron_pg_drop
_L4 = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp", "sctp": "sctp", "132": "sctp"}
_ICMP = {"icmp", "1", "ipv6-icmp", "icmpv6", "58"}
_NUMBERS = {"ah": 51, "dccp": 33, "egp": 8, "esp": 50, "gre": 47, "igmp": 2, "ospf": 89,
            "pgm": 113, "rsvp": 46, "udplite": 136, "vrrp": 112, "ipip": 4}  # fmt: skip


def acl_match(rule: SecurityGroupRule) -> str:
    """The ACL match neutron builds for one rule (port side, ethertype, remote, protocol)."""
    ingress = rule.direction == "ingress"
    ip = "ip6" if rule.ethertype == "IPv6" else "ip4"
    remote = "src" if ingress else "dst"
    parts = [f"{'outport' if ingress else 'inport'} == @{n.pg(rule.security_group_id)}", ip]
    if rule.remote_ip_prefix:
        cidr = ipaddress.ip_network(rule.remote_ip_prefix, strict=False)
        parts.append(f"{ip}.{remote} == {cidr}")
    if rule.remote_group_id:
        parts.append(f"{ip}.{remote} == ${n.pg(rule.remote_group_id)}_{ip}")
    if rule.remote_address_group_id:
        ag = rule.remote_address_group_id.replace("-", "_")
        parts.append(f"{ip}.{remote} == $ag_{ag}_{ip}")
    parts.extend(_protocol(rule, ip))
    return " && ".join(parts)


def _protocol(rule: SecurityGroupRule, ip: str) -> list[str]:
    proto = (rule.protocol or "").lower()
    if not proto:
        return []
    if proto in _L4:
        l4 = _L4[proto]
        lo, hi = rule.port_range_min, rule.port_range_max
        if lo is not None and lo == hi:
            return [l4, f"{l4}.dst == {lo}"]
        bounds = [f"{l4}.dst >= {lo}"] if lo is not None else []
        return [l4, *bounds, *([f"{l4}.dst <= {hi}"] if hi is not None else [])]
    if proto in _ICMP:
        icmp = "icmp6" if ip == "ip6" else "icmp4"
        out = [icmp]
        if rule.port_range_min is not None:
            out.append(f"{icmp}.type == {rule.port_range_min}")
        if rule.port_range_max is not None:
            out.append(f"{icmp}.code == {rule.port_range_max}")
        return out
    return [f"ip.proto == {_NUMBERS.get(proto, proto)}"]


def acl(sg: SecurityGroup, rule: SecurityGroupRule) -> r.ACL:
    return r.ACL(
        uuid=n.row_uuid("ACL", rule.id), priority=ACL_PRIORITY_ALLOW,
        direction="to-lport" if rule.direction == "ingress" else "from-lport",
        match=acl_match(rule), action="allow-related" if sg.stateful else "allow-stateless",
        external_ids={n.SG_RULE_ID: rule.id},
    )  # fmt: skip


def port_group_rows(
    state: NeutronState, sg: SecurityGroup, lsp_uuid: dict[str, str]
) -> list[r.Row]:
    acls = [acl(sg, rule) for rule in sg.rules]
    members = tuple(
        lsp_uuid[p.id] for p in state.ports if sg.id in p.security_groups and p.id in lsp_uuid
    )
    group = r.PortGroup(
        uuid=n.row_uuid("Port_Group", sg.id), name=n.pg(sg.id), ports=members,
        acls=tuple(a.uuid for a in acls), external_ids={n.SG_ID: sg.id},
    )  # fmt: skip
    return [group, *acls]


def drop_group_rows(state: NeutronState, lsp_uuid: dict[str, str]) -> list[r.Row]:
    """neutron_pg_drop: IP from/to a port-security port is dropped unless an SG allows it."""
    acls = [
        r.ACL(uuid=n.row_uuid("ACL", n.PG_DROP, d), priority=ACL_PRIORITY_DROP, direction=d,
              match=f"{side} == @{n.PG_DROP} && ip", action="drop")
        for d, side in (("from-lport", "inport"), ("to-lport", "outport"))
    ]  # fmt: skip
    members = tuple(
        lsp_uuid[p.id]
        for p in state.ports
        if has_lsp(p) and port_security_on(p) and p.id in lsp_uuid
    )
    group = r.PortGroup(
        uuid=n.row_uuid("Port_Group", n.PG_DROP), name=n.PG_DROP, ports=members,
        acls=tuple(a.uuid for a in acls),
    )  # fmt: skip
    return [group, *acls]
