"""QoS policies -> NB QoS rows (one per port and direction), as neutron's OVN QoS extension.

Egress (what the VM sends) is `from-lport` `inport == "<port>"`, ingress is `to-lport`
`outport == "<port>"`; bandwidth in kbps / kilobits as given; DSCP only on egress.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ovntwin.model import rows as r
from ovntwin.neutron.ml2ovn import names as n
from ovntwin.neutron.resources import (
    BandwidthLimitRule,
    DscpMarkingRule,
    FloatingIP,
    MinimumBandwidthRule,
    NeutronState,
    Port,
    QosPolicy,
)

PRIORITY_PORT = 2002  # neutron's OVN_QOS_DEFAULT_RULE_PRIORITY (ports, router gateways)
PRIORITY_FIP = 2003  # neutron's OVN_QOS_FIP_RULE_PRIORITY: above the gateway port's row


@dataclass(frozen=True, slots=True)
class QosRow:
    switch: str  # network id whose Logical_Switch holds the row
    row: r.QoS


def effective_policy(state: NeutronState, port: Port) -> QosPolicy | None:
    """Port policy, else the network's; ML2/OVN gives network:*/neutron:* ports none."""
    if port.device_owner.startswith(("network:", "neutron:")):
        return None
    net = state.network(port.network_id)
    return state.qos_policy(port.qos_policy_id or (net.qos_policy_id if net else None))


def _min_bw_on_lsp(state: NeutronState, port: Port, policy: QosPolicy) -> bool:
    """Physnet egress with a min-bw rule: the limits go into LSP options instead."""
    net = state.network(port.network_id)
    physical = net is not None and net.network_type in ("flat", "vlan")
    return physical and any(isinstance(x, MinimumBandwidthRule) and x.direction == "egress"
                            for x in policy.rules)  # fmt: skip


def lsp_options(state: NeutronState, port: Port) -> dict[str, str]:
    """qos_max_rate / qos_burst / qos_min_rate (bit/s) for min-bw ports on physnets."""
    policy = effective_policy(state, port)
    if policy is None or not _min_bw_on_lsp(state, port, policy):
        return {}
    out: dict[str, str] = {}
    for rule in policy.rules:
        if isinstance(rule, BandwidthLimitRule) and rule.direction == "egress":
            out["qos_max_rate"] = str(rule.max_kbps * 1000)
            if rule.max_burst_kbps:
                out["qos_burst"] = str(rule.max_burst_kbps * 1000)
        elif isinstance(rule, MinimumBandwidthRule) and rule.direction == "egress":
            out["qos_min_rate"] = str(rule.min_kbps * 1000)
    return out


def _limits(policy: QosPolicy, direction: str) -> tuple[dict[str, int], dict[str, int]]:
    bandwidth: dict[str, int] = {}
    action: dict[str, int] = {}
    for rule in policy.rules:
        if isinstance(rule, BandwidthLimitRule) and rule.direction == direction:
            bandwidth["rate"] = rule.max_kbps
            if rule.max_burst_kbps:  # burst 0 = no key (OVN's default burst)
                bandwidth["burst"] = rule.max_burst_kbps
        elif isinstance(rule, DscpMarkingRule) and direction == "egress" and rule.dscp_mark:
            action["dscp"] = rule.dscp_mark
    return bandwidth, action


def _rows(
    policy: QosPolicy, port_id: str, priority: int, extra: Mapping[str, str],
    ext: Mapping[str, str], skip_egress_rate: bool = False,
) -> list[r.QoS]:  # fmt: skip
    out = []
    for direction, ovn_dir, side in (("egress", "from-lport", "inport"),
                                      ("ingress", "to-lport", "outport")):  # fmt: skip
        bandwidth, action = _limits(policy, direction)
        if skip_egress_rate and direction == "egress":
            bandwidth = {}
        if not bandwidth and not action:
            continue  # neither rate nor dscp: ML2/OVN deletes (never writes) the row
        match = f'{side} == "{port_id}"' + extra.get(direction, "")
        out.append(r.QoS(
            uuid=n.row_uuid("QoS", ovn_dir, str(priority), match), priority=priority,
            direction=ovn_dir, match=match, bandwidth=bandwidth, action=action, external_ids=ext,
        ))  # fmt: skip
    return out


def port_qos(state: NeutronState, port: Port) -> list[QosRow]:
    policy = effective_policy(state, port)
    if policy is None:
        return []
    rows = _rows(policy, port.id, PRIORITY_PORT, {}, {n.PORT_ID: port.id},
                 skip_egress_rate=_min_bw_on_lsp(state, port, policy))  # fmt: skip
    return [QosRow(port.network_id, row) for row in rows]


def router_gateway_qos(state: NeutronState, router_id: str, gw: Port | None) -> list[QosRow]:
    router = next((x for x in state.routers if x.id == router_id), None)
    info = router.external_gateway_info if router else None
    policy = state.qos_policy(info.qos_policy_id) if info else None
    if policy is None or gw is None:
        return []
    rows = _rows(policy, gw.id, PRIORITY_PORT, {}, {n.ROUTER_ID: router_id})
    return [QosRow(gw.network_id, row) for row in rows]


def fip_qos(state: NeutronState, fip: FloatingIP, gw: Port | None) -> list[QosRow]:
    """FIP rows sit on the external switch, on the router gateway port, at priority 2003."""
    policy = state.qos_policy(fip.qos_policy_id)
    if policy is None or gw is None or fip.router_id is None:
        return []
    ip = "ip6" if ":" in fip.floating_ip_address else "ip4"
    resident = f' && is_chassis_resident("cr-{n.lrp(gw.id)}")'
    extra = {"egress": f" && {ip}.src == {fip.floating_ip_address}{resident}",
             "ingress": f" && {ip}.dst == {fip.floating_ip_address}{resident}"}  # fmt: skip
    rows = _rows(policy, gw.id, PRIORITY_FIP, extra, {n.FIP_ID: fip.id})
    return [QosRow(fip.floating_network_id, row) for row in rows]
