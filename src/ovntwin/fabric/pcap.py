"""Frames the fabric carried, as a classic pcap file (Ethernet link type) tshark reads.

    with PcapWriter("out.pcap", points={"tor1"}) as pcap:
        pcap.capture(time_us, "tor1:hv-a-vlan", frame)                 # a frame on a port
        pcap.capture(time_us, "tor1:hv-a-tun", inner, tunnel=Geneve(...))  # overlay
    pcap.written, pcap.truncated

Each `Frame` (fabric/packet.py) becomes real bytes: Ethernet II, an 802.1Q tag when it
has a VLAN, then ARP or IPv4/IPv6 with ICMP/UDP/TCP, zero-padded to `size_bytes`.
Overlay frames are wrapped in Geneve-in-UDP with OVN's tunnel metadata option (class
0x0102, type 0x80: logical ingress and egress port keys), so Wireshark dissects the
outer and the inner frame. Timestamps are simulated time (microseconds, exact: the
record headers are written here, dpkt only builds the packets). dpkt is imported
lazily (the `sim` extra).

A train (`frame.count` > 1) is written as that many identical records, up to
`max_packets` in all; past it records are counted in `truncated`, not written.
"""

from __future__ import annotations

import importlib
import ipaddress
import struct
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType, TracebackType
from typing import IO, Any

from ovntwin.errors import OvnTwinError
from ovntwin.fabric.packet import PROTO_ICMP, PROTO_ICMP6, PROTO_TCP, PROTO_UDP, Frame

PCAP_MAGIC_US = 0xA1B2C3D4  # libpcap: microsecond timestamps
LINKTYPE_ETHERNET = 1  # tcpdump.org link-layer header types
SNAPLEN = 65535
ETH_P_8021Q = 0x8100  # IEEE 802.1Q TPID
ETHERTYPES = {"arp": 0x0806, "ip4": 0x0800, "ip6": 0x86DD}  # IEEE registry
ETH_P_TEB = 0x6558  # transparent Ethernet bridging: Geneve's protocol type for L2 frames
GENEVE_PORT = 6081  # IANA, RFC 8926
BFD_PORT = 3784  # RFC 5881: single-hop BFD control
BFD_SRC_PORT = 49152  # RFC 5881: source port from 49152-65535
OVN_GENEVE_CLASS = 0x0102  # ovn-architecture(7): OVN's Geneve option class
OVN_GENEVE_TYPE = 0x80  # ... and type (critical bit set)
MIN_FRAME = 60  # Ethernet minimum without FCS
DEFAULT_MAX_PACKETS = 1_000_000


class PcapError(OvnTwinError):
    """dpkt is missing or the capture file cannot be written."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Geneve:
    """The outer headers of an overlay frame: between two chassis' encap IPs."""

    src_ip: str
    dst_ip: str
    vni: int  # the logical datapath's tunnel key
    inport_key: int = 0  # logical ingress port key (15 bits)
    outport_key: int = 0  # logical egress port key (16 bits)
    outer_src_mac: str = "02:00:00:00:00:01"
    outer_dst_mac: str = "02:00:00:00:00:02"
    vlan: int | None = None  # 802.1Q tag of the underlay, if any
    src_port: int = 0  # outer UDP source port; 0: a hash of the inner frame, as OVS picks


def _dpkt() -> ModuleType:
    try:
        return importlib.import_module("dpkt")
    except ImportError as err:
        raise PcapError(f"pcap output needs dpkt: pip install 'ovntwin[sim]' ({err})") from None


