"""Indexes over a SouthboundDB for the tracer: ports, groups, flows per table.

Flows are parsed lazily, once each, the first time their table is consulted, so a
trace only pays for the tables the packet visits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ovntwin.expr.flow import Flow
from ovntwin.southbound.rows import DatapathBinding, LogicalFlow, PortBinding, SouthboundDB
from ovntwin.trace.actions import ParsedActions
from ovntwin.trace.idlorder import idl_rank
from ovntwin.trace.names import datapath_name, friendlier, port_name
from ovntwin.trace.prefilter import Prefilter

Matcher = Callable[[Flow], bool]


@dataclass(frozen=True, slots=True)
class Port:
    pb: PortBinding
    dp: DatapathBinding
    friendly: str
    peer: str | None = None  # logical_port of the patch / l3gateway peer

    @property
    def name(self) -> str:
        return self.pb.logical_port

    @property
    def type(self) -> str:
        return self.pb.type


@dataclass(slots=True)
class CompiledFlow:
    lflow: LogicalFlow
    actions: ParsedActions
    matcher: Matcher
    always: bool  # the match is the constant true
    match_text: str  # with friendly names


@dataclass(slots=True)
class SbIndex:
    sb: SouthboundDB
    friendly: bool
    compile_flow: Callable[[LogicalFlow, SbIndex], CompiledFlow | None]
    datapaths: dict[str, DatapathBinding] = field(default_factory=dict)
    dp_names: dict[str, str] = field(default_factory=dict)
    ports: dict[str, Port] = field(default_factory=dict)
    groups: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    l3gateway_dps: set[str] = field(default_factory=set)
    name_map: dict[str, str] = field(default_factory=dict)
    _raw: dict[tuple[str, str, int], list[LogicalFlow]] = field(default_factory=dict)
    _loaded: set[str] = field(default_factory=set)  # datapaths whose lazy flows are indexed
    prefilter: Prefilter | None = None
    _by_flow: dict[str, CompiledFlow | None] = field(default_factory=dict)
    _rank: dict[str, int] | None = None  # IDL row order, computed at the first tie

    def build(self) -> SbIndex:
        for dp in self.sb.datapaths:
            self.datapaths[dp.uuid] = dp
            self.dp_names[dp.uuid] = datapath_name(dp, self.friendly)
        peers: dict[str, str] = {}
        for pb in self.sb.port_bindings:
            if pb.type in ("patch", "l3gateway") and pb.options.get("peer"):
                peers[pb.logical_port] = pb.options["peer"]
            if pb.type == "l3gateway":
                self.l3gateway_dps.add(pb.datapath)
        for pb in self.sb.port_bindings:
            owner = self.datapaths.get(pb.datapath)
            if owner is None or pb.logical_port in self.ports:
                continue
            peer = peers.get(pb.logical_port)
            self.ports[pb.logical_port] = Port(pb, owner, port_name(pb, self.friendly), peer)
        for mg in self.sb.multicast_groups:
            members = [
                p for p in mg.ports if p in self.ports and self.ports[p].dp.uuid == mg.datapath
            ]
            self.groups[(mg.datapath, mg.name)] = tuple(sorted(members))
        if self.friendly:
            self.name_map = {n: p.friendly for n, p in self.ports.items() if p.friendly != n}
        self._index_flows(self.sb.logical_flows)
        return self

    def _index_flows(self, lflows: Iterable[LogicalFlow]) -> None:
        raw: dict[tuple[str, str, int], list[LogicalFlow]] = defaultdict(list)
        for lf in lflows:
            raw[(lf.datapath, lf.pipeline, lf.table_id)].append(lf)
        for key, flows in raw.items():
            flows.sort(key=lambda f: -f.priority)
            if len({f.priority for f in flows}) < len(flows):
                flows.sort(key=lambda f: (-f.priority, self._idl_rank(f.uuid)))
            self._raw[key] = flows

    def _idl_rank(self, uuid: str) -> int:
        """Where ovn-trace's IDL walks this flow row (its order among equal priorities)."""
        if self._rank is None:
            self._rank = idl_rank(lf.uuid for lf in self.sb.logical_flows)
        rank = self._rank.get(uuid)
        if rank is not None:
            return rank
        # Lazily compiled flows: no table-wide row count, so order by the uuid's hash.
        return len(self._rank) + (int(uuid[:8], 16) if _hexy(uuid) else 0)

    def _table(self, dp: DatapathBinding, pipeline: str, table: int) -> list[LogicalFlow]:
        """One table's flows by priority; a lazily compiled datapath is built on first use."""
        if self.sb.lazy_flows is not None and dp.uuid not in self._loaded:
            self._loaded.add(dp.uuid)
            self._index_flows(self.sb.lazy_flows(dp.uuid))
        return self._raw.get((dp.uuid, pipeline, table), [])

    def friendly_text(self, text: str) -> str:
        return friendlier(text, self.name_map)

    def port_in(self, dp: DatapathBinding, name: str) -> Port | None:
        port = self.ports.get(name)
        return port if port is not None and port.dp.uuid == dp.uuid else None

    def group(self, dp: DatapathBinding, name: str) -> tuple[str, ...] | None:
        return self.groups.get((dp.uuid, name))

    def stage_name(self, dp: DatapathBinding, pipeline: str, table: int) -> str:
        flows = self._table(dp, pipeline, table)
        return flows[0].stage_name if flows else ""

    def lookup(
        self, dp: DatapathBinding, pipeline: str, table: int, flow: Flow
    ) -> CompiledFlow | None:
        """The highest-priority flow matching `flow`; flows are parsed only when reached."""
        for lf in self._table(dp, pipeline, table):
            # Flows ovn-trace cannot parse (e.g. unknown address sets) never match.
            if self.prefilter is not None and not self.prefilter.passes(lf.match, flow):
                continue
            cf = self._compiled_flow(lf)
            if cf is not None and cf.matcher(flow):
                return cf
        return None

    def _compiled_flow(self, lf: LogicalFlow) -> CompiledFlow | None:
        if lf.uuid + lf.datapath not in self._by_flow:
            self._by_flow[lf.uuid + lf.datapath] = self.compile_flow(lf, self)
        return self._by_flow[lf.uuid + lf.datapath]


def _hexy(uuid: str) -> bool:
    return len(uuid) >= 8 and all(c in "0123456789abcdef" for c in uuid[:8])
