"""trace_on_chassis(): the `--chassis NAME` entry point (see trace/chassis.py).

Same inputs and tree as trace(), plus a Placement and the chassis the packet enters
on. Flows are compiled once per chassis the packet visits, with is_chassis_resident()
answered for that chassis.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ovntwin.expr.evaluate import MatchCompiler
from ovntwin.expr.symtab import SymbolTable, default_symtab
from ovntwin.southbound.rows import DatapathBinding, LogicalFlow, SouthboundDB
from ovntwin.trace.api import (
    TraceResult,
    _compile,
    _datapath,
    _port_ok,
    parse_ct,
    run_ingress,
    to_json,
)
from ovntwin.trace.chassis import ChassisTracer, check_start
from ovntwin.trace.microflow import build_flow
from ovntwin.trace.placement import Placement
from ovntwin.trace.prefilter import Prefilter
from ovntwin.trace.sbindex import CompiledFlow, SbIndex


@dataclass(frozen=True, slots=True)
class ChassisTrace:
    result: TraceResult
    chassis: dict[str, Any]  # {"start", "hops": [...], "crossings": [...]}

    def to_json(self) -> dict[str, Any]:
        return {**to_json(self.result), "chassis": self.chassis}


def trace_on_chassis(
    sb: SouthboundDB, microflow: str, *, placement: Placement, chassis: str,
    datapath: str | None = None, ct: Sequence[str] = (), friendly_names: bool = True,
    lb_dst: str | None = None, select_id: int | None = None,
) -> ChassisTrace:  # fmt: skip
    """Trace `microflow` entering on `chassis`. Raises TraceError / ExprSyntaxError."""
    symtab = default_symtab()
    sets, groups = sb.address_sets, sb.port_groups

    def make_index(resident: Callable[[str], bool]) -> SbIndex:
        return _index(sb, symtab, friendly_names, sets, groups, resident)

    base = make_index(lambda _p: True)
    dp = _datapath(base, microflow, datapath, symtab, groups)
    flow = build_flow(microflow, symtab, groups, sets, lambda n: _port_ok(base, dp, n))
    check_start(base, placement, chassis, flow.inport)
    tracer = ChassisTracer(
        base, symtab, [parse_ct(c) for c in ct], lb_dst, select_id,
        placement=placement, make_index=make_index,
    )  # fmt: skip
    tracer.enter(chassis)
    result = run_ingress(base, tracer, dp, flow)
    return ChassisTrace(result, tracer.report(chassis))


def _index(
    sb: SouthboundDB, symtab: SymbolTable, friendly: bool, sets: Mapping[str, Sequence[str]],
    groups: Mapping[str, Sequence[str]], resident: Callable[[str], bool],
) -> SbIndex:  # fmt: skip
    """An SbIndex whose flows see is_chassis_resident() through `resident`."""
    holder: list[SbIndex] = []

    def exists(dp: DatapathBinding) -> Callable[[str], bool]:
        return lambda name: _port_ok(holder[0], dp, name)

    compilers = {
        dp.uuid: MatchCompiler(
            symtab,
            address_sets=sets,
            port_groups=groups,
            dp_key=dp.tunnel_key,
            is_chassis_resident=resident,
            port_exists=exists(dp),
        )  # fmt: skip
        for dp in sb.datapaths
    }

    def compile_flow(lf: LogicalFlow, index: SbIndex) -> CompiledFlow | None:
        return _compile(lf, index, symtab, compilers, sets, groups)

    index = SbIndex(sb, friendly, compile_flow, prefilter=Prefilter(symtab)).build()
    holder.append(index)
    return index
