"""NAT in the router's ingress pipeline: lr_in_unsnat, lr_in_dnat and NAT bits elsewhere.

| stage             | prio | flow (per NAT rule)                                  | why
|-------------------|------|------------------------------------------------------|-------------
| lr_in_unsnat      | 90   | GW router: ip.dst == external_ip: ct_snat            | undo SNAT
| lr_in_unsnat      | 100  | DGP: same, on the DGP, ct_snat_in_czone (+ loopback) | common zone
| lr_in_dnat        | 100  | dst == external_ip: ct_dnat[_in_czone](logical_ip)   | DNAT
| lr_in_dnat        | 102  | ... && src in exempted_ext_ips: next                 | exempted
| lr_in_ip_input    | 120  | DGP snat: inport == DGP && src == external_ip: next  | not martian
| lr_in_admission   | 50   | distributed FIP: eth.dst == external_mac             | FIP MAC
| lr_in_ip_input    | 160  | FIP on a DGP with gateway_mtu: too big: icmp error   | from the FIP
| lr_in_gw_redirect | 100  | distributed FIP: src == logical_ip: eth.src, reg1    | stay local
| lr_in_gw_redirect | 80   | FIP of a virtual port: drop unless resident          | unclaimed

Gateway routers use ct_snat / ct_dnat; routers with DGPs the *_in_czone actions and
is_chassis_resident() gating (see NatRule.resident).
"""

from __future__ import annotations

from ovntwin.compiler.router.common import (
    EGRESS_LOOPBACK,
    INPORT_ETH_ADDR,
    PKT_LARGER,
    SRC_V4,
    SRC_V6,
    RouterFlows,
)
from ovntwin.compiler.router.mtu import add_mtu_checked_flow, gateway_mtu
from ovntwin.compiler.router.nat import NatRule, RouterNat
from ovntwin.compiler.stages import Stage
from ovntwin.model import rows as r


def build_nat_ingress(rf: RouterFlows, nat: RouterNat) -> None:
    for rule in nat.rules:
        if rule.does_snat:
            _unsnat(rf, nat, rule)
        if rule.does_dnat:
            _dnat(rf, nat, rule)
        if nat.dgps:
            _dgp_ingress(rf, rule)
    if nat.is_gw_router:
        _force_snat_unsnat(rf, nat)


def ext_ip_match(rf: RouterFlows, nat: RouterNat, rule: NatRule, match: str, is_src: bool) -> str:
    """`match` narrowed to allowed_ext_ips; for exempted_ext_ips, add the bypass flow."""
    row = rule.row
    direction = "src" if is_src else "dst"
    if row.allowed_ext_ips:
        return f"{match} && ip{rule.fam}.{direction} == ${_set_name(rf, row.allowed_ext_ips)}"
    if row.exempted_ext_ips:
        exempt = f"{match} && ip{rule.fam}.{direction} == ${_set_name(rf, row.exempted_ext_ips)}"
        if is_src:
            rf.add(Stage.LR_IN_DNAT, 102, exempt, "next;", row.uuid)  # above the DNAT flow
        else:
            # Two above the plain SNAT flow (cidr + 1, + 128 on a DGP router).
            prio = rule.cidr_bits + 3 + (0 if nat.is_gw_router else 128)
            rf.add(Stage.LR_OUT_SNAT, prio, exempt, "next;", row.uuid)
    return match


def _set_name(rf: RouterFlows, uuid: str) -> str:
    return rf.ctx.nb.get(r.AddressSet, uuid).name


def _unsnat(rf: RouterFlows, nat: RouterNat, rule: NatRule) -> None:
    base = f"ip && ip{rule.fam}.dst == {rule.external_ip}"
    hint = rule.row.uuid
    if nat.is_gw_router:
        rf.add(Stage.LR_IN_UNSNAT, 90, base, "next;" if rule.stateless else "ct_snat;", hint)
        return
    gate = "" if rule.distributed else f" && {rule.resident}"
    on_dgp = f"{base} && inport == {rule.dgp_json}"
    action = "next;" if rule.stateless else "ct_snat_in_czone;"
    rf.add(Stage.LR_IN_UNSNAT, 100, f"{on_dgp} && flags.loopback == 0{gate}", action, hint)
    if not rule.stateless:
        # Hairpinned through egr_loop after an SNAT in the SNAT zone: undo it there.
        looped = f"{on_dgp} && flags.loopback == 1 && flags.use_snat_zone == 1{gate}"
        rf.add(Stage.LR_IN_UNSNAT, 100, looped, "ct_snat;", hint)