class PcapWriter:
    """Writes records as they are captured; `points` limits which capture points
    (a switch name, or "switch:port") are kept (None: all)."""

    def __init__(
        self,
        path: str | Path,
        points: Collection[str] | None = None,
        max_packets: int = DEFAULT_MAX_PACKETS,
        underlay: Mapping[str, str] | None = None,
    ) -> None:
        self._dpkt = _dpkt()
        self.underlay = dict(underlay or {})  # NIC MAC -> encap IP, for overlay wires
        self.skipped = 0  # wires whose payload has no packet form here
        self.path = Path(path)
        self.points = None if points is None else frozenset(points)
        self.max_packets = max_packets
        self.written = 0
        self.truncated = 0
        try:
            self._out: IO[bytes] = self.path.open("wb")
        except OSError as err:
            raise PcapError(f"cannot write {self.path}: {err}") from None
        header = struct.pack("<IHHiIII", PCAP_MAGIC_US, 2, 4, 0, 0, SNAPLEN, LINKTYPE_ETHERNET)
        self._out.write(header)

    def wants(self, point: str) -> bool:
        if self.points is None:
            return True
        return point in self.points or point.split(":", 1)[0] in self.points

    def capture(self, time_us: int, point: str, frame: Frame, tunnel: Geneve | None = None) -> None:
        if not self.wants(point):
            return
        data = frame_bytes(frame, self._dpkt)
        if tunnel is not None:
            data = geneve_bytes(tunnel, data, self._dpkt)
        self._write(time_us, data, frame.count)

    def _write(self, time_us: int, data: bytes, count: int) -> None:
        room = max(0, self.max_packets - self.written)
        copies = min(max(1, count), room)
        self.truncated += max(1, count) - copies
        secs, usecs = divmod(time_us, 1_000_000)
        record = struct.pack("<IIII", secs, usecs, min(len(data), SNAPLEN), len(data))
        record += data[:SNAPLEN]
        self._out.write(record * copies)
        self.written += copies

    def capture_wire(self, time_us: int, point: str, wire: Any) -> None:
        """A wire as the engine's plant carries it (fabric/wire.py: src, dst, tag,
        size_bytes, payload, count): a Frame on a VLAN/flat network, or a tunnelled
        frame / BFD message on the overlay (Geneve between the NICs' encap IPs)."""
        if not self.wants(point):
            return
        payload = wire.payload
        if isinstance(payload, Frame):
            outer = replace(payload, eth_src=wire.src, eth_dst=wire.dst, vlan=wire.tag,
                            count=wire.count)  # fmt: skip
            self.capture(time_us, point, outer)
            return
        inner = getattr(payload, "frame", None)
        bfd = getattr(payload, "packet", None)
        if not isinstance(inner, Frame) and bfd is None:
            self.skipped += 1
            return
        meta = getattr(payload, "meta", None)
        tunnel = Geneve(
            src_ip=self.underlay.get(wire.src, "0.0.0.0"),
            dst_ip=self.underlay.get(wire.dst, "0.0.0.0"),
            vni=getattr(meta, "datapath_key", 0),
            inport_key=getattr(meta, "inport_key", 0),
            outport_key=getattr(meta, "outport_key", 0),
            outer_src_mac=wire.src,
            outer_dst_mac=wire.dst,
            vlan=wire.tag,
        )
        if isinstance(inner, Frame):
            self.capture(time_us, point, replace(inner, count=wire.count), tunnel)
        else:
            self._write(time_us, geneve_bytes(tunnel, bfd_bytes(bfd, tunnel), self._dpkt), 1)

    __call__ = capture_wire

    def close(self) -> None:
        self._out.close()

    def __enter__(self) -> PcapWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        err: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# -- packet bytes --------------------------------------------------------------------


def _mac(text: str) -> bytes:
    return bytes.fromhex(text.replace(":", ""))


def _ip(text: str) -> bytes:
    return ipaddress.ip_address(text).packed


def ethernet(src: str, dst: str, vlan: int | None, ethertype: int, payload: bytes) -> bytes:
    """Ethernet II (with an 802.1Q tag when `vlan` is set), padded to the minimum."""
    head = _mac(dst) + _mac(src)
    if vlan is not None:
        head += struct.pack("!HH", ETH_P_8021Q, vlan & 0x0FFF)
    data = head + struct.pack("!H", ethertype) + payload
    return data + bytes(max(0, MIN_FRAME - len(data)))


def frame_bytes(frame: Frame, dpkt: ModuleType | None = None) -> bytes:
    """The frame as it is on the wire, `size_bytes` long (plus 4 for a tag)."""
    dpkt = dpkt or _dpkt()
    l3 = _arp(frame, dpkt) if frame.kind == "arp" else _ip_packet(frame, dpkt)
    return ethernet(frame.eth_src, frame.eth_dst, frame.vlan, ETHERTYPES[frame.kind], l3)


def _arp(frame: Frame, dpkt: ModuleType) -> bytes:
    arp = dpkt.arp.ARP(
        op=frame.arp_op,
        sha=_mac(frame.arp_sha),
        spa=_ip(frame.arp_spa),
        tha=_mac(frame.arp_tha),
        tpa=_ip(frame.arp_tpa),
    )
    return bytes(arp)


def _ip_packet(frame: Frame, dpkt: ModuleType) -> bytes:
    """IPv4/IPv6 with its L4 header; the payload fills the frame to `size_bytes`."""
    v6 = frame.kind == "ip6"
    overhead = 14 + (40 if v6 else 20) + _l4_header_len(frame)
    payload = bytes(max(0, frame.size_bytes - overhead))
    l4 = _l4(frame, payload, dpkt)
    tos = (frame.dscp << 2) | frame.ecn
    if v6:
        ip6 = dpkt.ip6.IP6(
            src=_ip(frame.ip_src), dst=_ip(frame.ip_dst), nxt=frame.proto, hlim=frame.ttl,
            fc=tos, data=l4, plen=len(bytes(l4)),
        )  # fmt: skip
        return bytes(ip6)
    ip = dpkt.ip.IP(
        src=_ip(frame.ip_src), dst=_ip(frame.ip_dst), p=frame.proto, ttl=frame.ttl, tos=tos,
        data=l4,
    )  # fmt: skip
    return bytes(ip)


