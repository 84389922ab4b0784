"""Nested actions (packet synthesis), MAC-binding/FDB lookups and controller actions."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from ovntwin.expr.flow import Flow
from ovntwin.southbound.rows import DatapathBinding
from ovntwin.trace import portsec
from ovntwin.trace.actions import ast as A
from ovntwin.trace.flowfmt import ETH_ARP, ETH_IP, mac
from ovntwin.trace.tree import Node, NodeKind

if TYPE_CHECKING:
    from ovntwin.trace.interp import Tracer

_ICMP4_UNREACH, _ICMP6_UNREACH, _TCP_RST = 3, 1, 0x04
_DHCP_NOTE = "/* We assume that this packet is DHCPDISCOVER or DHCPREQUEST. */"


def nested(tracer: Tracer, act: A.Nested, dp: DatapathBinding, flow: Flow, table: int,
           pipeline: str, parent: Node) -> None:  # fmt: skip
    name = act.name
    if name == "ct_commit":
        return
    if name == "reject":
        proto = flow.get("nw_proto")
        name = {6: "tcp_reset", 132: "sctp_abort"}.get(proto, "")
        if not name:
            name = "icmp4" if flow.get("dl_type") == ETH_IP else "icmp6"
        _synthesize(tracer, act, name, dp, flow, table, pipeline, parent, loopback=True)
        return
    _synthesize(tracer, act, name, dp, flow, table, pipeline, parent, loopback=False)


def _synthesize(tracer: Tracer, act: A.Nested, name: str, dp: DatapathBinding, flow: Flow,
                table: int, pipeline: str, parent: Node, loopback: bool) -> None:  # fmt: skip
    new = flow.copy()
    label = name.removesuffix("_error").removesuffix("_router")
    if name == "clone":
        pass
    elif name == "arp":
        for key in ("nw_frag", "nw_tos", "nw_ttl", "tcp_flags", "arp_tha"):
            new.set(key, 0)
        new.set("dl_type", ETH_ARP)
        new.set("nw_proto", 1)
        new.set("arp_sha", flow.get("dl_src"))
    elif name in ("nd_na", "nd_na_router"):
        new.set("dl_src", flow.get("dl_dst"))
        new.set("dl_dst", flow.get("dl_src"))
        new.set("ipv6_dst", flow.get("ipv6_src"))
        new.set("ipv6_src", flow.get("nd_target"))
        new.set("tp_src", 136)
        new.set("arp_sha", 0)
        new.set("arp_tha", flow.get("dl_dst"))
    elif name == "nd_ns":
        dst = flow.get("ipv6_dst")
        solicited = (0xFF02 << 112) | (1 << 32) | (0xFF << 24) | (dst & 0xFFFFFF)
        new.set("dl_dst", (0x3333 << 32) | (solicited & 0xFFFFFFFF))
        new.set("tp_src", 135)
        new.set("arp_sha", 0)
        new.set("arp_tha", flow.get("dl_dst"))
    elif not _l4_reply(name, flow, new, loopback):
        return  # ovn-trace avoids recirculating its own reply
    node = parent.add(NodeKind.TRANSFORMATION, label)
    if name in ("arp", "nd_ns"):
        tracer.synthetic.append(name)
    try:
        tracer.actions(act.actions, dp, new, table, pipeline, node)
    finally:
        if name in ("arp", "nd_ns"):
            tracer.synthetic.pop()


def _l4_reply(name: str, flow: Flow, new: Flow, loopback: bool) -> bool:
    v4 = flow.get("dl_type") == ETH_IP
    if name.startswith("icmp"):
        unreach = _ICMP4_UNREACH if name.startswith("icmp4") else _ICMP6_UNREACH
        if loopback and flow.get("tp_src") == unreach:
            return False
    elif loopback and flow.get("tcp_flags") == _TCP_RST:
        return False
    use_v4 = name.startswith("icmp4") or (v4 and not name.startswith("icmp6"))
    src, dst = ("nw_src", "nw_dst") if use_v4 else ("ipv6_src", "ipv6_dst")
    if loopback:
        new.set("dl_dst", flow.get("dl_src"))
        new.set("dl_src", flow.get("dl_dst"))
        new.set(dst, flow.get(src))
        new.set(src, flow.get(dst))
    new.set("nw_ttl", 255)
    if name.startswith("icmp4"):
        new.set("nw_proto", 1)
        new.set("tp_src", _ICMP4_UNREACH)
        new.set("tp_dst", 1)
    elif name.startswith("icmp6"):
        new.set("nw_proto", 58)
        new.set("tp_src", _ICMP6_UNREACH)
        new.set("tp_dst", 1)
    else:
        # ovn-trace's IPv6 sctp_abort sets the TCP protocol number (sic).
        new.set("nw_proto", 132 if name == "sctp_abort" and v4 else 6)
        new.set("tcp_flags", _TCP_RST)
    return True


def call(tracer: Tracer, act: A.Call, dp: DatapathBinding, flow: Flow, parent: Node) -> None:
    name = act.name
    vals = [flow.read_ref(tracer.symtab.resolve(a.format())) for a in act.args]
    dst = tracer.symtab.resolve(act.dst.format()) if act.dst is not None else None
    if name in ("get_arp", "get_nd"):
        found = _mac_binding(tracer, dp, str(vals[0]), int(vals[1]), name == "get_nd")
        flow.set("dl_dst", found or 0)
        note = f"/* MAC binding to {mac(found)}. */" if found else "/* No MAC binding. */"
        parent.add(NodeKind.ACTION, note)
        parent.add(NodeKind.MODIFY, f"eth.dst = {mac(found or 0)}")
    elif name in ("lookup_arp", "lookup_nd", "lookup_arp_ip", "lookup_nd_ip") and dst:
        found = _mac_binding(tracer, dp, str(vals[0]), int(vals[1]), name.startswith("lookup_nd"))
        want = int(vals[2]) if len(vals) > 2 else None
        ok = found is not None and (want is None or found == want)
        if ok and want is not None:
            # ovn-trace prints the packet's eth.dst here, not the binding's MAC (sic).
            parent.add(NodeKind.ACTION, f"/* MAC binding to {mac(flow.get('dl_dst'))} found. */")
        elif ok:
            parent.add(NodeKind.ACTION, "/* MAC binding found. */")
        else:
            parent.add(NodeKind.ACTION, "/* lookup failed - No MAC binding. */")
        flow.write_ref(dst, int(ok))
    elif name == "lookup_fdb" and dst:
        port = _fdb(tracer, dp, int(vals[1]))
        ok = port is not None and port == vals[0]
        text = (f"/* MAC lookup for {mac(flow.get('dl_dst'))} found in FDB. */" if ok
                else "/* lookup mac failed in mac learning table. */")  # fmt: skip
        parent.add(NodeKind.ACTION, text)
        flow.write_ref(dst, int(ok))
    elif name == "get_fdb" and dst:
        port = _fdb(tracer, dp, int(vals[0]))
        flow.write_ref(dst, port or "" if dst.symbol.is_string else 0)
    elif name in ("check_in_port_sec", "check_out_port_sec") and dst:
        fails = portsec.check(tracer.index, dp, flow, ingress=name == "check_in_port_sec")
        flow.write_ref(dst, int(fails))
    elif name in ("chk_lb_hairpin", "chk_lb_hairpin_reply") and dst:
        flow.write_ref(dst, 0)  # no load balancer VIP is known to the tracer
        parent.add(NodeKind.MODIFY, f"{act.dst.format() if act.dst else ''} = 0")
    elif name == "dns_lookup" and dst:
        flow.write_ref(dst, 0)
        parent.add(NodeKind.ERROR, "*** dns_lookup action not implemented")


def text_action(tracer: Tracer, act: A.Text, flow: Flow, pipeline: str, parent: Node) -> None:
    if act.kind in ("put_dhcp_opts", "put_dhcpv6_opts", "put_nd_ra_opts") and act.dst:
        if act.kind != "put_nd_ra_opts":
            parent.add(NodeKind.ERROR, _DHCP_NOTE)
        body = act.text.split(" = ", 1)[1]
        parent.add(NodeKind.MODIFY, body)
        ref = tracer.symtab.resolve(act.dst.format())
        if ref.storage not in ("xxreg0", "xxreg1", "xreg4", "reg10"):
            parent.add(NodeKind.MODIFY, f"{act.dst.format()} = 1")
        flow.write_ref(ref, 1)
    elif act.kind == "log":
        from ovntwin.trace.flowfmt import flow_format

        args = dict(act.info)
        # ovn-trace logs the whole microflow: conntrack state and every register.
        regs = {n: flow.reg32(n) for n in range(11)}
        regs[14], regs[15] = tracer.port_key(flow.inport), tracer.port_key(flow.outport)
        packet = flow_format(flow, regs)
        parent.add(
            NodeKind.TRANSFORMATION,
            f"LOG: ACL name={args.get('name', '<unnamed>')}, "
            f"direction={'IN' if pipeline == 'ingress' else 'OUT'}, "
            f'verdict={args.get("verdict", "")}, severity={args["severity"]}, packet="{packet}"',
        )


def _mac_binding(tracer: Tracer, dp: DatapathBinding, port: str, ip: int, v6: bool) -> int | None:
    want = ipaddress.ip_address(ip) if v6 else ipaddress.IPv4Address(ip)
    for mb in tracer.index.sb.runtime.mac_bindings:
        if mb.logical_port != port:
            continue
        p = tracer.index.ports.get(port)
        if p is None or p.dp.uuid != dp.uuid:
            continue
        try:
            if ipaddress.ip_address(mb.ip) == want:
                return int(mb.mac.replace(":", ""), 16)
        except ValueError:
            continue
    return None


def _fdb(tracer: Tracer, dp: DatapathBinding, eth: int) -> str | None:
    for entry in tracer.index.sb.runtime.fdb:
        if entry.datapath in (dp.name, dp.uuid) and int(entry.mac.replace(":", ""), 16) == eth:
            return entry.port
    return None
