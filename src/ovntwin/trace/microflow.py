"""Microflow → Flow, via helper E's expr.microflow (ovn-trace's expr_parse_microflow).

The only addition here: a string constraint naming a port that does not exist in
the datapath is an error, as ovn-trace's lookup_port makes it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from ovntwin.errors import ExprSyntaxError
from ovntwin.expr.flow import Flow
from ovntwin.expr.microflow import find_inport as _find_inport
from ovntwin.expr.microflow import parse_microflow
from ovntwin.expr.symtab import SymbolTable


def find_inport(text: str, symtab: SymbolTable, port_groups: Mapping[str, Sequence[str]]) -> str:
    """The inport name a microflow pins (ovn-trace's expr_find_inport)."""
    return _find_inport(text, symtab, port_groups=port_groups)


def build_flow(
    text: str, symtab: SymbolTable, port_groups: Mapping[str, Sequence[str]],
    address_sets: Mapping[str, Sequence[str]], port_ok: Callable[[str], bool],
) -> Flow:  # fmt: skip
    flow = parse_microflow(text, symtab, address_sets=address_sets, port_groups=port_groups)
    for name in (flow.inport, flow.outport):
        if name and not port_ok(name):
            raise ExprSyntaxError(f'Unknown logical port "{name}"', text)
    if flow.outport == "none":
        flow.outport = ""
    return flow
