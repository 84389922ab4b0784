"""Concrete frames on the fabric, and their conversion to and from the tracer's Flow.

A `Frame` is what a NIC, a ToR port or a tunnel carries: Ethernet (with an optional
802.1Q tag), then ARP or IPv4/IPv6 with ICMP/UDP/TCP. MACs and addresses are text
("fa:16:3e:00:00:01", "10.0.1.11") so frames read well in results, pcaps and tests.

`count` > 1 stands for a train of identical frames sent back to back (the engine uses
it for constant-rate flows: a meter admits floor(tokens / cost) of them). `flow_id`,
`seq` and `payload_tag` are accounting only: the logical pipelines never see them.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from typing import Literal

from ovntwin.expr.flow import Flow
from ovntwin.trace.flowfmt import ETH_ARP, ETH_IP, ETH_IPV6

FrameKind = Literal["arp", "ip4", "ip6"]
BROADCAST = "ff:ff:ff:ff:ff:ff"
ZERO_MAC = "00:00:00:00:00:00"
PROTO_ICMP, PROTO_TCP, PROTO_UDP, PROTO_ICMP6 = 1, 6, 17, 58  # IANA protocol numbers
VLAN_CFI = 0x1000  # OVS vlan_tci: bit 12 set = a tag is present
_ETHERTYPE = {"arp": ETH_ARP, "ip4": ETH_IP, "ip6": ETH_IPV6}
_KIND = {v: k for k, v in _ETHERTYPE.items()}
# Header key: everything a logical flow or conntrack may look at (not count/seq/tags).
HeaderKey = tuple[object, ...]


def mac_int(text: str) -> int:
    return int(text.replace(":", ""), 16)


def mac_text(value: int) -> str:
    raw = f"{value:012x}"
    return ":".join(raw[i : i + 2] for i in range(0, 12, 2))


@dataclass(frozen=True, slots=True, kw_only=True)
class Frame:
    eth_src: str
    eth_dst: str
    kind: FrameKind = "ip4"
    vlan: int | None = None  # 802.1Q VID on the wire (None: untagged)
    # ARP
    arp_op: int = 0  # 1 request, 2 reply
    arp_sha: str = ZERO_MAC
    arp_spa: str = "0.0.0.0"
    arp_tha: str = ZERO_MAC
    arp_tpa: str = "0.0.0.0"
    # IP
    ip_src: str = ""
    ip_dst: str = ""
    proto: int = 0
    ttl: int = 64  # Linux default
    dscp: int = 0
    ecn: int = 0
    # L4
    icmp_type: int = 0
    icmp_code: int = 0
    icmp_id: int = 0
    icmp_seq: int = 0
    sport: int = 0
    dport: int = 0
    tcp_flags: int = 0
    size_bytes: int = 64  # Ethernet frame without FCS (what OVS meters charge)
    # accounting
    count: int = 1
    flow_id: str = ""
    seq: int = 0
    payload_tag: str = ""

    # --- helpers ---------------------------------------------------------------------
    @property
    def is_icmp(self) -> bool:
        return self.kind != "arp" and self.proto in (PROTO_ICMP, PROTO_ICMP6)

    def header_key(self) -> HeaderKey:
        """Every field the pipelines or conntrack read (cache key; not count/seq/tags)."""
        return (
            self.eth_src, self.eth_dst, self.kind, self.vlan, self.arp_op, self.arp_sha,
            self.arp_spa, self.arp_tha, self.arp_tpa, self.ip_src, self.ip_dst, self.proto,
            self.ttl, self.dscp, self.ecn, self.icmp_type, self.icmp_code, self.icmp_id,
            self.sport, self.dport, self.tcp_flags, self.size_bytes,
        )  # fmt: skip

    def tagged(self, vlan: int | None) -> Frame:
        return replace(self, vlan=vlan)

    # --- Flow conversion -----------------------------------------------------------------
    def to_flow(self, inport: str = "", outport: str = "") -> Flow:
        """The microflow the logical pipelines see (no VLAN: OVN strips the localnet tag)."""
        f: dict[str, int] = {
            "dl_src": mac_int(self.eth_src),
            "dl_dst": mac_int(self.eth_dst),
            "dl_type": _ETHERTYPE[self.kind],
        }
        if self.kind == "arp":
            f.update(
                nw_proto=self.arp_op, nw_src=_ip4(self.arp_spa), nw_dst=_ip4(self.arp_tpa),
                arp_sha=mac_int(self.arp_sha), arp_tha=mac_int(self.arp_tha),
            )  # fmt: skip
            return Flow(f, inport, outport)
        if self.kind == "ip4":
            f.update(nw_src=_ip4(self.ip_src), nw_dst=_ip4(self.ip_dst))
        else:
            f.update(ipv6_src=_ip6(self.ip_src), ipv6_dst=_ip6(self.ip_dst))
        f.update(nw_proto=self.proto, nw_ttl=self.ttl, nw_tos=self.dscp << 2, nw_ecn=self.ecn)
        if self.is_icmp:
            f.update(tp_src=self.icmp_type, tp_dst=self.icmp_code)
        else:
            f.update(tp_src=self.sport, tp_dst=self.dport)
            if self.proto == PROTO_TCP:
                f["tcp_flags"] = self.tcp_flags
        return Flow(f, inport, outport)

    def with_flow(self, flow: Flow) -> Frame:
        """This frame with the headers of `flow` (after the pipelines rewrote them)."""
        kind: FrameKind = _KIND.get(flow.get("dl_type"), self.kind)  # type: ignore[assignment]
        eth_src, eth_dst = mac_text(flow.get("dl_src")), mac_text(flow.get("dl_dst"))
        if kind == "arp":
            return replace(
                self, kind=kind, eth_src=eth_src, eth_dst=eth_dst, arp_op=flow.get("nw_proto"),
                arp_spa=_ip4_text(flow.get("nw_src")), arp_tpa=_ip4_text(flow.get("nw_dst")),
                arp_sha=mac_text(flow.get("arp_sha")), arp_tha=mac_text(flow.get("arp_tha")),
            )  # fmt: skip
        if kind == "ip4":
            src, dst = _ip4_text(flow.get("nw_src")), _ip4_text(flow.get("nw_dst"))
        else:
            src = str(ipaddress.IPv6Address(flow.get("ipv6_src")))
            dst = str(ipaddress.IPv6Address(flow.get("ipv6_dst")))
        proto = flow.get("nw_proto")
        out = replace(
            self, kind=kind, eth_src=eth_src, eth_dst=eth_dst, ip_src=src, ip_dst=dst,
            proto=proto, ttl=flow.get("nw_ttl"), dscp=flow.get("nw_tos") >> 2,
            ecn=flow.get("nw_ecn"),
        )  # fmt: skip
        if proto in (PROTO_ICMP, PROTO_ICMP6):
            return replace(out, icmp_type=flow.get("tp_src"), icmp_code=flow.get("tp_dst"))
        return replace(out, sport=flow.get("tp_src"), dport=flow.get("tp_dst"))


def _ip4(text: str) -> int:
    return int(ipaddress.IPv4Address(text))


def _ip6(text: str) -> int:
    return int(ipaddress.IPv6Address(text))


def _ip4_text(value: int) -> str:
    return f"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}"


# --- constructors the traffic generators and tests use ------------------------------------


def icmp_echo(
    eth_src: str, eth_dst: str, ip_src: str, ip_dst: str, *, ident: int = 1, seq: int = 0,
    reply: bool = False, size_bytes: int = 98, **extra: object,
) -> Frame:  # fmt: skip
    """An ICMP echo request (or reply); 98 bytes = `ping` default 56-byte payload."""
    return Frame(
        eth_src=eth_src, eth_dst=eth_dst, ip_src=ip_src, ip_dst=ip_dst, proto=PROTO_ICMP,
        icmp_type=0 if reply else 8, icmp_id=ident, icmp_seq=seq, seq=seq,
        size_bytes=size_bytes, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def udp(
    eth_src: str, eth_dst: str, ip_src: str, ip_dst: str, sport: int, dport: int,
    *, size_bytes: int = 1414, **extra: object,
) -> Frame:  # fmt: skip
    return Frame(
        eth_src=eth_src, eth_dst=eth_dst, ip_src=ip_src, ip_dst=ip_dst, proto=PROTO_UDP,
        sport=sport, dport=dport, size_bytes=size_bytes, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def arp_request(eth_src: str, spa: str, tpa: str, *, vlan: int | None = None) -> Frame:
    return Frame(
        eth_src=eth_src, eth_dst=BROADCAST, kind="arp", vlan=vlan, arp_op=1,
        arp_sha=eth_src, arp_spa=spa, arp_tpa=tpa, size_bytes=60,
    )  # fmt: skip
