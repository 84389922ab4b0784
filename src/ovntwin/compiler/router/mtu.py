"""gateway_mtu: packet-size checks on router ports with `options:gateway_mtu`.

Stages: lr_in_admission / lr_in_chk_pkt_len (the check), lr_in_ip_input and
lr_in_larger_pkts (ICMP "fragmentation needed" / "packet too big" replies).

| prio | stage             | flow                                        | why
|------|-------------------|---------------------------------------------|---------------------------
| 55   | admission/chk_len | match && (gateway_mtu_bypass): no check     | bypass wins over check
| 50   | admission/chk_len | check_pkt_larger(mtu + L2 header) then next | flag oversize packets
| 150  | ip_input/larger   | inport [&& outport] && ip && reg9[1]: ICMP  | first of all
| 0    | chk_pkt_len/larger| next                                        | packets pass by default
"""

from __future__ import annotations

from ovntwin.compiler.context import Port
from ovntwin.compiler.router.common import EGRESS_LOOPBACK, PKT_LARGER, RouterFlows, router_ports
from ovntwin.compiler.stages import Stage

_ETH_HEADER_LEN = 14
_VLAN_ETH_HEADER_LEN = 18


def gateway_mtu(port: Port) -> int:
    assert port.lrp is not None
    text = port.lrp.options.get("gateway_mtu", "")
    try:
        return int(text)
    except ValueError:
        return 0


def _l2_header_len(port: Port) -> int:
    """A VLAN header counts when the peer switch has a tagged localnet port."""
    peer = port.peer
    if peer is not None and peer.lsp is not None:
        for ln in peer.datapath.localnet_ports:
            if ln.lsp is not None and ln.lsp.tag_request is not None:
                return _VLAN_ETH_HEADER_LEN
    return _ETH_HEADER_LEN


def add_mtu_checked_flow(
    rf: RouterFlows, port: Port, stage: Stage, match: str, actions: str, hint: str
) -> None:
    """The priority-50 flow, prefixed by a size check when the port has gateway_mtu."""
    mtu = gateway_mtu(port)
    check = f"{PKT_LARGER} = check_pkt_larger({mtu + _l2_header_len(port)}); " if mtu > 0 else ""
    rf.lflows.add(rf.dp.uuid, stage, 50, match, check + actions, hint, depth=2)
    assert port.lrp is not None
    bypass = port.lrp.options.get("gateway_mtu_bypass")
    if mtu > 0 and bypass:
        rf.lflows.add(rf.dp.uuid, stage, 55, f"{match} && ({bypass})", actions, hint, depth=2)


def build_pkt_len_checks(rf: RouterFlows) -> None:
    rf.add(Stage.LR_IN_CHK_PKT_LEN, 0, "1", "next;")
    rf.add(Stage.LR_IN_LARGER_PKTS, 0, "1", "next;")
    ports = list(router_ports(rf.dp))
    for port, _ in ports:
        mtu = gateway_mtu(port)
        if mtu <= 0:
            continue
        match = f"outport == {port.json_name}"
        add_mtu_checked_flow(rf, port, Stage.LR_IN_CHK_PKT_LEN, match, "next;", _hint(port))
        _too_big_flows(rf, port, mtu, Stage.LR_IN_IP_INPUT, None)
        for other, _ in ports:
            if other is not port:
                _too_big_flows(rf, other, mtu, Stage.LR_IN_LARGER_PKTS, port)


def _hint(port: Port) -> str:
    return port.lrp.uuid if port.lrp is not None else ""


def _too_big_flows(rf: RouterFlows, port: Port, mtu: int, stage: Stage, out: Port | None) -> None:
    nets = port.lrp_networks
    assert nets is not None
    outport = f"outport == {out.json_name} && " if out is not None else ""
    admission = Stage.LR_IN_ADMISSION.table
    if nets.ipv4_addrs:
        rf.add(
            stage,
            150,
            f"inport == {port.json_name} && {outport}ip4 && {PKT_LARGER} && {EGRESS_LOOPBACK} == 0",
            f"icmp4_error {{{EGRESS_LOOPBACK} = 1; {PKT_LARGER} = 0; eth.dst = {nets.ea_s}; "
            f"ip4.dst = ip4.src; ip4.src = {nets.ipv4_addrs[0].addr_s}; ip.ttl = 255; "
            "icmp4.type = 3; /* Destination Unreachable. */ "
            "icmp4.code = 4; /* Frag Needed and DF was Set. */ "
            f"icmp4.frag_mtu = {mtu}; next(pipeline=ingress, table={admission}); }};",
            _hint(port),
        )
    if nets.ipv6_addrs:
        rf.add(
            stage,
            150,
            f"inport == {port.json_name} && {outport}ip6 && {PKT_LARGER} && {EGRESS_LOOPBACK} == 0",
            f"icmp6_error {{{EGRESS_LOOPBACK} = 1; {PKT_LARGER} = 0; eth.dst = {nets.ea_s}; "
            f"ip6.dst = ip6.src; ip6.src = {nets.ipv6_addrs[0].addr_s}; ip.ttl = 255; "
            "icmp6.type = 2; /* Packet Too Big. */ icmp6.code = 0; "
            f"icmp6.frag_mtu = {mtu}; next(pipeline=ingress, table={admission}); }};",
            _hint(port),
        )
