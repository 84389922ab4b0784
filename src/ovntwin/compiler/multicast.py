"""Multicast_Group rows (lib/mcast-group-index.h keys; membership as northd builds it).

Switches: every enabled LSP floods (_MC_flood), all but router-type ones also at L2
(_MC_flood_l2); enabled, non-external LSPs with "unknown" addresses receive unknown
unicast (_MC_unknown); options mcast_flood / mcast_flood_reports and a relaying peer
router add _MC_static / _MC_mrouter_flood. Routers get only _MC_static, from LRPs
with options:mcast_flood=true (routers never flood to _MC_flood).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ovntwin.compiler.context import CompileContext, Datapath, Port
from ovntwin.southbound.rows import MulticastGroup

MC_FLOOD = ("_MC_flood", 32768)
MC_UNKNOWN = ("_MC_unknown", 32769)
MC_MROUTER_FLOOD = ("_MC_mrouter_flood", 32770)
MC_STATIC = ("_MC_static", 32771)
MC_FLOOD_L2 = ("_MC_flood_l2", 32772)


def _flag(options: Mapping[str, str], key: str) -> bool:
    """smap_get_bool(options, key, false)."""
    return options.get(key, "").lower() == "true"


def router_relays(port: Port | None) -> bool:
    """Is `port` an LRP of a router with options:mcast_relay=true?"""
    return (
        port is not None
        and port.lrp is not None
        and port.datapath.lr is not None
        and _flag(port.datapath.lr.options, "mcast_relay")
    )


@dataclass(frozen=True, slots=True)
class SwitchMcast:
    """A switch's IP multicast settings (NB other_config mcast_* and port options)."""

    enabled: bool  # mcast_snoop
    flood_unregistered: bool
    flood_relay: bool  # some peer router relays multicast
    flood_static: bool  # some enabled port has options:mcast_flood=true

    @classmethod
    def of(cls, dp: Datapath) -> SwitchMcast:
        assert dp.ls is not None
        cfg = dp.ls.other_config
        enabled_lsps = [p for p in dp.ports if p.lsp is not None and p.enabled]
        return cls(
            enabled=_flag(cfg, "mcast_snoop"),
            flood_unregistered=_flag(cfg, "mcast_flood_unregistered"),
            flood_relay=any(router_relays(p.peer) for p in dp.router_ports),
            flood_static=any(_flag(p.lsp.options, "mcast_flood") for p in enabled_lsps if p.lsp),
        )


def _switch_groups(dp: Datapath) -> list[MulticastGroup]:
    enabled = [p for p in dp.ports if p.lsp is not None and p.enabled]
    relay = SwitchMcast.of(dp).flood_relay
    members = {
        MC_FLOOD: [p.name for p in enabled],
        MC_FLOOD_L2: [p.name for p in enabled if p.lsp_type != "router"],
        MC_UNKNOWN: [p.name for p in enabled if p.has_unknown and p.lsp_type != "external"],
        MC_MROUTER_FLOOD: [
            p.name
            for p in enabled
            if (relay and router_relays(p.peer))
            or (p.lsp is not None and _flag(p.lsp.options, "mcast_flood_reports"))
        ],
        MC_STATIC: [p.name for p in enabled if p.lsp and _flag(p.lsp.options, "mcast_flood")],
    }
    return [
        MulticastGroup(datapath=dp.uuid, name=name, tunnel_key=key, ports=tuple(ports))
        for (name, key), ports in members.items()
        if ports
    ]


def _router_groups(dp: Datapath) -> list[MulticastGroup]:
    flooding = [p for p in dp.ports if p.lrp is not None and p.enabled]
    ports = tuple(p.name for p in flooding if p.lrp and _flag(p.lrp.options, "mcast_flood"))
    name, key = MC_STATIC
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
