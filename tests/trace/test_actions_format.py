"""Action formatter round trips over every action string of a real 23.03 lflow dump."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ovntwin.trace.actions import parse_actions

FIXTURE = Path(__file__).parent / "fixtures" / "lflows_seed.txt"


def _actions() -> list[tuple[str, int, str]]:
    out: list[tuple[str, int, str]] = []
    pipeline = "ingress"
    for line in FIXTURE.read_text().splitlines():
        if m := re.search(r"Pipeline: (\w+)", line):
            pipeline = m.group(1)
        elif m := re.search(r"table=(\d+) *\(.*action=\((.*)\)$", line):
            out.append((pipeline, int(m.group(1)), m.group(2)))
    return out


def _normalize(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text)
    text = re.sub(r"\s+", " ", text).replace("{ ", "{").replace(" ;", ";")
    return text.replace("{", "{ ").strip()


@pytest.mark.parametrize(("pipeline", "table", "text"), sorted(set(_actions())))
def test_round_trip(pipeline: str, table: int, text: str) -> None:
    formatted = parse_actions(text, pipeline, table).format()
    assert formatted == _normalize(text)
    assert parse_actions(formatted, pipeline, table).format() == formatted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("drop;", "drop;"),
        ("next(pipeline=egress, table=0);", "next(pipeline=egress, table=0);"),
        ("next(3);", "next(3);"),
        ("reg0 = 0x0800; reg1 = 0x0;", "reg0 = 0x800; reg1 = 0;"),
        ("ip4.dst = 10.0.0.0/8;", "ip4.dst = 10.0.0.0/8;"),
        (
            "ct_lb_mark(backends=10.0.0.1:80,10.0.0.2:80; skip_snat);",
            "ct_lb_mark(backends=10.0.0.1:80,10.0.0.2:80; skip_snat);",
        ),
        ("ct_lb(backends=[fd00::1]:80);", "ct_lb(backends=[fd00::1]:80);"),
        ("ct_dnat(10.0.0.5, 100-200);", "ct_dnat(10.0.0.5,100-200);"),
        ("ct_snat_in_czone(fd00::0001);", "ct_snat_in_czone(fd00::1);"),
        ("reg8[16..31] = select(1=50, 2);", "reg8[16..31] = select(1=50, 2=100);"),
        (
            "reg0[3] = put_dhcp_opts(offerip = 10.0.0.5, dns_server = {8.8.8.8,1.1.1.1});",
            "reg0[3] = put_dhcp_opts(offerip = 10.0.0.5, dns_server = {8.8.8.8, 1.1.1.1});",
        ),
        (
            'log(verdict=drop, name="acl1", severity=alert);',
            'log(name="acl1", verdict=drop, severity=alert);',
        ),
        ("set_meter(100, 10); set_queue(5);", "set_meter(100, 10); set_queue(5);"),
        ("ct_commit(ct_mark=0x1/0x1);", "ct_commit(ct_mark=0x1/0x1);"),
        ("ct_commit;", "ct_commit;"),
        ("push(xxreg0); pop(xxreg0);", "push(xxreg0); pop(xxreg0);"),
        (
            "reg9[2] = lookup_arp(inport, arp.spa, arp.sha);",
            "reg9[2] = lookup_arp(inport, arp.spa, arp.sha);",
        ),
        ("outport = get_fdb(eth.dst);", "outport = get_fdb(eth.dst);"),
        (
            "reg0[6] = chk_lb_hairpin(); reg0[12] = chk_lb_hairpin_reply();",
            "reg0[6] = chk_lb_hairpin(); reg0[12] = chk_lb_hairpin_reply();",
        ),
        ("icmp4.frag_mtu = 1442;", "icmp4.frag_mtu = 1442;"),
        ("REGBIT_X = 1;".replace("REGBIT_X", "reg9[1]"), "reg9[1] = 1;"),
        ('bind_vport("vp", inport);', 'bind_vport("vp", inport);'),
        ("reg9[3] = check_pkt_larger(1514);", "reg9[3] = check_pkt_larger(1514);"),
    ],
)
def test_canonical(text: str, expected: str) -> None:
    assert parse_actions(text, "ingress", 5).format() == expected


def test_prereqs() -> None:
    parsed = parse_actions("arp { eth.dst = ff:ff:ff:ff:ff:ff; output; }; ip.ttl--;")
    assert parsed.prereqs == ("ip4", "ip")
    assert "eth.dst" not in parsed.fields  # nested arp keeps its own prerequisites
    assert parse_actions("clone { arp.op = 2; };").fields == ("arp.op",)
