"""ovn-trace compatible tracer.

    result = trace(sb, 'inport == "vm1" && eth.src == ... && ip.ttl == 64', ct=["new"])
    print(render(result, "all"), end="")
    to_json(result)  # the same tree plus the disposition of every path

`trace()` raises TraceError for an unknown datapath or inport and ExprSyntaxError for
a bad microflow; ovn-trace prints those on stdout as `unknown port "x"` and
`error parsing flow: ...`.  Flows are parsed only when a lookup reaches them; to
compile only the datapaths a trace enters, pass `compile_lazy(nb)` (compiler.compile)
and `with_nb_sets(sb, nb)` to add the address sets / port groups matches refer to.
`trace_text()` returns ovn-trace's exact stdout, error messages included.
"""

from __future__ import annotations

from ovntwin.trace.api import TraceResult, parse_ct, render, to_json, trace, trace_text
from ovntwin.trace.nbsets import nb_sets, with_nb_sets
from ovntwin.trace.outcome import Outcome
from ovntwin.trace.tree import Node, NodeKind

__all__ = [
    "Node",
    "NodeKind",
    "Outcome",
    "TraceResult",
    "parse_ct",
    "render",
    "to_json",
    "trace",
    "trace_text",
    "nb_sets",
    "with_nb_sets",
]
