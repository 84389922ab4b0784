"""What a simulation run reports, as frozen values and as JSON.

`Results.to_json()` is the stable result format of `ovntwin simulate --json`:

    {"scenario", "variant", "seed", "until_us",
     "tor": {"mac_moves": [{time_us, switch, vlan, mac, from_port, to_port}],
             "detections": [{time_us, switch, vlan, mac, moves, action, port, until_us}],
             "cam": {switch: [{vlan, mac, port, last_seen_us}]},          # at the end
             "cam_first_journey": {switch: [...]}},                      # see below
     "ha": {"events": [{time_us, kind: bfd|takeover|garp|failure|qos, ...}],
            "summary": {...}},                                        # failover figures
     "flows": [{name, kind, source, dst_ip, sent, received, lost, loss_pct,
                rtt_us: {min, avg, max, p50}, throughput: [[time_us, bps]],
                path: [...], one_way_latency_us, extra_hop_latency_us,
                cwnd, cwnd_halvings, tcp_timeouts (tcp only)}],
     "wall_time_s"}

`cam_first_journey` is each ToR's table right after the first ping of the first flow
got its reply (the seed's "CAM entries after the first journey").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ovntwin.fabric.tor import CamEntry, Detection, MacMove

THROUGHPUT_BIN_US = 1_000_000  # throughput timeline bins: 1 s (ping/UDP/TCP alike)


@dataclass(frozen=True, slots=True, kw_only=True)
class HaEvent:
    """A BFD state change, a gateway takeover, a GARP sent, an injected failure, a QoS change.

    kind "bfd": `chassis` saw its session to `peer` go `old` -> `new` (diag).
    kind "takeover": `chassis` became the active gateway of `port` (was `peer`).
    kind "garp": `chassis` announced `mac`/`ip` for `port`.
    kind "failure" / "qos": the scenario's event, `detail` says which.
    """

    time_us: int
    kind: str
    chassis: str | None = None
    peer: str | None = None
    old: str | None = None
    new: str | None = None
    diag: str | None = None
    port: str | None = None
    mac: str | None = None
    ip: str | None = None
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"time_us": self.time_us, "kind": self.kind}
        for key in ("chassis", "peer", "old", "new", "diag", "port", "mac", "ip", "detail"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class RttStats:
    min_us: int
    avg_us: int
    max_us: int
    p50_us: int

    @staticmethod
    def of(samples: list[int]) -> RttStats | None:
        if not samples:
            return None
        ordered = sorted(samples)
        avg = sum(ordered) // len(ordered)
        return RttStats(
            min_us=ordered[0], avg_us=avg, max_us=ordered[-1], p50_us=ordered[len(ordered) // 2]
        )

    def to_json(self) -> dict[str, int]:
        return {"min": self.min_us, "avg": self.avg_us, "max": self.max_us, "p50": self.p50_us}


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowResult:
    """One traffic flow. Ping: sent/received count echo requests/replies; UDP/TCP: packets
    sent by the source / arrived at the destination. `throughput` is received bits per
    second per bin ([bin start µs, bps])."""

    name: str
    kind: str  # ping | udp | tcp
    source: str
    dst_ip: str
    sent: int
    received: int
    rtts_us: tuple[int | None, ...] = ()  # ping: per request, None when lost
    throughput: tuple[tuple[int, int], ...] = ()
    path: tuple[str, ...] = ()  # hops of the first packet (and reply): "chassis:stage" labels
    one_way_latency_us: int | None = None  # first packet, source to destination
    extra_hop_latency_us: int | None = None  # vs. the direct compute-to-compute path
    drops: tuple[tuple[str, int], ...] = ()  # reason -> packets dropped
    interval_us: int | None = None  # ping: the request interval (outage = lost run x it)
    cwnd: tuple[tuple[int, int], ...] = ()  # tcp: [time_us, cwnd segments] every 100 ms
    cwnd_halvings: tuple[tuple[int, int, int], ...] = ()  # tcp: [time_us, before, after]
    tcp_timeouts: int = 0  # tcp: retransmission timeouts (cwnd back to 1)

    @property
    def lost(self) -> int:
        return self.sent - self.received

    @property
    def rtt(self) -> RttStats | None:
        return RttStats.of([r for r in self.rtts_us if r is not None])

    def to_json(self) -> dict[str, Any]:
        rtt = self.rtt
        return {
            "name": self.name,
            "kind": self.kind,
            "source": self.source,
            "dst_ip": self.dst_ip,
            "sent": self.sent,
            "received": self.received,
            "lost": self.lost,
            "loss_pct": round(100 * self.lost / self.sent, 3) if self.sent else 0.0,
            "rtt_us": None if rtt is None else rtt.to_json(),
            "rtts_us": list(self.rtts_us),
            "throughput": [[t, b] for t, b in self.throughput],
            "path": list(self.path),
            "one_way_latency_us": self.one_way_latency_us,
            "extra_hop_latency_us": self.extra_hop_latency_us,
            "drops": {reason: n for reason, n in self.drops},
            **(
                {
                    "cwnd": [list(c) for c in self.cwnd],
                    "cwnd_halvings": [list(h) for h in self.cwnd_halvings],
                    "tcp_timeouts": self.tcp_timeouts,
                }
                if self.kind == "tcp"
                else {}
            ),
        }


def _cam_json(cams: dict[str, tuple[CamEntry, ...]]) -> dict[str, list[dict[str, Any]]]:
    return {
        switch: [
            {"vlan": e.vlan, "mac": e.mac, "port": e.port, "last_seen_us": e.last_seen_us}
            for e in entries
        ]
        for switch, entries in cams.items()
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class Results:
    scenario: str
    variant: str | None
    seed: int
    until_us: int
    mac_moves: tuple[MacMove, ...] = ()
    detections: tuple[Detection, ...] = ()
    cam: dict[str, tuple[CamEntry, ...]] = field(default_factory=dict)
    cam_first_journey: dict[str, tuple[CamEntry, ...]] = field(default_factory=dict)
    ha_events: tuple[HaEvent, ...] = ()
    flows: tuple[FlowResult, ...] = ()
    wall_time_s: float = 0.0

    def flow(self, name: str) -> FlowResult | None:
        return next((f for f in self.flows if f.name == name), None)

    def events(self, kind: str) -> list[HaEvent]:
        return [e for e in self.ha_events if e.kind == kind]

    def ha_summary(self) -> dict[str, Any]:
        """Failover figures: first failure, first takeover after it, detection time
        (failure -> first BFD Down on the new gateway), GARPs, lost pings, outage."""
        failures = self.events("failure")
        if not failures:
            return {}
        t0 = failures[0].time_us
        takeover = next((e for e in self.events("takeover") if e.time_us >= t0), None)
        downs = [
            e
            for e in self.events("bfd")
            if e.time_us >= t0 and e.new == "down" and e.peer == failures[0].chassis
        ]
        garps = [e for e in self.events("garp") if e.time_us >= t0]
        out: dict[str, Any] = {"failure_us": t0, "failed": failures[0].chassis}
        out["detection_us"] = downs[0].time_us - t0 if downs else None
        out["takeover_us"] = None if takeover is None else takeover.time_us
        out["new_active"] = None if takeover is None else takeover.chassis
        out["garps"] = len(garps)
        out["first_garp_us"] = garps[0].time_us if garps else None
        out["flows"] = {f.name: _outage(f) for f in self.flows if f.kind == "ping"}
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "variant": self.variant,
            "seed": self.seed,
            "until_us": self.until_us,
            "tor": {
                "mac_moves": [asdict(m) for m in self.mac_moves],
                "detections": [asdict(d) for d in self.detections],
                "cam": _cam_json(self.cam),
                "cam_first_journey": _cam_json(self.cam_first_journey),
            },
            "ha": {
                "events": [e.to_json() for e in self.ha_events],
                "summary": self.ha_summary(),
            },
            "flows": [f.to_json() for f in self.flows],
            "wall_time_s": round(self.wall_time_s, 3),
        }


def _outage(flow: FlowResult) -> dict[str, Any]:
    """Lost pings and the longest run of consecutive losses (as a duration estimate)."""
    longest = run = 0
    for rtt in flow.rtts_us:
        run = run + 1 if rtt is None else 0
        longest = max(longest, run)
    outage = None if flow.interval_us is None else longest * flow.interval_us
    return {"lost": flow.lost, "longest_loss_run": longest, "outage_us": outage}
