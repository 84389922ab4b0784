"""compile_nb(): the northbound in, the southbound (with logical flows) out."""

from __future__ import annotations

from collections.abc import Collection

from ovntwin.compiler.context import CompileContext
from ovntwin.compiler.datapaths import build_context
from ovntwin.compiler.lflow import LflowTable
from ovntwin.compiler.multicast import build_multicast_groups
from ovntwin.compiler.router import build_router_flows
from ovntwin.compiler.switch import build_switch_flows
from ovntwin.model.db import NorthboundDB
from ovntwin.southbound.rows import SouthboundDB


def compile_context(ctx: CompileContext, only: Collection[str] | None = None) -> SouthboundDB:
    """Build flows for every datapath, or only those whose name/uuid is in `only`."""
    lflows = LflowTable()
    for dp in ctx.switches:
        if only is None or dp.name in only or dp.uuid in only:
            build_switch_flows(ctx, dp, lflows)
    for dp in ctx.routers:
        if only is None or dp.name in only or dp.uuid in only:
            build_router_flows(ctx, dp, lflows)
    return SouthboundDB(
        datapaths=tuple(dp.sb for dp in ctx.datapaths),
        port_bindings=tuple(p.sb for dp in ctx.datapaths for p in dp.ports),
        multicast_groups=build_multicast_groups(ctx),
        logical_flows=lflows.flows(),
        runtime=ctx.nb.runtime,
    )


def compile_nb(nb: NorthboundDB, only: Collection[str] | None = None) -> SouthboundDB:
    return compile_context(build_context(nb), only)
