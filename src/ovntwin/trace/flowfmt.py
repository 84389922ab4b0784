"""A microflow in OVS `flow_format` syntax: the `# ...` first line of ovn-trace output.

Only what a logical microflow can hold is printed: nonzero registers (`reg14=` is
the inport tunnel key, `reg15=` the outport key), VLAN, Ethernet, L3 and L4 in the
order and notation of OVS 3.1's match_format().
"""

from __future__ import annotations

import socket

from ovntwin.expr.flow import Flow

ETH_IP, ETH_ARP, ETH_RARP, ETH_IPV6 = 0x0800, 0x0806, 0x8035, 0x86DD
_IP4_PROTOS = {1: "icmp", 2: "igmp", 6: "tcp", 17: "udp", 132: "sctp"}
_IP6_PROTOS = {58: "icmp6", 6: "tcp6", 17: "udp6", 132: "sctp6"}
_FRAG = {0: "no", 1: "first", 3: "later", 2: "no"}
_CT_BITS = ("new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat")


def mac(value: int) -> str:
    return ":".join(f"{b:02x}" for b in value.to_bytes(6, "big"))


def ip4(value: int) -> str:
    return socket.inet_ntop(socket.AF_INET, value.to_bytes(4, "big"))


def ip6(value: int) -> str:
    return socket.inet_ntop(socket.AF_INET6, value.to_bytes(16, "big"))


def ct_flags(state: int) -> str:
    """ct_state bits in bit order joined by `|` (format_flags)."""
    names = [name for bit, name in enumerate(_CT_BITS) if state >> bit & 1]
    return "|".join(names) if names else "0"


def flow_format(flow: Flow, regs: dict[int, int]) -> str:
    """OVS flow_format() of `flow`; `regs` are the nonzero 32-bit registers to show."""
    dl_type = flow.get("dl_type")
    proto = flow.get("nw_proto")
    parts: list[str] = _conntrack(flow)
    keyword = _keyword(dl_type, proto)
    if keyword:
        parts.append(keyword)
    parts.extend(f"reg{n}=0x{v:x}" for n, v in sorted(regs.items()) if v)
    parts.append(f"vlan_tci=0x{flow.get('vlan_tci'):04x}")
    parts.append(f"dl_src={mac(flow.get('dl_src'))}")
    parts.append(f"dl_dst={mac(flow.get('dl_dst'))}")
    if not keyword:
        parts.append(f"dl_type=0x{dl_type:04x}")
    if dl_type == ETH_IPV6:
        parts.append(f"ipv6_src={ip6(flow.get('ipv6_src'))}")
        parts.append(f"ipv6_dst={ip6(flow.get('ipv6_dst'))}")
        parts.append(f"ipv6_label=0x{flow.get('ipv6_label'):05x}")
    elif dl_type in (ETH_ARP, ETH_RARP):
        parts.append(f"arp_spa={ip4(flow.get('nw_src'))}")
        parts.append(f"arp_tpa={ip4(flow.get('nw_dst'))}")
        parts.append(f"arp_op={proto}")
        parts.append(f"arp_sha={mac(flow.get('arp_sha'))}")
        parts.append(f"arp_tha={mac(flow.get('arp_tha'))}")
    elif dl_type == ETH_IP:
        parts.append(f"nw_src={ip4(flow.get('nw_src'))}")
        parts.append(f"nw_dst={ip4(flow.get('nw_dst'))}")
    if dl_type in (ETH_IP, ETH_IPV6):
        parts.extend(_l3_l4(flow, dl_type, proto, keyword))
    return ",".join(parts)


def _conntrack(flow: Flow) -> list[str]:
    """Nonzero packet mark and conntrack fields, which OVS prints before the protocol."""
    parts = []
    if flow.get("pkt_mark"):
        parts.append(f"pkt_mark=0x{flow.get('pkt_mark'):x}")
    if flow.get("ct_state"):
        parts.append(f"ct_state={ct_flags(flow.get('ct_state'))}")
    for name in ("ct_mark", "ct_label"):
        if flow.get(name):
            parts.append(f"{name}=0x{flow.get(name):x}")
    return parts


def _keyword(dl_type: int, proto: int) -> str:
    if dl_type == ETH_IP:
        return _IP4_PROTOS.get(proto, "ip")
    if dl_type == ETH_IPV6:
        return _IP6_PROTOS.get(proto, "ipv6")
    return {ETH_ARP: "arp", ETH_RARP: "rarp"}.get(dl_type, "")


def _l3_l4(flow: Flow, dl_type: int, proto: int, keyword: str) -> list[str]:
    parts: list[str] = []
    if keyword in ("ip", "ipv6"):
        parts.append(f"nw_proto={proto}")
    parts.append(f"nw_tos={flow.get('nw_tos')}")
    parts.append(f"nw_ecn={flow.get('nw_ecn')}")
    parts.append(f"nw_ttl={flow.get('nw_ttl')}")
    parts.append(f"nw_frag={_FRAG[flow.get('nw_frag')]}")
    if keyword in ("icmp", "icmp6"):
        icmp_type, code = flow.get("tp_src"), flow.get("tp_dst")
        parts.append(f"icmp_type={icmp_type}")
        parts.append(f"icmp_code={code}")
        if keyword == "icmp6" and code == 0 and icmp_type in (135, 136):
            parts.append(f"nd_target={ip6(flow.get('nd_target'))}")
            parts.append(f"nd_sll={mac(flow.get('arp_sha'))}")
            parts.append(f"nd_tll={mac(flow.get('arp_tha'))}")
    elif keyword not in ("ip", "ipv6", "igmp"):
        parts.append(f"tp_src={flow.get('tp_src')}")
        parts.append(f"tp_dst={flow.get('tp_dst')}")
        if keyword in ("tcp", "tcp6"):
            parts.append(f"tcp_flags={_tcp_flags(flow.get('tcp_flags'))}")
    return parts


_TCP_FLAG_NAMES = ("fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns")


def _tcp_flags(value: int) -> str:
    names = [n for bit, n in enumerate(_TCP_FLAG_NAMES) if value >> bit & 1]
    return "|".join(names) if names else "0"
