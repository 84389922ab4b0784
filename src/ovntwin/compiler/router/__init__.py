"""Logical router pipelines: one module per pipeline area, `build_router_flows` runs them all.

Scope: distributed routers, distributed gateway ports (cr- ports, see
compiler/gateways.py), gateway routers and NAT; no load balancers (their stages get
exactly the default flows northd gives them).

    admission    lr_in_admission
    neighbor     lr_in_lookup_neighbor, lr_in_learn_neighbor
    ip_input     lr_in_ip_input (router-wide and IPv4; ip_input_v6 for IPv6)
    nd_ra        lr_in_nd_ra_options, lr_in_nd_ra_response (ipv6_ra_configs)
    routing      lr_in_ip_routing_pre, lr_in_ip_routing, lr_in_ip_routing_ecmp
                 (ecmp_symmetric: symmetric ECMP replies on gateway routers)
    multicast    mcast_relay / mcast_flood flows of lr_in_ip_input and lr_in_ip_routing
    policy       lr_in_policy, lr_in_policy_ecmp
    arp_resolve  lr_in_arp_resolve
    gw_redirect  lr_in_gw_redirect (distributed gateway ports -> cr- ports)
    mtu          lr_in_chk_pkt_len, lr_in_larger_pkts (options:gateway_mtu)
    nat_build    NAT: unsnat/dnat/undnat/snat/egr_loop..., NAT ARP/ND (nat, nat_*)
    delivery     lr_in_arp_request, lr_out_delivery
    defaults     every other stage's default flow
"""

from __future__ import annotations

from ovntwin.compiler.context import CompileContext, Datapath
from ovntwin.compiler.lflow import LflowTable
from ovntwin.compiler.router.admission import build_admission
from ovntwin.compiler.router.arp_resolve import build_arp_resolve
from ovntwin.compiler.router.common import RouterFlows
from ovntwin.compiler.router.defaults import build_defaults
from ovntwin.compiler.router.delivery import build_arp_request, build_delivery
from ovntwin.compiler.router.gw_redirect import build_gw_redirect
from ovntwin.compiler.router.ip_input import build_ip_input
from ovntwin.compiler.router.mtu import build_pkt_len_checks
from ovntwin.compiler.router.multicast import build_multicast
from ovntwin.compiler.router.nat_build import build_nat
from ovntwin.compiler.router.nd_ra import build_nd_ra
from ovntwin.compiler.router.neighbor import build_neighbor
from ovntwin.compiler.router.policy import build_policies
from ovntwin.compiler.router.routing import build_routing


def build_router_flows(ctx: CompileContext, dp: Datapath, lflows: LflowTable) -> None:
    """Add every lr_in_* / lr_out_* flow of router `dp`."""
    rf = RouterFlows(ctx, dp, lflows)
    build_admission(rf)
    build_neighbor(rf)
    build_ip_input(rf)
    build_nd_ra(rf)
    build_routing(rf)
    build_multicast(rf)
    build_policies(rf)
    build_arp_resolve(rf)
    build_gw_redirect(rf)
    build_pkt_len_checks(rf)
    build_arp_request(rf)
    build_delivery(rf)
    build_nat(rf)
    build_defaults(rf)
