"""Microflow parsing; expected error texts copied from real ovn-trace 23.03.1
(`ovn-trace --db=... --minimal MICROFLOW` prints "error parsing flow: " + text)."""

from __future__ import annotations

import pytest

from ovntwin.errors import ExprSyntaxError
from ovntwin.expr import default_symtab, find_inport, parse_microflow

ST = default_symtab()


@pytest.mark.parametrize(
    ("microflow", "message"),
    [
        (
            'inport == "a" && tcp.dst == 80',
            'Constraints are ambiguous: inport == "a" && tcp.dst == 0x50 && ip.proto == 0x6 && '
            "(eth.type == 0x800 || eth.type == 0x86dd).",
        ),
        ('inport == "a" && ip4 && ip6', "Constraints are contradictory."),
        (
            'inport == "a" && ip4 && tcp.src > 1024',
            'Constraints are ambiguous: inport == "a" && eth.type == 0x800 && tcp.src > 0x400 && '
            "ip.proto == 0x6 && (eth.type == 0x800 || eth.type == 0x86dd).",
        ),
        (
            'inport == "a" && eth.src == 00:00:00:00:00:0a && ip4.src == {1.1.1.1, 2.2.2.2}',
            'Constraints are ambiguous: inport == "a" && eth.src == 0xa && '
            "(ip4.src == 0x1010101 || ip4.src == 0x2020202) && eth.type == 0x800.",
        ),
        ('inport == "a" && ip4 && icmp4.type == 8 && tcp', "Constraints are contradictory."),
        ('inport == "a" && foo == 1', "Syntax error at `foo' expecting field name."),
        (
            'inport == "a" && ip.ttl < 4',
            "Only == and != operators may be used with nominal field ip.ttl.",
        ),
        ('inport == "a" && ip4.src == 1.2.3', "Invalid numeric constant."),
        (
            'inport == "a" && !ip4',
            "Nominal predicate ip4 may only be tested positively, e.g. `ip4' or `ip4 == 1' "
            "but not `!ip4' or `ip4 == 0'.",
        ),
        (
            'inport == "a" && ip.proto != 6',
            "Nominal field ip.proto may only be tested for equality (taking enclosing `!' "
            "operators into account).",
        ),
    ],
)
def test_errors_match_ovn_trace(microflow: str, message: str) -> None:
    with pytest.raises(ExprSyntaxError) as info:
        parse_microflow(microflow, ST)
    assert info.value.message == message


def test_ip4_tcp() -> None:
    flow = parse_microflow(
        'inport == "vm1" && eth.src == 00:00:00:00:00:0a && eth.dst == 00:00:00:00:00:0b && '
        "ip4.src == 10.0.0.1 && ip4.dst == 10.0.0.2 && ip.ttl == 64 && tcp.dst == 22",
        ST,
    )
    assert flow.inport == "vm1" and flow.outport == ""
    assert flow.nonzero() == {
        "dl_src": 0x0A,
        "dl_dst": 0x0B,
        "dl_type": 0x800,
        "nw_src": 0x0A000001,
        "nw_dst": 0x0A000002,
        "nw_ttl": 64,
        "nw_proto": 6,
        "tp_dst": 22,
    }


def test_inferred_prerequisites() -> None:
    # Values checked against ovn-trace's "# ..." header line for the same microflows.
    nd = parse_microflow('inport == "a" && nd_ns', ST)
    assert nd.nonzero() == {"dl_type": 0x86DD, "nw_proto": 58, "nw_ttl": 255, "tp_src": 135}
    mc = parse_microflow('inport == "a" && ip4 && ip4.mcast', ST)
    assert mc.nonzero() == {"dl_type": 0x800, "dl_dst": 1 << 40, "nw_dst": 0xE0000000}
    vlan = parse_microflow('inport == "a" && vlan.vid == 5', ST)
    assert vlan.nonzero() == {"vlan_tci": 0x1005}
    cidr = parse_microflow('inport == "a" && ip4 && ip4.src == 10.0.0.0/8', ST)
    assert cidr.get("nw_src") == 0x0A000000
    arp = parse_microflow('inport == "a" && arp.op == 1 && arp.tpa == 10.0.0.1', ST)
    assert arp.nonzero() == {"dl_type": 0x806, "nw_proto": 1, "nw_dst": 0x0A000001}
    out = parse_microflow('inport == "a" && outport == "b"', ST)
    assert (out.inport, out.outport) == ("a", "b")


def test_find_inport() -> None:
    assert find_inport('inport == "a" && ip4', ST) == "a"
    with pytest.raises(ExprSyntaxError, match="^flow match expression does not match on inport$"):
        find_inport("eth.src == 00:00:00:00:00:0a", ST)
    with pytest.raises(ExprSyntaxError, match="matches on multiple inports"):
        find_inport('inport == "a" || inport == "b"', ST)
