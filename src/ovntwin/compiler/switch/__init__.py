"""Logical switch pipelines: one module per pipeline area, `build_switch_flows` runs them all.

Modules, in pipeline order: port_security (admission, both pipelines' port security),
fdb (MAC learning), acl_pre (pre_acl / pre_lb / pre_stateful), acl_hints, acl (+acl_log),
qos, later_features (LB, hairpin, DHCP, DNS, external-port defaults), stateful,
arp_nd (ARP/ND responder), l2_lookup (destination lookup, unknown). `facts` holds the
options, chassis features and per-switch facts they all read.
"""

from __future__ import annotations

from ovntwin.compiler.context import CompileContext, Datapath
from ovntwin.compiler.lflow import LflowTable
from ovntwin.compiler.switch import (
    acl,
    acl_hints,
    acl_pre,
    arp_nd,
    external_port,
    fdb,
    l2_lookup,
    later_features,
    port_security,
    qos,
    stateful,
)
from ovntwin.compiler.switch.facts import SwitchFacts


def build_switch_flows(ctx: CompileContext, dp: Datapath, lflows: LflowTable) -> None:
    """Add every ls_in_* / ls_out_* flow of switch `dp`."""
    facts = SwitchFacts.of(ctx, dp)
    _datapath_flows(ctx, dp, facts, lflows)
    for port in dp.ports:
        port_security.build_port_admission(port, facts, lflows)
        fdb.build_port_fdb(port, lflows)
        arp_nd.build_port_arp_nd(ctx, port, facts, lflows)
        l2_lookup.build_port_unicast(ctx, port, facts, lflows)
    l2_lookup.build_unknown(dp, facts, lflows)


def _datapath_flows(
    ctx: CompileContext, dp: Datapath, facts: SwitchFacts, lflows: LflowTable
) -> None:
    acl_pre.build_pre_acl(dp, facts, lflows)
    acl_pre.build_pre_lb(dp, facts, lflows)
    acl_pre.build_pre_stateful(dp, facts, lflows)
    acl_hints.build_acl_hints(dp, facts, lflows)
    acl.build_acls(ctx, dp, facts, lflows)
    qos.build_qos(ctx, dp, lflows)
    stateful.build_stateful(dp, facts, lflows)
    later_features.build_pass_defaults(dp, lflows)
    later_features.build_vtep_hairpin(dp, lflows)
    port_security.build_admission(dp, facts, lflows)
    fdb.build_fdb_defaults(dp, lflows)
    external_port.build_external_ports(dp, facts, lflows)
    arp_nd.build_arp_nd_default(dp, lflows)
    l2_lookup.build_bmcast(dp, facts, lflows)
    port_security.build_egress_port_security(dp, facts, lflows)
