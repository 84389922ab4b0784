"""Traffic generators and their accounting: ping, constant-rate UDP, TCP-like AIMD.

* Ping: an ICMP echo request every `interval_us` (`ping -i`); the destination answers;
  the source records one RTT per request (None when no reply came).
* UDP: constant rate as 1-ms trains (`Frame.count` packets at once): OVS meters refill
  per whole millisecond, so a meter admits floor(tokens / cost) packets of each train,
  exactly what it does with back-to-back packets inside one millisecond.
* TCP-like: a window of `cwnd` segments, sent at most at the source NIC's line rate as
  1-ms trains (segments `seq`..`seq+count`). The receiver answers each train with one
  real ACK frame (back through the pipelines and the fabric) whose `seq` is the
  cumulative acknowledgement (first segment + segments that arrived). The sender learns
  a loss only from ACKs, one RTT after sending: a short ACK, or an ACK of a later train
  while an earlier one is still unacknowledged (what SACK / duplicate ACKs tell),
  halves cwnd (at least 1; once per window, like fast recovery); no ACK within
  `TCP_RTO_US` resets cwnd to 1 (a retransmission timeout) unless a tail loss probe
  (one segment sent when the window has been full and silent for `TCP_PTO_US`) brings
  an ACK first; a full ACK of `cwnd` segments grows cwnd by one (+1 MSS per RTT).
  Deliberate simplifications: no retransmissions (goodput = what arrives), no slow
  start.

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
TCP_TICK_US = 1000  # TCP-like trains: one per millisecond at most
TCP_RTO_US = 200_000  # Linux TCP_RTO_MIN (200 ms)
TCP_PTO_US = 10_000  # tail loss probe timeout floor (RFC 8985 / Linux TLP, 10 ms)
# RACK-like reordering window: links have no queue, so a short train can overtake a
# long one still serialising; a hole counts as a loss only once this old.
TCP_REORDER_US = 10_000
TCP_MAX_CWND = 10_000  # segments; keeps the window finite on an unpoliced path
TCP_ACK_BYTES = ETH_BYTES + IP_BYTES + TCP_BYTES  # a bare ACK
CWND_SAMPLE_US = 100_000  # cwnd timeline: one sample per 100 ms
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
    tcp: TcpState | None = None


@dataclass
class TcpState:
    """The sender's view of a TCP-like flow (what it learnt from ACKs only)."""

    cwnd: int = 1
    in_flight: dict[int, tuple[int, int]] = field(default_factory=dict)  # seq -> (n, sent at)
    recover: int = 0  # no second halving for segments sent before this seq
    acked_run: int = 0  # fully acknowledged segments since cwnd last grew
    samples: list[tuple[int, int]] = field(default_factory=list)  # (time_us, cwnd)
    halvings: list[tuple[int, int, int]] = field(default_factory=list)  # (time, before, after)
    timeouts: int = 0


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
        state = stats.tcp = TcpState()
        yield env.timeout(spec.start_us)
        size = spec.mss + TCP_BYTES + IP_BYTES + ETH_BYTES
        per_tick = self._line_segments(spec, size)
        next_sample = int(env.now)
        while spec.stop_us is None or env.now < spec.stop_us:
            now = int(env.now)
            self._tcp_timeouts(state, now)
            if now >= next_sample:
                state.samples.append((now, state.cwnd))
                next_sample += CWND_SAMPLE_US
            outstanding = sum(n for n, _t in state.in_flight.values())
            n = min(state.cwnd - outstanding, per_tick)
            newest = max((t for _n, t in state.in_flight.values()), default=now)
            if n <= 0 and now - newest >= TCP_PTO_US:
                n = 1  # tail loss probe: its ACK reveals the holes before it
            addr = self._template(spec)
            if n > 0 and addr is not None:
                mac, ip, hop = addr
                frame = Frame(
                    eth_src=mac, eth_dst=hop, ip_src=ip, ip_dst=spec.dst_ip, proto=PROTO_TCP,
                    sport=spec.src_port, dport=spec.dst_port, tcp_flags=0x10,
                    size_bytes=size, count=n, flow_id=spec.name, seq=stats.sent,
                )  # fmt: skip
                state.in_flight[stats.sent] = (n, now)
                stats.sent_at.setdefault(stats.sent, now)
                stats.sent += n
                self.engine.send_from(spec.source, frame)
            yield env.timeout(TCP_TICK_US)

    def _line_segments(self, spec: TcpFlow, size: int) -> int:
        """Segments the source's NIC can put on the wire in one tick (its line rate)."""
        engine = self.engine
        placed = engine.scenario.placed(spec.source)
        rate = engine.scenario.fabric.links.default.rate_kbps
        if placed is not None:
            node = engine.chassis[placed.chassis]
            at = next((nic.attachment for nic in node.spec.nics), None)
            if at is not None:
                rate = engine.scenario.fabric.links.at(at).rate_kbps
        if not rate:
            return TCP_MAX_CWND
        return max(1, rate * TCP_TICK_US // 1000 // (size * 8))  # kbit/s x ms = bits

    def _tcp_timeouts(self, state: TcpState, now: int) -> None:
        for seq, (_n, sent) in list(state.in_flight.items()):
            if now - sent >= TCP_RTO_US:
                del state.in_flight[seq]
                state.timeouts += 1
                state.cwnd, state.acked_run = 1, 0
                state.recover = seq + _n

    def _tcp_ack(self, stats: FlowStats, frame: Frame) -> None:
        """An ACK of the train starting at `frame.icmp_seq` (a spare field of a TCP frame,
        carried but never matched), cumulative acknowledgement `frame.seq`."""
        state = stats.tcp
        start = frame.icmp_seq  # the train's first segment (carried in a spare field)
        if state is None or start not in state.in_flight:
            return  # late (after the timeout) or duplicate
        n, _sent = state.in_flight.pop(start)
        delivered = frame.seq - start
        now = int(self.engine.env.now)
        skipped = [  # SACK: a hole before this train, older than the reordering window
            seq for seq, (_n, t) in state.in_flight.items()
            if seq < start and now - t >= TCP_REORDER_US
        ]  # fmt: skip
        for seq in skipped:
            del state.in_flight[seq]
        if delivered < n or skipped:
            if start >= state.recover:
                before = state.cwnd
                state.cwnd = max(1, before // 2)
                state.acked_run = 0
                state.recover = stats.sent
                state.halvings.append((now, before, state.cwnd))
            return
        state.acked_run += n
        if state.acked_run >= state.cwnd:
            state.acked_run -= state.cwnd
            state.cwnd = min(state.cwnd + 1, TCP_MAX_CWND)

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
        if stats.kind == "tcp" and self._is_ack(stats, frame):
            self._tcp_ack(stats, frame)
            return
        if frame.seq == 0 and stats.one_way_us is None:
            stats.one_way_us = now - stats.sent_at.get(0, now)
            stats.path_done = stats.kind != "ping"
        if stats.kind != "ping":
            stats.received += frame.count
            self._bin(stats, now, frame)
        if stats.kind == "tcp":
            self._send_ack(frame, where)

    def _is_ack(self, stats: FlowStats, frame: Frame) -> bool:
        spec = stats.spec
        return (
            isinstance(spec, TcpFlow)
            and frame.dport == spec.src_port
            and frame.ip_dst != spec.dst_ip
        )

    def _send_ack(self, data: Frame, where: str) -> None:
        """The receiver acknowledges a train: cumulative ack = first seq + arrived."""
        ack = replace(
            data, eth_src=data.eth_dst, eth_dst=data.eth_src, ip_src=data.ip_dst,
            ip_dst=data.ip_src, sport=data.dport, dport=data.sport, ttl=64, vlan=None,
            size_bytes=TCP_ACK_BYTES, count=1, seq=data.seq + data.count, icmp_seq=data.seq,
        )  # fmt: skip
        self.engine.send_from(where, ack)

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
                    cwnd=() if s.tcp is None else tuple(s.tcp.samples),
                    cwnd_halvings=() if s.tcp is None else tuple(s.tcp.halvings),
                    tcp_timeouts=0 if s.tcp is None else s.tcp.timeouts,
                )  # fmt: skip
            )
        return tuple(out)
