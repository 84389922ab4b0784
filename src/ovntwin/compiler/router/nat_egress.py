"""NAT in the router's egress pipeline.

| stage           | prio     | flow                                                | why
|-----------------|----------|-----------------------------------------------------|-------------
| chk_dnat_local  | 50       | DGP: dst == external_ip && resident: reg9[4] = 1    | local DNAT IP
| chk_dnat_local  | 50       | any NAT row: ct natted: reg9[4] = 1                 | DNATed
| undnat          | 100      | DGP: src == logical_ip on the DGP: ct_dnat_in_czone | undo DNAT
| undnat          | 100/50   | GW router with NAT: nd: next / ip: ct_dnat          | every packet
| post_undnat     | 50       | GW router with NAT: ip && ct.new: ct_commit         | track replies
| snat            | cidr+1   | GW router: src == logical_ip: ct_snat(external_ip)  | longest prefix
| snat            | cidr+129 | DGP: same, resident, ct_snat_in_czone               | longest prefix
| snat            | cidr+130 | DGP: ... && reg9[4] == 1: ct_snat (the SNAT zone)   | hairpin
| snat            | 100/110  | GW router force_snat_for_dnat/lb, lb router_ip      | forced SNAT
| egr_loop        | 100      | DGP: dst == external_ip on the DGP: clone to ingress| hairpin
"""

from __future__ import annotations

from ovntwin.compiler.router.common import DST_NAT_IP_LOCAL, EGRESS_LOOPBACK, RouterFlows
from ovntwin.compiler.router.nat import NatRule, RouterNat
from ovntwin.compiler.router.nat_ingress import ext_ip_match
from ovntwin.compiler.stages import Stage

_N_LOG_REGS = 10  # reg0..reg9 are cleared on the egress loop


def build_nat_egress(rf: RouterFlows, nat: RouterNat) -> None:
    for rule in nat.rules:
        if nat.dgps:
            _dnat_local(rf, rule)
            if rule.does_dnat:
                _undnat(rf, rule)
        if rule.does_snat:
            _snat_gw(rf, nat, rule) if nat.is_gw_router else _snat_dgp(rf, nat, rule)
        if nat.dgps:
            _egress_loop(rf, rule)
    if nat.has_nat_rows:
        ct = "ct_mark" if rf.ctx.feature("ct-no-masked-label") else "ct_label"
        assert rf.dp.lr is not None
        rf.add(
            Stage.LR_OUT_CHK_DNAT_LOCAL,
            50,
            f"ip && {ct}.natted == 1",
            f"{DST_NAT_IP_LOCAL} = 1; next;",
            rf.dp.lr.uuid,
        )
    if nat.is_gw_router:
        _gw_router_flows(rf, nat)


def _dnat_local(rf: RouterFlows, rule: NatRule) -> None:
    match = f"ip && ip{rule.fam}.dst == {rule.external_ip} && {rule.resident}"
    action = f"{DST_NAT_IP_LOCAL} = 1; next;"
    rf.add(Stage.LR_OUT_CHK_DNAT_LOCAL, 50, match, action, rule.row.uuid)


def _undnat(rf: RouterFlows, rule: NatRule) -> None:
    match = f"ip && ip{rule.fam}.src == {rule.logical_ip} && outport == {rule.dgp_json}"
    if not rule.distributed:
        match += f" && {rule.resident}"
    eth = f"eth.src = {rule.mac}; " if rule.distributed else ""
    action = "next;" if rule.stateless else "ct_dnat_in_czone;"
    rf.add(Stage.LR_OUT_UNDNAT, 100, match, eth + action, rule.row.uuid)


def _snat_gw(rf: RouterFlows, nat: RouterNat, rule: NatRule) -> None:
    match = f"ip && ip{rule.fam}.src == {rule.logical_ip}"
    match = ext_ip_match(rf, nat, rule, match, is_src=False)
    if rule.stateless:
        action = f"ip{rule.fam}.src={rule.external_ip}; next;"
    else:
        match += " && (!ct.trk || !ct.rpl)"
        action = f"ct_snat({rule.external_ip}{rule.port_range});"
    # The longest logical_ip prefix wins.
    rf.add(Stage.LR_OUT_SNAT, rule.cidr_bits + 1, match, action, rule.row.uuid)


