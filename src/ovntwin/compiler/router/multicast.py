"""Router multicast: options:mcast_relay and router ports with options:mcast_flood.

IGMP/MLD group state (SB IGMP_Group) is runtime data ovntwin does not model yet, so
a relaying router has no per-group flows here: TODO(#2) once runtime carries groups.

| stage    | prio  | flow                                                 | why
|----------|-------|------------------------------------------------------|------------------------
| ip_input | 120   | IGMP / MLD with TTL 1: next (flood ports only)       | reports reach routing
| routing  | 10550 | IGMP / MLD from our own MACs: drop (relay + flood)   | no flooding loops
| routing  | 10460 | IGMP / MLD: clone to _MC_static (relay + flood)      | flood reports as is
| routing  | 10450 | other multicast: clone to _MC_static, or drop        | unregistered groups
"""

from __future__ import annotations

from ovntwin.compiler.router.common import RouterFlows, router_ports, smap_bool
from ovntwin.compiler.stages import Stage

ROUTING = Stage.LR_IN_IP_ROUTING
_TO_STATIC = 'clone { outport = "_MC_static"; next; };'
_TO_STATIC_TTL = 'clone { outport = "_MC_static"; ip.ttl--; next; };'


def flood_static(rf: RouterFlows) -> bool:
    """Some enabled router port floods multicast (options:mcast_flood=true)."""
    return any(
        port.enabled
        and port.lrp is not None
        and smap_bool(port.lrp.options.get("mcast_flood"), False)
        for port, _ in router_ports(rf.dp)
    )


def build_multicast(rf: RouterFlows) -> None:
    static = flood_static(rf)
    if static:
        rf.add(Stage.LR_IN_IP_INPUT, 120, "igmp && ip.ttl == 1", "next;")
        rf.add(Stage.LR_IN_IP_INPUT, 120, "(mldv1 || mldv2) && ip.ttl == 1", "next;")
    if not rf.option_bool("mcast_relay", False):
        return
    if not static:
        rf.add(ROUTING, 10450, "ip4.mcast || ip6.mcast", rf.drop)
        return
    for _, nets in router_ports(rf.dp):
        rf.add(ROUTING, 10550, f"eth.src == {nets.ea_s} && igmp", rf.drop)
        rf.add(ROUTING, 10550, f"eth.src == {nets.ea_s} && (mldv1 || mldv2)", rf.drop)
    rf.add(ROUTING, 10460, "igmp", _TO_STATIC)
    rf.add(ROUTING, 10460, "mldv1 || mldv2", _TO_STATIC)
    rf.add(ROUTING, 10450, "ip4.mcast || ip6.mcast", _TO_STATIC_TTL)
