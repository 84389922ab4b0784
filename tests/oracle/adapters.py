"""ovntwin's side of the differential tests: one adapter per output, in-process.

The tests call only these functions, so an API change in the compiler or tracer is
absorbed here.
"""

from __future__ import annotations

from collections.abc import Sequence

from ovntwin.model.db import NorthboundDB
from ovntwin.southbound.lflow_list import format_lflow_list, select_datapaths
from ovntwin.southbound.rows import SouthboundDB

MODES = ("detailed", "summary", "minimal")


def ours_compile(nb: NorthboundDB) -> SouthboundDB:
    # Imported here: a compiler under construction must fail its tests, not collection.
    from ovntwin.compiler.compile import compile_nb

    return compile_nb(nb)


def ours_lflow_list(sb: SouthboundDB, datapath: str | None = None) -> str:
    return format_lflow_list(sb, select_datapaths(sb, datapath))


def ours_trace(
    sb: SouthboundDB,
    datapath: str | None,
    microflow: str,
    mode: str,
    ct: Sequence[str] = (),
    friendly_names: bool = True,
) -> str:
    """What `ovn-trace --MODE [--ct=C ...] [--no-friendly-names] [DATAPATH] MICROFLOW` prints."""
    try:
        from ovntwin.trace import trace  # type: ignore[attr-defined]
    except ImportError as exc:
        raise NotImplementedError(f"ovntwin tracer API not available yet: {exc}") from exc
    text: str = trace(
        sb, datapath, microflow, mode=mode, ct=tuple(ct), friendly_names=friendly_names
    )
    return text
