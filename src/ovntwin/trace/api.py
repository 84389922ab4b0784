"""trace(): run a microflow through a SouthboundDB; render() / to_json() its result."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ovntwin.errors import ExprSyntaxError, TraceError
from ovntwin.expr.ast import Bool
from ovntwin.expr.evaluate import MatchCompiler
from ovntwin.expr.flow import Flow
from ovntwin.expr.symtab import SymbolTable, default_symtab
from ovntwin.southbound.rows import DatapathBinding, LogicalFlow, SouthboundDB
from ovntwin.trace.actions import parse_actions
from ovntwin.trace.flowfmt import ct_flags, flow_format
from ovntwin.trace.interp import Tracer
from ovntwin.trace.microflow import build_flow, find_inport
from ovntwin.trace.outcome import Outcome
from ovntwin.trace.prefilter import Prefilter
from ovntwin.trace.render import render_tree
from ovntwin.trace.sbindex import CompiledFlow, SbIndex
from ovntwin.trace.tree import Node, NodeKind

_CT_BITS = {"new": 0x01, "est": 0x02, "rel": 0x04, "rpl": 0x08, "inv": 0x10,
            "trk": 0x20, "snat": 0x40, "dnat": 0x80}  # fmt: skip


@dataclass(frozen=True, slots=True)
class TraceResult:
    header: str  # the microflow in OVS flow syntax (without "# ")
    root: Node
    outcomes: tuple[Outcome, ...]


def parse_ct(flags: str) -> int:
    """One --ct value ("new", "est,rpl", "+trk+est"...) as ct_state bits; trk always set."""
    state = 0x20
    for word in flags.replace("|", ",").replace("+", ",").replace(" ", ",").split(","):
        if not word:
            continue
        if word not in _CT_BITS:
            raise TraceError(f"{flags}: unknown connection tracking state flag {word!r}")
        state |= _CT_BITS[word]
    return state


def trace(
    sb: SouthboundDB, microflow: str, *, datapath: str | None = None, ct: Sequence[str] = (),
    friendly_names: bool = True, lb_dst: str | None = None, select_id: int | None = None,
    address_sets: Mapping[str, Sequence[str]] | None = None,
    port_groups: Mapping[str, Sequence[str]] | None = None,
) -> TraceResult:  # fmt: skip
    """Trace `microflow` like `ovn-trace [DATAPATH] MICROFLOW`.

    Raises TraceError for an unknown datapath/port, ExprSyntaxError for a bad microflow.
    `address_sets` / `port_groups` default to the SouthboundDB's own (if it has them).
    """
    symtab = default_symtab()
    sets = address_sets if address_sets is not None else sb.address_sets
    groups = port_groups if port_groups is not None else sb.port_groups
    compilers: dict[str, MatchCompiler] = {}

    def compile_flow(lf: LogicalFlow, index: SbIndex) -> CompiledFlow | None:
        return _compile(lf, index, symtab, compilers, sets, groups)

    index = SbIndex(sb, friendly_names, compile_flow, prefilter=Prefilter(symtab)).build()
    dp = _datapath(index, microflow, datapath, symtab, groups)
    flow = build_flow(microflow, symtab, groups, sets, lambda n: _port_ok(index, dp, n))
    tracer = Tracer(index, symtab, [parse_ct(c) for c in ct], lb_dst, select_id)
    return run_ingress(index, tracer, dp, flow)


def run_ingress(index: SbIndex, tracer: Tracer, dp: DatapathBinding, flow: Flow) -> TraceResult:
    """Run `flow` through `dp`'s ingress pipeline from table 0, under ovn-trace's header."""
    inport = index.port_in(dp, flow.inport)
    # The header shows every register the microflow sets, as ovn-trace's flow_format does.
    regs = {n: flow.reg32(n) for n in range(11)}
    regs[14] = inport.pb.tunnel_key if inport else 0
    regs[15] = tracer.port_key(flow.outport) if flow.outport else 0
    header = flow_format(flow, regs)
    in_label = inport.friendly if inport else "(unnamed)"
    root = Node(NodeKind.PIPELINE, f'ingress(dp="{index.dp_names[dp.uuid]}", inport="{in_label}")')
    tracer.table(dp, flow, 0, "ingress", root)
    return TraceResult(header, root, tuple(tracer.outcomes))


def trace_text(
    sb: SouthboundDB, microflow: str, mode: str = "detailed", *, datapath: str | None = None,
    ct: Sequence[str] = (), friendly_names: bool = True,
) -> str:  # fmt: skip
    """Exactly what ovn-trace prints on stdout, errors included (its exit status is 0)."""
    try:
        result = trace(sb, microflow, datapath=datapath, ct=ct, friendly_names=friendly_names)
    except TraceError as exc:
        return f"{exc}\n"
    except ExprSyntaxError as exc:
        return f"error parsing flow: {exc.message}\n"
    return render(result, mode)


def render(result: TraceResult, mode: str = "detailed") -> str:
    """ovn-trace's stdout for --detailed / --summary / --minimal / --all."""
    return render_tree(result.header, [result.root], mode)


