from __future__ import annotations

import time

import pytest

from ovntwin.expr import Flow, MatchCompiler, compile_match, default_symtab, evaluate, parse_expr

ST = default_symtab()


def ip4_tcp(**extra: int) -> Flow:
    fields = {
        "dl_type": 0x800,
        "nw_proto": 6,
        "nw_src": 0x0A000001,
        "nw_dst": 0x0A000102,
        "tp_src": 40000,
        "tp_dst": 80,
        "nw_ttl": 64,
    }
    fields.update(extra)
    return Flow(fields, inport="vm1")


@pytest.mark.parametrize(
    ("match", "expected"),
    [
        ("1", True),
        ("0", False),
        ("ip4", True),
        ("ip6", False),
        ("ip", True),
        ("tcp && tcp.dst == 80", True),
        ("tcp.dst == 80", True),
        ("udp.dst == 80", False),  # prerequisite udp is false
        ("tcp.dst != 22", True),
        ("!(tcp.dst == 80)", False),
        ("udp.dst != 80", False),  # prerequisites are ANDed even under !=
        ("!(udp.dst == 80)", False),  # ... and after pushing ! inwards
        ("tcp.dst == {22, 80}", True),
        ("tcp.dst != {22, 80}", False),
        ("1024 <= tcp.src <= 49151", True),
        ("tcp.src < 1024", False),
        ("tcp.src > 39999", True),
        ("ip4.src == 10.0.0.0/8", True),
        ("ip4.src == 10.0.1.0/24", False),
        ("ip4.dst == 10.0.1.0/24", True),
        ("ip.ttl == {0, 1}", False),
        ("ip4.mcast", False),
        ("!ip4.mcast", True),
        ('inport == "vm1"', True),
        ('inport == "vm2"', False),
        ('outport == "none"', True),
        ('outport == ""', True),
        ("reg0 == 0", True),
        ("!ct.trk", True),
        ("ct.new", False),
        ("!ct.new", False),  # ct.new requires ct.trk
        ("arp.op == 0", False),
        ("icmp4", False),
        ("eth.bcast", False),
        ('is_chassis_resident("vm1")', True),
        ('!is_chassis_resident("vm1")', False),
    ],
)
def test_truth(match: str, expected: bool) -> None:
    flow = ip4_tcp()
    assert compile_match(match, ST)(flow) is expected
    assert evaluate(parse_expr(match, ST), flow, ST) is expected


def test_registers_flags_and_ct() -> None:
    flow = Flow()
    flow.write(ST, "reg0[15]", 1)
    flow.write(ST, "flags.loopback", 1)
    flow.write(ST, "ct_state", 0x22)  # est|trk
    flow.write(ST, "xreg1[0..47]", 0x0A0000000001)
    assert flow.read(ST, "reg0") == 1 << 15
    assert flow.read(ST, "xxreg0") >> 96 == 1 << 15
    assert flow.read(ST, "reg3") == 1 and flow.read(ST, "reg2[0..15]") == 0x0A00
    assert flow.reg32(0) == 1 << 15 and flow.reg32(10) == 1
    matcher = MatchCompiler(ST)
    assert matcher.compile("reg0[15] == 1 && flags.loopback")(flow)
    assert matcher.compile("ct.est && !ct.new && ct.trk")(flow)
    assert matcher.compile("xreg1[0..47] == 0a:00:00:00:00:01")(flow)
    assert not matcher.compile("ct.rpl")(flow)
    assert matcher.compile("ct.rpl") is matcher.compile("ct.rpl")  # cached


def test_unknown_ports_are_never_equal_nor_unequal() -> None:
    flow = Flow(inport="a", outport="b")
    known = {"a", "b"}.__contains__
    assert compile_match('outport == "b"', ST, port_exists=known)(flow)
    assert not compile_match('outport == "zz"', ST, port_exists=known)(flow)
    assert not compile_match('!(outport != "zz")', ST, port_exists=known)(flow)


def test_chassis_resident_hook_and_port_groups() -> None:
    flow = Flow(inport="p2")
    groups = {"1_pg": ["p1", "p2"]}
    m = compile_match(
        'inport == @pg && is_chassis_resident("cr")', ST, port_groups=groups, dp_key=1
    )
    assert m(flow)
    m = compile_match('is_chassis_resident("cr")', ST, is_chassis_resident=lambda p: p != "cr")
    assert not m(flow)


def test_dscp_ecn_and_arp_aliasing() -> None:
    flow = Flow({"dl_type": 0x800})
    flow.write(ST, "ip.dscp", 10)
    flow.write(ST, "ip.ecn", 1)
    assert flow.get("nw_tos") == 40 and flow.get("nw_ecn") == 1
    assert compile_match("ip.dscp == 10 && ip.ecn == 1", ST)(flow)
    arp = Flow({"dl_type": 0x806})
    arp.write(ST, "arp.op", 1)
    arp.write(ST, "arp.spa", 0x0A000001)
    assert arp.get("nw_proto") == 1 and arp.get("nw_src") == 0x0A000001
    assert compile_match("arp.op == 1 && arp.spa == 10.0.0.1", ST)(arp)
    assert not compile_match("ip4.src == 10.0.0.1", ST)(arp)


def test_copy_is_independent() -> None:
    a = ip4_tcp()
    b = a.copy()
    b.write(ST, "eth.dst", 0xFFFFFFFFFFFF)
    b.outport = "x"
    assert a != b and a.get("dl_dst") == 0 and a.outport == ""


def test_compiled_evaluation_is_fast() -> None:
    compiler = MatchCompiler(ST)
    texts = [f"eth.dst == 00:00:00:00:{i >> 8:02x}:{i & 255:02x}" for i in range(5000)]
    start = time.perf_counter()
    matchers = [compiler.compile(t) for t in texts]
    parse_time = time.perf_counter() - start
    flow = Flow({"dl_dst": 4999})
    start = time.perf_counter()
    hits = [m for m in matchers if m(flow)]
    eval_time = time.perf_counter() - start
    assert len(hits) == 1
    assert eval_time < 0.05, eval_time
    assert parse_time < 2.0, parse_time
