"""compile_nb(): the northbound in, the southbound (with logical flows) out."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from ovntwin.compiler.context import CompileContext, Datapath
from ovntwin.compiler.datapaths import build_context
from ovntwin.compiler.lflow import LflowTable
from ovntwin.compiler.multicast import build_multicast_groups
from ovntwin.compiler.router import build_router_flows
from ovntwin.compiler.switch import build_switch_flows
from ovntwin.model.db import NorthboundDB
from ovntwin.southbound.rows import LogicalFlow, SouthboundDB


def _build(ctx: CompileContext, dp: Datapath, lflows: LflowTable) -> None:
    build = build_switch_flows if dp.kind == "switch" else build_router_flows
    build(ctx, dp, lflows)


def compile_context(ctx: CompileContext, only: Collection[str] | None = None) -> SouthboundDB:
    """Build flows for every datapath, or only those whose name/uuid is in `only`."""
    lflows = LflowTable()
    for dp in ctx.datapaths:
        if only is None or dp.name in only or dp.uuid in only:
            _build(ctx, dp, lflows)
    return SouthboundDB(
        datapaths=tuple(dp.sb for dp in ctx.datapaths),
        port_bindings=tuple(p.sb for dp in ctx.datapaths for p in (*dp.ports, *dp.cr_ports)),
        multicast_groups=build_multicast_groups(ctx),
        logical_flows=lflows.flows(),
        runtime=ctx.nb.runtime,
    )


def compile_nb(nb: NorthboundDB, only: Collection[str] | None = None) -> SouthboundDB:
    return compile_context(build_context(nb), only)


def compile_lazy(nb: NorthboundDB) -> SouthboundDB:
    """Bindings and groups now; each datapath's flows only when a reader first asks.

    For one-shot traces, which visit a few datapaths of a possibly huge NB.
    """
    ctx = build_context(nb)
    by_uuid = {dp.uuid: dp for dp in ctx.datapaths}

    def flows_of(dp_uuid: str) -> tuple[LogicalFlow, ...]:
        lflows = LflowTable()
        if dp_uuid in by_uuid:
            _build(ctx, by_uuid[dp_uuid], lflows)
        return lflows.flows()

    return dataclasses.replace(compile_context(ctx, only=()), lazy_flows=flows_of)
