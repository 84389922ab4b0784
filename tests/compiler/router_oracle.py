"""Real OVN 23.03 as the judge of the router pipelines (oracle tests only).

`router_diff(oracle, commands, "R1")` resets the session's shared `OvnOracle`, builds a
topology with `ovn-nbctl` command strings (each shlex-split), dumps `ovn-sbctl
lflow-list R1`, loads the same NB database into ovntwin, compiles it and returns a
unified diff of the two listings ("" when identical). The datapath UUID in `Datapath:`
header lines is masked on both sides.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from oracle.harness import OvnOracle
from ovntwin.compiler.compile import compile_nb
from ovntwin.southbound.lflow_list import format_lflow_list, select_datapaths

_DP_UUID = re.compile(r"^(Datapath: .*) \([0-9a-f-]{36}\)(  Pipeline: \w+)$", re.M)


def mask(listing: str) -> str:
    return _DP_UUID.sub(r"\1 (UUID)\2", listing)


def ours(oracle: OvnOracle, datapath: str) -> str:
    """ovntwin's lflow-list of `datapath` compiled from the live NB alone."""
    sb = compile_nb(oracle.load_nb(sb=False))
    return format_lflow_list(sb, select_datapaths(sb, datapath))


def real_listing(oracle: OvnOracle, commands: Sequence[str], router: str) -> str:
    """Only real OVN's listing (for exploring a shape); leaves `commands` applied."""
    oracle.reset()
    oracle.run(commands)
    return mask(oracle.lflow_list(router))


def router_diff(oracle: OvnOracle, commands: Sequence[str], router: str) -> str:
    """Unified diff between real OVN's and ovntwin's lflow-list of `router`."""
    real = real_listing(oracle, commands, router)
    mine = mask(ours(oracle, router))
    lines = difflib.unified_diff(
        real.splitlines(keepends=True), mine.splitlines(keepends=True), "ovn", "ovntwin"
    )
    return "".join(lines)