def to_json(result: TraceResult) -> dict[str, Any]:
    return {
        "flow": result.header,
        "tree": result.root.to_json(),
        "disposition": [o.to_json() for o in result.outcomes],
    }


def _compile(
    lf: LogicalFlow, index: SbIndex, symtab: SymbolTable, compilers: dict[str, MatchCompiler],
    sets: Mapping[str, Sequence[str]], groups: Mapping[str, Sequence[str]],
) -> CompiledFlow | None:  # fmt: skip
    dp = index.datapaths[lf.datapath]
    mc = compilers.get(dp.uuid)
    if mc is None:
        mc = compilers[dp.uuid] = MatchCompiler(
            symtab, address_sets=sets, port_groups=groups, dp_key=dp.tunnel_key,
            is_chassis_resident=lambda name: _resident(index, name),
            port_exists=lambda name: _port_ok(index, dp, name),
        )  # fmt: skip
    try:
        actions = parse_actions(lf.actions, lf.pipeline, lf.table_id, _widths(symtab))
        prereqs = list(actions.prereqs)
        for name in actions.fields:
            sym = symtab.lookup(name)
            if sym is not None and sym.prereqs:
                prereqs.append(sym.prereqs)
        text = lf.match if not prereqs else f"({lf.match})" + "".join(f" && ({p})" for p in prereqs)
        matcher = mc.compile(text)
        always = isinstance(mc.annotated(text), Bool) and mc.annotated(text) == Bool(True)
    except ExprSyntaxError:
        return None  # ovn-trace warns and ignores flows it cannot parse
    return CompiledFlow(lf, actions, matcher, always, index.friendly_text(lf.match))


def _widths(symtab: SymbolTable) -> Any:
    def width(name: str) -> int | None:
        sym = symtab.lookup(name)
        return sym.width if sym is not None else None

    return width


def _resident(index: SbIndex, name: str) -> bool:
    """ovn-trace is not chassis specific: every known port (and "") is resident here."""
    return name == "" or name in index.ports


def _port_ok(index: SbIndex, dp: DatapathBinding, name: str) -> bool:
    if name in ("", "none"):
        return True
    port = index.ports.get(name)
    if port is not None:
        return port.dp.uuid == dp.uuid
    return index.group(dp, name) is not None


def _dp_groups(
    groups: Mapping[str, Sequence[str]], dp: DatapathBinding
) -> Mapping[str, Sequence[str]]:
    return groups


def _datapath(
    index: SbIndex, microflow: str, name: str | None, symtab: SymbolTable,
    groups: Mapping[str, Sequence[str]],
) -> DatapathBinding:  # fmt: skip
    if name is not None:
        for dp in index.datapaths.values():
            if name in (dp.name, dp.uuid, dp.nb_uuid, dp.external_ids.get("name2")):
                return dp
        raise TraceError(f'unknown datapath "{name}"')
    port = find_inport(microflow, symtab, groups)
    if port not in index.ports:
        raise TraceError(f'unknown port "{port}"')
    return index.ports[port].dp


__all__ = ["TraceResult", "ct_flags", "parse_ct", "render", "to_json", "trace", "trace_text"]
