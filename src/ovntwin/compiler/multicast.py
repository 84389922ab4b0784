"""Multicast_Group rows (lib/mcast-group-index.h keys; membership as northd builds it)."""

from __future__ import annotations

from ovntwin.compiler.context import CompileContext, Datapath
from ovntwin.southbound.rows import MulticastGroup

MC_FLOOD = ("_MC_flood", 32768)
MC_UNKNOWN = ("_MC_unknown", 32769)
MC_MROUTER_FLOOD = ("_MC_mrouter_flood", 32770)
MC_STATIC = ("_MC_static", 32771)
MC_FLOOD_L2 = ("_MC_flood_l2", 32772)


def _switch_groups(dp: Datapath) -> list[MulticastGroup]:
    enabled = [p for p in dp.ports if p.enabled]
    members = {
        MC_FLOOD: [p.name for p in enabled],
        MC_FLOOD_L2: [p.name for p in enabled if p.lsp_type != "router"],
        MC_UNKNOWN: [p.name for p in enabled if p.has_unknown],
    }
    return [
        MulticastGroup(datapath=dp.uuid, name=name, tunnel_key=key, ports=tuple(ports))
        for (name, key), ports in members.items()
        if ports
    ]


def _router_groups(dp: Datapath) -> list[MulticastGroup]:
    ports = tuple(p.name for p in dp.ports if p.enabled)
    name, key = MC_FLOOD
    if not ports:
        return []
    return [MulticastGroup(datapath=dp.uuid, name=name, tunnel_key=key, ports=ports)]


def build_multicast_groups(ctx: CompileContext) -> tuple[MulticastGroup, ...]:
    groups: list[MulticastGroup] = []
    for dp in ctx.switches:
        groups.extend(_switch_groups(dp))
    for dp in ctx.routers:
        groups.extend(_router_groups(dp))
    return tuple(groups)
