"""ovntwin's side of the differential tests: one adapter per output, in-process.

The tests call only these functions, so an API change in the compiler or tracer is
absorbed here. Imports are local: a compiler or tracer under construction must fail
its tests, not the collection of the whole suite.
"""

from __future__ import annotations

from collections.abc import Sequence

from ovntwin.model.db import NorthboundDB
from ovntwin.southbound.lflow_list import format_lflow_list, select_datapaths
from ovntwin.southbound.rows import SouthboundDB

MODES = ("detailed", "summary", "minimal")


def ours_compile(nb: NorthboundDB) -> SouthboundDB:
    """compile_nb for every datapath, plus the address sets / port groups traces read."""
    from ovntwin.compiler.compile import compile_nb
    from ovntwin.trace import with_nb_sets

    return with_nb_sets(compile_nb(nb), nb)


def ours_lflow_list(sb: SouthboundDB, datapath: str | None = None) -> str:
    return format_lflow_list(sb, select_datapaths(sb, datapath))


def ours_trace_modes(
    sb: SouthboundDB,
    datapath: str | None,
    microflow: str,
    ct: Sequence[str] = (),
    friendly_names: bool = True,
    select_id: int | None = None,
) -> dict[str, str]:
    """What `ovn-trace --MODE [--ct=C]... [--no-friendly-names] [DATAPATH] MICROFLOW` prints,
    for each of the three modes (one trace, three renderings)."""
    from ovntwin.errors import ExprSyntaxError, TraceError
    from ovntwin.trace import render, trace

    try:
        result = trace(sb, microflow, datapath=datapath, ct=tuple(ct),
                       friendly_names=friendly_names, select_id=select_id)  # fmt: skip
    except TraceError as exc:  # ovn-trace prints these on stdout, exit status 0
        return dict.fromkeys(MODES, f"{exc}\n")
    except ExprSyntaxError as exc:
        return dict.fromkeys(MODES, f"error parsing flow: {exc.message}\n")
    return {mode: render(result, mode) for mode in MODES}


def ours_trace(
    sb: SouthboundDB,
    datapath: str | None,
    microflow: str,
    mode: str,
    ct: Sequence[str] = (),
    friendly_names: bool = True,
    select_id: int | None = None,
) -> str:
    """One mode of `ours_trace_modes`."""
    return ours_trace_modes(sb, datapath, microflow, ct, friendly_names, select_id)[mode]