def _dnat(rf: RouterFlows, nat: RouterNat, rule: NatRule) -> None:
    match = f"ip && ip{rule.fam}.dst == {rule.external_ip}"
    if not nat.is_gw_router:
        match += f" && inport == {rule.dgp_json}"
        if not rule.distributed:
            match += f" && {rule.resident}"
    match = ext_ip_match(rf, nat, rule, match, is_src=True)
    rewrite = f"ip{rule.fam}.dst={rule.logical_ip}; next;"
    if nat.is_gw_router:
        force = "flags.force_snat_for_dnat = 1; " if nat.dnat_force_snat else ""
        # The reply may leave through the port it came in on.
        ct = f"ct_dnat({rule.logical_ip}{rule.port_range});"
        action = force + "flags.loopback = 1; " + (rewrite if rule.stateless else ct)
    elif rule.stateless:
        action = rewrite
    else:
        action = f"ct_dnat_in_czone({rule.logical_ip}{rule.port_range});"
    rf.add(Stage.LR_IN_DNAT, 100, match, action, rule.row.uuid)


def _dgp_ingress(rf: RouterFlows, rule: NatRule) -> None:
    port = rule.gw_port
    assert port is not None and port.lrp_networks is not None
    hint = rule.row.uuid
    if rule.kind == "snat":
        # Replies to the SNAT address arrive from it on hairpin: not a martian source.
        match = f"inport == {port.json_name} && ip{rule.fam}.src == {rule.external_ip}"
        rf.add(Stage.LR_IN_IP_INPUT, 120, match, "next;", hint)
    if not rule.distributed:
        return
    match = f"eth.dst == {rule.mac} && inport == {port.json_name} && {rule.resident}"
    actions = f"{INPORT_ETH_ADDR} = {port.lrp_networks.ea_s}; next;"
    add_mtu_checked_flow(rf, port, Stage.LR_IN_ADMISSION, match, actions, hint)
    mtu = gateway_mtu(port)
    if mtu:
        _fip_too_big(rf, rule, mtu)
    _gw_redirect(rf, rule)


def _fip_too_big(rf: RouterFlows, rule: NatRule, mtu: int) -> None:
    """An oversized packet to a distributed FIP gets its ICMP error from the FIP."""
    port = rule.gw_port
    assert port is not None
    fam = rule.fam
    match = (
        f"inport == {port.json_name} && {PKT_LARGER} && {EGRESS_LOOPBACK} == 0"
        f" && ip{fam} && ip{fam}.dst == {rule.external_ip}"
    )
    if rule.is_v6:
        icmp = "icmp6_error"
        kind = "icmp6.type = 2; /* Packet Too Big. */ icmp6.code = 0; icmp6.frag_mtu"
    else:
        icmp = "icmp4_error"
        kind = (
            "icmp4.type = 3; /* Destination Unreachable. */ "
            "icmp4.code = 4; /* Frag Needed and DF was Set. */ icmp4.frag_mtu"
        )
    actions = (
        f"{icmp} {{{EGRESS_LOOPBACK} = 1; {PKT_LARGER} = 0; eth.dst = eth.src; "
        f"eth.src = {rule.row.external_mac}; ip{fam}.dst = ip{fam}.src; "
        f"ip{fam}.src = {rule.external_ip}; ip.ttl = 254; {kind} = {mtu}; "
        f"outport = {port.json_name}; flags.loopback = 1; output; }};"
    )
    rf.add(Stage.LR_IN_IP_INPUT, 160, match, actions, rule.row.uuid)


def _gw_redirect(rf: RouterFlows, rule: NatRule) -> None:
    match = f"ip{rule.fam}.src == {rule.logical_ip} && outport == {rule.dgp_json}"
    logical = rf.ctx.ports.get(rule.row.logical_port or "")
    if logical is not None and logical.lsp_type == "virtual":
        # Until the virtual port is claimed its traffic must not be centralized.
        rf.add(Stage.LR_IN_GW_REDIRECT, 80, match, rf.drop, rule.row.uuid)
    src_reg = SRC_V6 if rule.is_v6 else SRC_V4
    actions = f"eth.src = {rule.row.external_mac}; {src_reg} = {rule.external_ip}; next;"
    rf.add(Stage.LR_IN_GW_REDIRECT, 100, f"{match} && {rule.resident}", actions, rule.row.uuid)


def _force_snat_unsnat(rf: RouterFlows, nat: RouterNat) -> None:
    """Gateway router dnat_/lb_force_snat_ip: undo the forced SNAT of replies."""
    for ip in nat.dnat_force_snat + nat.lb_force_snat:
        fam = "6" if ":" in ip else "4"
        rf.add(Stage.LR_IN_UNSNAT, 110, f"ip{fam} && ip{fam}.dst == {ip}", "ct_snat;")
