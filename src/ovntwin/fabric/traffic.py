"""Traffic generators and their accounting: ping, constant-rate UDP, TCP-like AIMD.

* Ping: an ICMP echo request every `interval_us` (`ping -i`); the destination answers;
  the source records one RTT per request (None when no reply came).
* UDP: constant rate as 1-ms trains (`Frame.count` packets at once): OVS meters refill
  per whole millisecond, so a meter admits floor(tokens / cost) packets of each train,
  exactly what it does with back-to-back packets inside one millisecond.
* TCP-like: AIMD in rounds of `TCP_ROUND_US`: a round sends `cwnd` segments as one
  train; all delivered -> cwnd + 1, any loss -> cwnd / 2 (at least 1). Deliberate
  simplification: the receiver's count stands in for ACKs (no reverse path).

Every frame carries `flow_id` (the flow's name) and `seq`; arrivals are binned into a
throughput timeline (received Ethernet bits per second, results.THROUGHPUT_BIN_US).
The first packet (seq 0) records its path (hop labels) and one-way latency.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ovntwin.fabric.packet import PROTO_ICMP, PROTO_TCP, Frame, icmp_echo, udp
from ovntwin.fabric.results import THROUGHPUT_BIN_US, FlowResult
from ovntwin.fabric.scenario import Ping, TcpFlow, Traffic, UdpFlow

if TYPE_CHECKING:
    from ovntwin.fabric.engine import Engine

ETH_BYTES = 14  # Ethernet header (no FCS: what OVS counts)
IP_BYTES = 20  # IPv4 header without options
TCP_BYTES = 20  # TCP header without options
TRAIN_US = 1000  # UDP trains: one per millisecond (the OVS meter refill tick)
TCP_ROUND_US = 1000  # TCP-like rounds: a 1 ms RTT, usual inside one rack
TCP_MAX_CWND = 10_000  # segments; keeps a round's train finite on an unpoliced path
ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST = 0, 8  # RFC 792 types


@dataclass
class FlowStats:
    spec: Traffic
    kind: str
    sent: int = 0
    received: int = 0
    sent_at: dict[int, int] = field(default_factory=dict)
    rtts: dict[int, int] = field(default_factory=dict)
    bins: dict[int, int] = field(default_factory=dict)  # bin start -> bits received
    path: list[str] = field(default_factory=list)
    path_done: bool = False
    one_way_us: int | None = None
    drops: dict[str, int] = field(default_factory=dict)


class TrafficManager:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.stats: dict[str, FlowStats] = {}
        for spec in engine.scenario.traffic:
            kind = (
                "ping" if isinstance(spec, Ping) else "udp" if isinstance(spec, UdpFlow) else "tcp"
            )
            self.stats[spec.name] = FlowStats(spec, kind)

    def start(self) -> None:
        env = self.engine.env
        for i, spec in enumerate(self.engine.scenario.traffic):
            if isinstance(spec, Ping):
                env.process(self._ping(spec, i + 1))
            elif isinstance(spec, UdpFlow):
                env.process(self._udp(spec))
            else:
                env.process(self._tcp(spec))

    # generators -------------------------------------------------------------------------

    def _template(self, spec: Traffic) -> tuple[str, str, str] | None:
        """(source MAC, source IP, next-hop MAC) of a flow's source, if resolvable."""
        return self.engine.source_addresses(spec.source, spec.dst_ip)

    def _ping(self, spec: Ping, ident: int) -> Generator[Any, Any, None]:
        env, stats = self.engine.env, self.stats[spec.name]
        yield env.timeout(spec.start_us)
        seq = 0
        while spec.count is None or seq < spec.count:
            addr = self._template(spec)
            if addr is not None:
                mac, ip, hop = addr
                frame = icmp_echo(
                    mac, hop, ip, spec.dst_ip, ident=ident, seq=seq,
                    size_bytes=spec.size + IP_BYTES + ETH_BYTES, flow_id=spec.name,
                )  # fmt: skip
                stats.sent_at[seq] = int(env.now)
                stats.sent += 1
                self.engine.send_from(spec.source, frame)
            seq += 1
            yield env.timeout(spec.interval_us)

    def _udp(self, spec: UdpFlow) -> Generator[Any, Any, None]:
        env, stats = self.engine.env, self.stats[spec.name]
        yield env.timeout(spec.start_us)
        t0 = int(env.now)
        while spec.stop_us is None or env.now < spec.stop_us:
            yield env.timeout(TRAIN_US)
            due = (int(env.now) - t0) * spec.rate_kbps // (spec.size * 8 * 1000)
            n = due - stats.sent
            addr = self._template(spec)
            if n <= 0 or addr is None:
                continue
            mac, ip, hop = addr
            frame = udp(
                mac, hop, ip, spec.dst_ip, spec.src_port, spec.dst_port,
                size_bytes=spec.size + ETH_BYTES, count=n, flow_id=spec.name, seq=stats.sent,
            )  # fmt: skip
            stats.sent_at.setdefault(stats.sent, int(env.now))
            stats.sent += n
            self.engine.send_from(spec.source, frame)

    def _tcp(self, spec: TcpFlow) -> Generator[Any, Any, None]:
        env, stats = self.engine.env, self.stats[spec.name]
        yield env.timeout(spec.start_us)
        cwnd = 1
        while spec.stop_us is None or env.now < spec.stop_us:
            addr = self._template(spec)
            before = stats.received
            if addr is not None:
                mac, ip, hop = addr
                frame = Frame(
                    eth_src=mac, eth_dst=hop, ip_src=ip, ip_dst=spec.dst_ip, proto=PROTO_TCP,
                    sport=spec.src_port, dport=spec.dst_port, tcp_flags=0x10,
                    size_bytes=spec.mss + TCP_BYTES + IP_BYTES + ETH_BYTES, count=cwnd,
                    flow_id=spec.name, seq=stats.sent,
                )  # fmt: skip
                stats.sent_at.setdefault(stats.sent, int(env.now))
                stats.sent += cwnd
                self.engine.send_from(spec.source, frame)
            yield env.timeout(TCP_ROUND_US)
            lost = stats.received - before < cwnd
            cwnd = max(1, cwnd // 2) if lost else min(cwnd + 1, TCP_MAX_CWND)

    # accounting -------------------------------------------------------------------------

    def at_vif(self, vif: str, frame: Frame) -> None:
        """A frame delivered to a VM: answer echo requests, account the rest."""
        me = self.engine.addressing.vifs.get(vif)
        if me is None or frame.kind != "ip4" or frame.ip_dst != me.ip:
            return
        if frame.proto == PROTO_ICMP and frame.icmp_type == ICMP_ECHO_REQUEST:
            self.arrived(frame, vif)
            reply = replace(
                frame, eth_src=me.mac, eth_dst=frame.eth_src, ip_src=me.ip,
                ip_dst=frame.ip_src, icmp_type=ICMP_ECHO_REPLY, ttl=64, vlan=None,
            )  # fmt: skip
            self.engine.send_from(vif, reply)
            return
        self.arrived(frame, vif)

    def arrived(self, frame: Frame, where: str) -> None:
        stats = self.stats.get(frame.flow_id)
        if stats is None:
            return
        now = int(self.engine.env.now)
        if stats.kind == "ping" and frame.icmp_type == ICMP_ECHO_REPLY:
            sent = stats.sent_at.get(frame.seq)
            if sent is not None and frame.seq not in stats.rtts:
                stats.rtts[frame.seq] = now - sent
                stats.received += 1
                self._bin(stats, now, frame)
                if frame.seq == 0:
                    stats.path_done = True
            return
        if frame.seq == 0 and stats.one_way_us is None:
            stats.one_way_us = now - stats.sent_at.get(0, now)
            stats.path_done = stats.kind != "ping"
        if stats.kind != "ping":
            stats.received += frame.count
            self._bin(stats, now, frame)

    def _bin(self, stats: FlowStats, now: int, frame: Frame) -> None:
        start = now - now % THROUGHPUT_BIN_US
        stats.bins[start] = stats.bins.get(start, 0) + frame.size_bytes * 8 * frame.count

    def hop(self, frame: Frame, label: str) -> None:
        stats = self.stats.get(frame.flow_id)
        if stats is not None and frame.seq == 0 and not stats.path_done:
            stats.path.append(f"{int(self.engine.env.now)}us {label}")

    def dropped(self, frame: Frame, reason: str, n: int) -> None:
        stats = self.stats.get(frame.flow_id)
        if stats is not None:
            stats.drops[reason] = stats.drops.get(reason, 0) + n

    def results(self, until_us: int, direct_us: int) -> tuple[FlowResult, ...]:
        out: list[FlowResult] = []
        for name, s in self.stats.items():
            per_s = 1_000_000 // THROUGHPUT_BIN_US
            timeline = tuple(
                (t, s.bins.get(t, 0) * per_s) for t in range(0, until_us, THROUGHPUT_BIN_US)
            )
            rtts: tuple[int | None, ...] = ()
            if s.kind == "ping":
                rtts = tuple(s.rtts.get(seq) for seq in sorted(s.sent_at))
            one_way = s.one_way_us
            out.append(
                FlowResult(
                    name=name,
                    kind=s.kind,
                    source=s.spec.source,
                    dst_ip=s.spec.dst_ip,
                    sent=s.sent,
                    received=s.received,
                    rtts_us=rtts,
                    throughput=timeline,
                    path=tuple(s.path),
                    one_way_latency_us=one_way,
                    extra_hop_latency_us=None if one_way is None else one_way - direct_us,
                    drops=tuple(sorted(s.drops.items())),
                    interval_us=s.spec.interval_us if isinstance(s.spec, Ping) else None,
                )  # fmt: skip
            )
        return tuple(out)
