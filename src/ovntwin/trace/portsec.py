"""Port security as ovn-trace emulates check_in_port_sec / check_out_port_sec."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ovntwin.expr.flow import Flow
from ovntwin.southbound.rows import DatapathBinding
from ovntwin.trace.flowfmt import ETH_ARP, ETH_IP, ETH_IPV6
from ovntwin.trace.sbindex import SbIndex

_BCAST4 = 0xFFFFFFFF


@dataclass(frozen=True, slots=True)
class PsAddr:
    mac: int
    ip4: tuple[int, ...]
    ip6: tuple[int, ...]

    @property
    def lla(self) -> int:
        raw = bytearray(self.mac.to_bytes(6, "big"))
        raw[0] ^= 0x02
        eui = bytes(raw[:3]) + b"\xff\xfe" + bytes(raw[3:])
        return (0xFE80 << 112) | int.from_bytes(eui, "big")


def parse_ps(entry: str) -> PsAddr | None:
    words = entry.split()
    if not words:
        return None
    try:
        mac = int(words[0].replace(":", ""), 16)
    except ValueError:
        return None
    ip4: list[int] = []
    ip6: list[int] = []
    for word in words[1:]:
        try:
            iface = ipaddress.ip_interface(word)
        except ValueError:
            continue
        (ip4 if iface.version == 4 else ip6).append(int(iface.ip))
    return PsAddr(mac, tuple(ip4), tuple(ip6))


def check(index: SbIndex, dp: DatapathBinding, flow: Flow, ingress: bool) -> bool:
    """True when port security rejects the packet (the action's result bit)."""
    port = index.port_in(dp, flow.inport if ingress else flow.outport)
    if port is None:
        return True
    addrs = [a for a in (parse_ps(e) for e in port.pb.port_security) if a is not None]
    if not addrs:
        return False
    eth = flow.get("dl_src" if ingress else "dl_dst")
    for ps in addrs:
        if ps.mac != eth:
            continue
        return not (_allow_in(flow, ps) if ingress else _allow_out(flow, ps))
    return True


def _allow_in(flow: Flow, ps: PsAddr) -> bool:
    dl_type = flow.get("dl_type")
    if dl_type == ETH_IP:
        if not ps.ip4 and not ps.ip6:
            return True
        src = flow.get("nw_src")
        dhcp = (flow.get("nw_proto"), flow.get("tp_src"), flow.get("tp_dst")) == (17, 68, 67)
        dhcp = dhcp and src == 0 and flow.get("nw_dst") == _BCAST4
        return src in ps.ip4 or dhcp
    if dl_type == ETH_ARP:
        if flow.get("arp_sha") != ps.mac:
            return False
        return not ps.ip4 or flow.get("nw_src") in ps.ip4
    if dl_type == ETH_IPV6:
        return _allow_in6(flow, ps)
    return True


def _allow_in6(flow: Flow, ps: PsAddr) -> bool:
    if not ps.ip4 and not ps.ip6:
        return True
    src = flow.get("ipv6_src")
    if src not in ps.ip6 and src != ps.lla:
        return False
    if flow.get("nw_proto") == 58:
        icmp_type = flow.get("tp_src")
        if icmp_type == 135 and flow.get("arp_sha") not in (0, ps.mac):
            return False
        if icmp_type == 136:
            if flow.get("arp_tha") not in (0, ps.mac):
                return False
            target = flow.get("nd_target")
            if ps.ip6 and target not in ps.ip6 and target != ps.lla:
                return False
    return True


def _allow_out(flow: Flow, ps: PsAddr) -> bool:
    dl_type = flow.get("dl_type")
    if dl_type == ETH_IP:
        if not ps.ip4 and not ps.ip6:
            return True
        if not ps.ip4:
            return False
        dst = flow.get("nw_dst")
        return dst in ps.ip4 or dst == _BCAST4 or dst >> 28 == 0xE
    if dl_type == ETH_IPV6:
        if not ps.ip4 and not ps.ip6:
            return True
        if not ps.ip6:
            return False
        dst = flow.get("ipv6_dst")
        return dst in ps.ip6 or dst == ps.lla or dst >> 120 == 0xFF
    return True
