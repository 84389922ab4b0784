"""Logical router pipelines: one module per pipeline area, `build_router_flows` runs them all."""

from __future__ import annotations

from ovntwin.compiler.context import CompileContext, Datapath
from ovntwin.compiler.lflow import LflowTable


def build_router_flows(ctx: CompileContext, dp: Datapath, lflows: LflowTable) -> None:
    """Add every lr_in_* / lr_out_* flow of router `dp`."""
    # TODO(#2): filled in by the router pipeline modules.
