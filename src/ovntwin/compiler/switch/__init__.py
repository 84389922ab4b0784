"""Logical switch pipelines: one module per pipeline area, `build_switch_flows` runs them all."""

from __future__ import annotations

from ovntwin.compiler.context import CompileContext, Datapath
from ovntwin.compiler.lflow import LflowTable


def build_switch_flows(ctx: CompileContext, dp: Datapath, lflows: LflowTable) -> None:
    """Add every ls_in_* / ls_out_* flow of switch `dp`."""
    # TODO(#2): filled in by the switch pipeline modules.
