"""External hosts (upstream routers, servers): a minimal IPv4 stack on a ToR port.

A host answers ARP requests for its address, learns sender addresses from every ARP
it sees (GARPs included, as Linux does for known neighbours), answers ICMP echo
requests and sinks everything else addressed to it (UDP, TCP, echo replies for its
own pings). A reply goes to the neighbour entry of its destination, or back to the
frame's source MAC when there is none.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ovntwin.fabric.packet import BROADCAST, PROTO_ICMP, Frame
from ovntwin.fabric.spec import ExternalHost
from ovntwin.fabric.wire import Wire

if TYPE_CHECKING:
    from ovntwin.fabric.engine import Engine

ARP_REQUEST, ARP_REPLY = 1, 2  # RFC 826 opcodes
ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST = 0, 8  # RFC 792 types


class HostNode:
    def __init__(self, engine: Engine, spec: ExternalHost) -> None:
        self.engine = engine
        self.spec = spec
        self.name = spec.name
        self.mac = spec.mac.lower()
        self.ip = spec.ip
        self.up = True
        self.neighbours: dict[str, str] = {}  # IPv4 -> MAC

    def send(self, frame: Frame) -> None:
        if not self.up:
            return
        frame = replace(frame, vlan=self.spec.vlan)
        wire = Wire(frame.eth_src, frame.eth_dst, frame.vlan, frame.size_bytes, frame, frame.count)
        self.engine.plant.send(self.spec.attachment, wire)

    def on_wire(self, wire: Wire) -> None:
        frame = wire.payload
        if not self.up or not isinstance(frame, Frame):
            return
        if frame.eth_dst not in (self.mac, BROADCAST):
            return  # flooded unicast for someone else
        frame = replace(frame, count=wire.count)
        if frame.kind == "arp":
            self._arp(frame)
        elif frame.kind == "ip4" and frame.ip_dst == self.ip:
            self._ip(frame)

    def _arp(self, frame: Frame) -> None:
        # Linux: a known neighbour is updated by any ARP (GARPs too); a new one is
        # created only by an ARP addressed to us.
        known = frame.arp_spa in self.neighbours
        if frame.arp_spa != "0.0.0.0" and (known or frame.arp_tpa == self.ip):
            self.neighbours[frame.arp_spa] = frame.arp_sha
        if frame.arp_op == ARP_REQUEST and frame.arp_tpa == self.ip:
            self.engine.hop(frame, f"{self.name}:arp reply")
            self.send(
                Frame(
                    eth_src=self.mac,
                    eth_dst=frame.arp_sha,
                    kind="arp",
                    arp_op=ARP_REPLY,
                    arp_sha=self.mac,
                    arp_spa=self.ip,
                    arp_tha=frame.arp_sha,
                    arp_tpa=frame.arp_spa,
                    size_bytes=60,
                )  # fmt: skip
            )

    def _ip(self, frame: Frame) -> None:
        self.engine.hop(frame, f"{self.name}:received")
        if frame.proto == PROTO_ICMP and frame.icmp_type == ICMP_ECHO_REQUEST:
            self.engine.traffic.arrived(frame, self.name)
            dst_mac = self.neighbours.get(frame.ip_src, frame.eth_src)
            self.send(
                replace(
                    frame,
                    eth_src=self.mac,
                    eth_dst=dst_mac,
                    ip_src=frame.ip_dst,
                    ip_dst=frame.ip_src,
                    icmp_type=ICMP_ECHO_REPLY,
                    ttl=64,
                )  # fmt: skip
            )
            return
        self.engine.traffic.arrived(frame, self.name)
