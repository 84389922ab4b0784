"""Run OVN's logical pipelines for a concrete frame on one chassis, up to the wire.

    ex = ChassisExecutor(sb, placement, "hv-a", Conntrack("hv-a"))
    run = ex.from_vif("vm1", frame, now_us)         # a VM sent `frame`
    run = ex.from_localnet("physnet1", 2010, frame, now_us)   # arrived on a VLAN
    run = ex.from_tunnel(meta, frame, now_us)       # arrived through Geneve
    run.outputs  # ToVif / ToLocalnet / ToTunnel: what leaves this chassis' pipelines
    run.meters   # MeterHit per set_meter() on the way: the engine's buckets decide
    run.drop_reason

What ovn-controller's OpenFlow does, and no more: `is_chassis_resident()` answered for
this chassis; conntrack (zones, NAT) of this chassis; a packet for a VIF bound elsewhere
leaves through the datapath's localnet port (VLAN tag, wire source MAC: the chassis MAC
when `ovn-chassis-mac-mappings` has the physnet) or a Geneve tunnel; a `cr-` outport
not resident here is a tunnel to the active gateway, which resumes with the router's
egress pipeline (`from_tunnel`). On arrival from a localnet port, a source MAC that is
another chassis' MAC is mapped back to the router port MAC.

Runs are cached per (entry, port, frame headers) while every conntrack lookup they made
still finds the same thing; the cache is emptied by `invalidate()`, `rebuild()` and
`set_placement()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ovntwin.expr.symtab import default_symtab
from ovntwin.fabric.conntrack import Conntrack
from ovntwin.fabric.exec_tracer import Commit, PhysTracer, RawOut
from ovntwin.fabric.packet import Frame, HeaderKey, mac_int, mac_text
from ovntwin.southbound.rows import DatapathBinding, SouthboundDB
from ovntwin.trace import crossing
from ovntwin.trace.actions import ast as A
from ovntwin.trace.chassis_api import _index
from ovntwin.trace.placement import Placement
from ovntwin.trace.sbindex import Port, SbIndex
from ovntwin.trace.tree import Node, NodeKind


@dataclass(frozen=True, slots=True)
class TunnelMeta:
    """What a Geneve header carries for OVN: datapath key, logical in/out port keys."""

    datapath_key: int
    inport_key: int
    outport_key: int


@dataclass(frozen=True, slots=True)
class ToVif:
    vif: str
    frame: Frame


@dataclass(frozen=True, slots=True)
class ToLocalnet:
    """Out of the physnet bridge; frame.vlan is the tag, frame.eth_src the WIRE source MAC.

    `toward` is the chassis ovn-controller meant (the owner of the VIF / MAC), None when
    the frame is for the physical network at large (the ToR decides in every case).
    """

    physnet: str
    bridge: str
    vlan: int | None
    frame: Frame
    localnet: str = ""
    toward: str | None = None


@dataclass(frozen=True, slots=True)
class ToTunnel:
    dst_chassis: str
    meta: TunnelMeta
    frame: Frame


PhysOut = ToVif | ToLocalnet | ToTunnel
ToPhysical = ToLocalnet  # the contract's name for localnet egress with no particular target


@dataclass(frozen=True, slots=True)
class MeterHit:
    """A set_meter() the frame passed; `key` names one OpenFlow meter (one TokenBucket)."""

    key: str
    rate_kbps: int
    burst_kbits: int | None


@dataclass(frozen=True, slots=True)
class Execution:
    outputs: tuple[PhysOut, ...]
    meters: tuple[MeterHit, ...] = ()
    drop_reason: str | None = None
    cached: bool = False


@dataclass(frozen=True, slots=True)
class _Cached:
    execution: Execution
    lookups: tuple[tuple[str, tuple[int, str, str, int, int], tuple[int, bool, int, int]], ...]
    commits: tuple[Commit, ...]


CacheKey = tuple[str, str, HeaderKey]


class ChassisExecutor:
    """The logical pipelines of one chassis, for concrete frames (see module doc)."""

    def __init__(
        self, sb: SouthboundDB, placement: Placement, chassis: str,
        conntrack: Conntrack | None = None, *, cache: bool = True,
    ) -> None:  # fmt: skip
        self.chassis = chassis
        self.conntrack = conntrack if conntrack is not None else Conntrack(chassis)
        self.use_cache = cache
        self.hits = 0
        self.misses = 0
        self._cache: dict[CacheKey, _Cached] = {}
        self.placement: Placement = placement
        self.rebuild(sb, placement)

    # --- configuration -------------------------------------------------------------------
    def rebuild(self, sb: SouthboundDB, placement: Placement | None = None) -> None:
        """New southbound flows (an NB change was recompiled); keeps conntrack."""
        self.sb = sb
        self.placement = placement if placement is not None else self.placement
        self.symtab = default_symtab()
        here, view = self.chassis, self.placement
        self.index: SbIndex = _index(
            sb, self.symtab, False, sb.address_sets, sb.port_groups,
            lambda p: view.resident(p, here),
        )  # fmt: skip
        self._by_key = {dp.tunnel_key: dp for dp in self.index.datapaths.values()}
        self.invalidate()

    def set_placement(self, placement: Placement) -> None:
        """Bindings / gateway liveness changed (a takeover): is_chassis_resident changes."""
        self.rebuild(self.sb, placement)

    def invalidate(self) -> None:
        self._cache.clear()

    # --- entry points ----------------------------------------------------------------------
    def from_vif(self, vif: str, frame: Frame, now_us: int = 0) -> Execution:
        """`frame` sent by VIF `vif` (bound on this chassis)."""
        port = self.index.ports.get(vif)
        if port is None:
            return Execution((), drop_reason=f"unknown logical port {vif!r}")
        home = self.placement.home(port.pb)
        if home not in (None, "*", self.chassis):
            return Execution((), drop_reason=f"{vif} is bound on {home}, not {self.chassis}")
        return self._cached(("vif", vif, frame.header_key()), frame,
                            lambda t: self._ingress(t, port, frame))  # fmt: skip

    def from_localnet(
        self, physnet: str, vlan: int | None, frame: Frame, now_us: int = 0
    ) -> Execution:
        """`frame` arrived on this chassis' bridge for `physnet` with tag `vlan`.

        `physnet` may also name a localnet port. Every logical switch whose localnet port
        has that physnet and tag sees the frame (usually one).
        """
        view = self.placement.chassis.get(self.chassis)
        ports = self._localnets(physnet, vlan)
        if not ports:
            return Execution((), drop_reason=f"no localnet port for {physnet!r} tag {vlan}")
        net = ports[0].pb.options.get("network_name", "")
        if view is not None and net not in view.bridges:
            return Execution((), drop_reason=f"no ovn-bridge-mappings entry for {net!r}")
        key = ("localnet", ",".join(p.name for p in ports), frame.header_key())
        return self._cached(key, frame, lambda t: self._from_localnets(t, ports, frame))

    def from_tunnel(self, meta: TunnelMeta, frame: Frame, now_us: int = 0) -> Execution:
        """A Geneve packet from another chassis: the egress pipeline resumes here."""
        dp = self._by_key.get(meta.datapath_key)
        if dp is None:
            return Execution((), drop_reason=f"unknown datapath key {meta.datapath_key}")
        key = ("tunnel", f"{meta.datapath_key}/{meta.inport_key}/{meta.outport_key}",
               frame.header_key())  # fmt: skip
        return self._cached(key, frame, lambda t: self._egress_from_tunnel(t, dp, meta, frame))

    # --- runs ------------------------------------------------------------------------------
    def _tracer(self, frame: Frame) -> PhysTracer:
        t = PhysTracer(self.index, self.symtab, [], placement=self.placement,
                       conntrack=self.conntrack, frame=frame)  # fmt: skip
        t._indexes[self.chassis] = self.index
        t.enter(self.chassis)
        return t

    def _ingress(self, t: PhysTracer, port: Port, frame: Frame) -> None:
        flow = frame.to_flow(inport=port.name)
        root = Node(NodeKind.PIPELINE, f'ingress(dp="{port.dp.name}", inport="{port.name}")')
        t.table(port.dp, flow, 0, A.INGRESS, root)

    def _from_localnets(self, t: PhysTracer, ports: list[Port], frame: Frame) -> None:
        for port in ports:
            restored = crossing.restored_src(
                self.index, self.placement, self.chassis, port, mac_int(frame.eth_src)
            )
            entering = frame.tagged(None)
            if restored is not None:
                entering = replace(entering, eth_src=mac_text(restored))
            t.frame = entering
            self._ingress(t, port, entering)

    def _egress_from_tunnel(
        self, t: PhysTracer, dp: DatapathBinding, meta: TunnelMeta, frame: Frame
    ) -> None:
        names = {p.pb.tunnel_key: p for p in self.index.ports.values() if p.dp.uuid == dp.uuid}
        inport, outport = names.get(meta.inport_key), names.get(meta.outport_key)
        if outport is None:
            t.outcome("dropped", dp, reason=f"unknown outport key {meta.outport_key}")
            return
        if outport.type == "chassisredirect":
            # The gateway's physical flows turn cr-X back into X for the egress pipeline.
            outport = self.index.ports.get(outport.pb.options.get("distributed-port", ""))
            if outport is None:
                t.outcome("dropped", dp, reason="chassisredirect without distributed port")
                return
        flow = frame.to_flow(inport=inport.name if inport else "", outport=outport.name)
        title = f'egress(dp="{dp.name}", outport="{outport.name}")'
        t._run_egress(dp, flow, Node(NodeKind.PIPELINE, title), self.chassis)

    def _localnets(self, physnet: str, vlan: int | None) -> list[Port]:
        named = self.index.ports.get(physnet)
        if named is not None and named.type == "localnet":
            return [named]
        found = [
            p for p in self.index.ports.values()
            if p.type == "localnet" and p.pb.options.get("network_name") == physnet
            and (p.pb.tag or None) == vlan
        ]  # fmt: skip
        return sorted(found, key=lambda p: p.name)

    # --- cache -----------------------------------------------------------------------------
    def _cached(self, key: CacheKey, frame: Frame, run: Callable[[PhysTracer], None]) -> Execution:
        if self.use_cache:
            hit = self._cache.get(key)
            if hit is not None and self._still_valid(hit):
                self.hits += 1
                for zone, tup, nat, ip, mark, label in hit.commits:
                    self.conntrack.commit(zone, tup, nat=nat, nat_ip=ip, mark=mark, label=label)  # type: ignore[arg-type]
                return _carry(hit.execution, frame)
        self.misses += 1
        t = self._tracer(frame)
        run(t)
        execution = self._execution(t)
        if self.use_cache:
            self._cache[key] = _Cached(execution, tuple(t.lookups), tuple(t.commits))
        return execution

    def _still_valid(self, hit: _Cached) -> bool:
        ct = self.conntrack
        return all(ct.fingerprint(zone, tup) == fp for zone, tup, fp in hit.lookups)

    def _execution(self, t: PhysTracer) -> Execution:
        outputs = tuple(_phys(raw) for raw in t.raw)
        meters = tuple(
            MeterHit(f"{self.chassis}/{uuid}/{rate}/{burst}", rate, burst)
            for uuid, rate, burst in t.meters
        )
        reason = None
        if not outputs:
            drops = [o.reason or o.kind for o in t.outcomes if o.kind in ("dropped", "stopped")]
            reason = drops[0] if drops else "no output"
        return Execution(outputs, meters, reason)


def _phys(raw: RawOut) -> PhysOut:
    facts = dict(raw.facts)
    if raw.kind == "vif":
        return ToVif(str(facts["vif"]), raw.frame)
    if raw.kind == "tunnel":
        meta = TunnelMeta(int(facts["datapath_key"]), int(facts["inport_key"]),
                          int(facts["outport_key"]))  # fmt: skip
        return ToTunnel(str(facts["chassis"]), meta, raw.frame)
    vlan = facts["vlan"]
    toward = facts["toward"]
    return ToLocalnet(
        str(facts["physnet"]), str(facts["bridge"]), int(vlan) if vlan is not None else None,
        raw.frame, str(facts["localnet"]), str(toward) if toward is not None else None,
    )  # fmt: skip


def _carry(execution: Execution, frame: Frame) -> Execution:
    """A cached run's outputs with this frame's accounting fields (count, seq, tags)."""

    def fix(f: Frame) -> Frame:
        return replace(f, count=frame.count, flow_id=frame.flow_id, seq=frame.seq,
                       payload_tag=frame.payload_tag, icmp_seq=frame.icmp_seq)  # fmt: skip

    outs: list[PhysOut] = []
    for o in execution.outputs:
        outs.append(replace(o, frame=fix(o.frame)))
    return replace(execution, outputs=tuple(outs), cached=True)


__all__ = [
    "ChassisExecutor", "Execution", "MeterHit", "PhysOut", "ToLocalnet", "ToPhysical",
    "ToTunnel", "ToVif", "TunnelMeta",
]  # fmt: skip