def _l4_header_len(frame: Frame) -> int:
    if frame.proto in (PROTO_ICMP, PROTO_ICMP6):
        return 8  # type, code, checksum, id, seq
    return {PROTO_UDP: 8, PROTO_TCP: 20}.get(frame.proto, 0)


def _l4(frame: Frame, payload: bytes, dpkt: ModuleType) -> Any:
    if frame.proto == PROTO_ICMP:
        echo = dpkt.icmp.ICMP.Echo(id=frame.icmp_id, seq=frame.icmp_seq, data=payload)
        return dpkt.icmp.ICMP(type=frame.icmp_type, code=frame.icmp_code, data=echo)
    if frame.proto == PROTO_ICMP6:
        echo = dpkt.icmp6.ICMP6.Echo(id=frame.icmp_id, seq=frame.icmp_seq, data=payload)
        return dpkt.icmp6.ICMP6(type=frame.icmp_type, code=frame.icmp_code, data=echo)
    if frame.proto == PROTO_UDP:
        return _udp(frame.sport, frame.dport, payload, dpkt)
    if frame.proto == PROTO_TCP:
        flags = frame.tcp_flags or dpkt.tcp.TH_ACK
        return dpkt.tcp.TCP(
            sport=frame.sport, dport=frame.dport, flags=flags, seq=frame.seq, data=payload
        )
    return payload


def _udp(sport: int, dport: int, payload: bytes, dpkt: ModuleType) -> Any:
    """A UDP header with its length set (dpkt leaves it 0; the IP layer fills the sum)."""
    return dpkt.udp.UDP(sport=sport, dport=dport, ulen=8 + len(payload), data=payload)


def geneve_bytes(tunnel: Geneve, inner: bytes, dpkt: ModuleType | None = None) -> bytes:
    """`inner` (an Ethernet frame) in Geneve over UDP over IPv4 between encap IPs."""
    dpkt = dpkt or _dpkt()
    metadata = ((tunnel.inport_key & 0x7FFF) << 16) | (tunnel.outport_key & 0xFFFF)
    option = struct.pack("!HBBI", OVN_GENEVE_CLASS, OVN_GENEVE_TYPE, 1, metadata)
    opt_words = len(option) // 4
    critical = 0x40  # the C bit: OVN's option is critical (RFC 8926 section 3.4)
    header = struct.pack("!BBHI", opt_words, critical, ETH_P_TEB, (tunnel.vni & 0xFFFFFF) << 8)
    sport = tunnel.src_port or 49152 + (sum(inner[:34]) % 16384)  # stable per inner headers
    udp = _udp(sport, GENEVE_PORT, header + option + inner, dpkt)
    ip = dpkt.ip.IP(src=_ip(tunnel.src_ip), dst=_ip(tunnel.dst_ip), p=PROTO_UDP, ttl=64, data=udp)
    ip.df = 1  # OVS sets DF on tunnel packets by default
    return ethernet(
        tunnel.outer_src_mac, tunnel.outer_dst_mac, tunnel.vlan, ETHERTYPES["ip4"], bytes(ip)
    )


def bfd_bytes(packet: Any, tunnel: Geneve) -> bytes:
    """A BFD Control packet (RFC 5880 section 4.1) in UDP/IPv4 between the encap IPs,
    inside an Ethernet frame: what OVS sends on a tunnel port with BFD enabled."""
    dpkt = _dpkt()
    flags = (int(packet.state) << 6) | (0x20 if packet.poll else 0) | (0x10 if packet.final else 0)
    body = struct.pack(
        "!BBBBIIIII", (1 << 5) | int(packet.diag), flags, packet.mult, 24, packet.my_disc,
        packet.your_disc, packet.desired_min_tx_us, packet.required_min_rx_us, 0,
    )  # fmt: skip
    udp = _udp(BFD_SRC_PORT, BFD_PORT, body, dpkt)
    ip = dpkt.ip.IP(src=_ip(tunnel.src_ip), dst=_ip(tunnel.dst_ip), p=PROTO_UDP, ttl=255, data=udp)
    return ethernet(tunnel.outer_src_mac, tunnel.outer_dst_mac, None, ETHERTYPES["ip4"], bytes(ip))
