"""Shared vocabulary of the router builders: registers, the flow adder, port address texts.

Register names are the ones northd 23.03 assigns (northd.c REG_* / REGBIT_*); they
appear verbatim in match and action text, so they live here once.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property

from ovntwin.compiler.addresses import LportAddresses
from ovntwin.compiler.context import CompileContext, Datapath, Port
from ovntwin.compiler.lflow import LflowTable
from ovntwin.compiler.stages import Stage

NEXT_HOP_V4 = "reg0"
NEXT_HOP_V6 = "xxreg0"
SRC_V4 = "reg1"
SRC_V6 = "xxreg1"
ROUTE_TABLE_ID = "reg7"
ECMP_GROUP_ID = "reg8[0..15]"
ECMP_MEMBER_ID = "reg8[16..31]"
INPORT_ETH_ADDR = "xreg0[0..47]"
EGRESS_LOOPBACK = "reg9[0]"
PKT_LARGER = "reg9[1]"
LOOKUP_NEIGHBOR_RESULT = "reg9[2]"
LOOKUP_NEIGHBOR_IP_RESULT = "reg9[3]"
DST_NAT_IP_LOCAL = "reg9[4]"
ND_RA_OPTS_RESULT = "reg0[5]"

_UINT8_MAX = 255


def drop_action(options: Mapping[str, str]) -> str:
    """northd's drop action: plain, or sampled with NB_Global debug_drop_* options."""
    collector = _uint_option(options, "debug_drop_collector_set")
    domain = _uint_option(options, "debug_drop_domain_id")
    if not collector or domain >= _UINT8_MAX:
        # An out-of-range domain id is refused by northd; ovntwin keeps the plain drop.
        return "drop;"
    return (
        f"sample(probability=65535,collector_set={collector},obs_domain={domain},"
        "obs_point=$cookie); /* drop */"
    )


def _uint_option(options: Mapping[str, str], key: str) -> int:
    text = options.get(key, "")
    return int(text) if text.isdigit() and int(text) < 2**32 else 0


@dataclass(frozen=True)
class RouterFlows:
    """Adds flows to one router datapath, crediting the calling builder as source."""

    ctx: CompileContext
    dp: Datapath
    lflows: LflowTable

    def add(self, stage: Stage, priority: int, match: str, actions: str, hint: str = "") -> None:
        self.lflows.add(self.dp.uuid, stage, priority, match, actions, hint, depth=2)

    @property
    def drop(self) -> str:
        return drop_action(self.ctx.options)

    @cached_property
    def has_gateway(self) -> bool:
        """Computed once per router: per-port builders ask for every port."""
        return has_gateway(self.dp)

    def option(self, key: str) -> str | None:
        assert self.dp.lr is not None
        return self.dp.lr.options.get(key)

    def option_bool(self, key: str, default: bool) -> bool:
        return smap_bool(self.option(key), default)


def smap_bool(value: str | None, default: bool) -> bool:
    """OVS smap_get_bool: only "true"/"false" count (case-insensitively)."""
    if value is None:
        return default
    if value.lower() == "true":
        return True
    if value.lower() == "false":
        return False
    return default


def router_ports(dp: Datapath) -> Iterator[tuple[Port, LportAddresses]]:
    """The router's ports that have valid networks, with those networks."""
    for port in dp.ports:
        if port.lrp is not None and port.lrp_networks is not None:
            yield port, port.lrp_networks


def lrp_uuid(port: Port) -> str:
    return port.lrp.uuid if port.lrp is not None else ""


def is_gateway_port(port: Port) -> bool:
    """A distributed gateway port (northd's is_l3dgw_port)."""
    return port.is_l3dgw


def resident_on_cr(port: Port) -> str:
    """`is_chassis_resident("cr-...")` for a distributed gateway port."""
    assert port.cr_port is not None
    return f"is_chassis_resident({port.cr_port.json_name})"


def has_gateway(dp: Datapath) -> bool:
    """Gateway router (options:chassis) or a router with a distributed gateway port."""
    return dp.is_gw_router or bool(dp.l3dgw_ports)


def v4_list(nets: LportAddresses, add_bcast: bool) -> str:
    """northd's op_put_v4_networks: a bare address, or a `{...}` set."""
    if not add_bcast and len(nets.ipv4_addrs) == 1:
        return nets.ipv4_addrs[0].addr_s
    items: list[str] = []
    for a in nets.ipv4_addrs:
        items.append(a.addr_s)
        if add_bcast:
            items.append(a.bcast_s)
    return "{" + ", ".join(items) + "}"


def v6_list(nets: LportAddresses) -> str:
    """northd's op_put_v6_networks (the link-local address is always among them)."""
    if len(nets.ipv6_addrs) == 1:
        return nets.ipv6_addrs[0].addr_s
    return "{" + ", ".join(a.addr_s for a in nets.ipv6_addrs) + "}"


def arp_reply_actions(mac: str) -> str:
    """Turn an ARP request into the reply from `mac` and send it back out the inport."""
    return (
        f"eth.dst = eth.src; eth.src = {mac}; arp.op = 2; /* ARP reply */ "
        f"arp.tha = arp.sha; arp.sha = {mac}; arp.tpa <-> arp.spa; "
        "outport = inport; flags.loopback = 1; output;"
    )


def member_ip(nets: LportAddresses, ip_text: str) -> str | None:
    """The port address whose subnet holds `ip_text` (lib/ovn-util find_lport_address)."""
    try:
        ip = ipaddress.ip_address(ip_text)
    except ValueError:
        return None
    candidates = nets.ipv4_addrs if ip.version == 4 else nets.ipv6_addrs
    for a in candidates:
        if ip in a.network:
            return a.addr_s
    return None


def ip_text_is_v4(text: str) -> bool:
    """northd decides the family of an address string by the presence of a dot."""
    return "." in text


# (ICMP action, type, code for UDP = port unreachable, code for other protocols)
_UNREACHABLE = {4: ("icmp4", 3, 3, 2), 6: ("icmp6", 1, 4, 3)}


def unreachable_flows(rf: RouterFlows, port: Port, addr: str, family: int) -> None:
    """TCP reset, SCTP abort, ICMP port / protocol unreachable for one port address."""
    icmp, icmp_type, port_code, proto_code = _UNREACHABLE[family]
    base = f"ip{family} && ip{family}.dst == {addr} && !ip.later_frag"
    swap = f"eth.dst <-> eth.src; ip{family}.dst <-> ip{family}.src;"
    reply = f"{icmp} {{{swap} ip.ttl = 255; {icmp}.type = {icmp_type}; {icmp}.code = "
    stage, hint = Stage.LR_IN_IP_INPUT, lrp_uuid(port)
    rf.add(stage, 80, f"{base} && tcp", f"tcp_reset {{{swap} next; }};", hint)
    rf.add(stage, 80, f"{base} && sctp", f"sctp_abort {{{swap} next; }};", hint)
    rf.add(stage, 80, f"{base} && udp", f"{reply}{port_code}; next; }};", hint)
    rf.add(stage, 70, base, f"{reply}{proto_code}; next; }};", hint)