def _snat_dgp(rf: RouterFlows, nat: RouterNat, rule: NatRule) -> None:
    # Longest prefix wins; +128 puts DGP-gated flows above everything else.
    prio = rule.cidr_bits + 1 + 128
    match = f"ip && ip{rule.fam}.src == {rule.logical_ip} && outport == {rule.dgp_json}"
    match += f" && {rule.resident}"
    match = ext_ip_match(rf, nat, rule, match, is_src=False)
    eth = f"eth.src = {rule.mac}; " if rule.distributed else ""
    if rule.stateless:
        action = f"ip{rule.fam}.src={rule.external_ip}; next;"
    else:
        action = f"ct_snat_in_czone({rule.external_ip}{rule.port_range});"
    rf.add(Stage.LR_OUT_SNAT, prio, match, eth + action, rule.row.uuid)
    if not rule.stateless:
        # Destination is a local DNAT IP: SNAT in the SNAT zone so the hairpin unSNATs.
        local = f"{match} && {DST_NAT_IP_LOCAL} == 1"
        ct = f"{DST_NAT_IP_LOCAL} = 0; ct_snat({rule.external_ip}{rule.port_range});"
        rf.add(Stage.LR_OUT_SNAT, prio + 1, local, eth + ct, rule.row.uuid)


def _egress_loop(rf: RouterFlows, rule: NatRule) -> None:
    match = f"ip{rule.fam}.dst == {rule.external_ip} && outport == {rule.dgp_json}"
    regs = "".join(f"reg{i} = 0; " for i in range(_N_LOG_REGS))
    action = (
        'clone { ct_clear; inport = outport; outport = ""; eth.dst <-> eth.src; '
        f"flags = 0; flags.loopback = 1; flags.use_snat_zone = {DST_NAT_IP_LOCAL}; "
        f"{regs}{EGRESS_LOOPBACK} = 1; next(pipeline=ingress, table="
        f"{Stage.LR_IN_ADMISSION.table}); }};"
    )
    rf.add(Stage.LR_OUT_EGR_LOOP, 100, f"{match} && {rule.resident}", action, rule.row.uuid)


def _gw_router_flows(rf: RouterFlows, nat: RouterNat) -> None:
    if nat.has_nat_rows:
        rf.add(Stage.LR_OUT_UNDNAT, 100, "nd || nd_rs || nd_ra", "next;")  # keep ND out of ct
        rf.add(Stage.LR_OUT_UNDNAT, 50, "ip", "flags.loopback = 1; ct_dnat;")
        rf.add(Stage.LR_OUT_POST_UNDNAT, 50, "ip && ct.new", "ct_commit { } ; next; ")
    for ctx_name, ips in (("dnat", nat.dnat_force_snat), ("lb", nat.lb_force_snat)):
        for ip in ips:
            fam = "6" if ":" in ip else "4"
            match = f"flags.force_snat_for_{ctx_name} == 1 && ip{fam}"
            rf.add(Stage.LR_OUT_SNAT, 100, match, f"ct_snat({ip});")
    if nat.lb_force_snat_router_ip:
        _lb_force_snat_router_ip(rf)


def _lb_force_snat_router_ip(rf: RouterFlows) -> None:
    """lb_force_snat_ip=router_ip: each peered port's first address is its SNAT IP."""
    for port in rf.dp.ports:
        nets = port.lrp_networks
        if port.lrp is None or port.peer is None or nets is None:
            continue
        v6 = nets.ipv6_addrs[:-1]  # the link-local address (last) does not count
        for fam, addrs in (("4", nets.ipv4_addrs), ("6", v6)):
            if not addrs:
                continue
            ip = addrs[0].addr_s
            rf.add(
                Stage.LR_IN_UNSNAT,
                110,
                f"inport == {port.json_name} && ip{fam}.dst == {ip}",
                "ct_snat;",
                port.lrp.uuid,
            )
            match = f"flags.force_snat_for_lb == 1 && ip{fam} && outport == {port.json_name}"
            rf.add(Stage.LR_OUT_SNAT, 110, match, f"ct_snat({ip});", port.lrp.uuid)
