"""parse(format(e)) == e for generated expressions, and evaluation agrees."""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from ovntwin.expr import Flow, compile_match, default_symtab, format_expr, parse_expr

ST = default_symtab()

ORDINAL = [
    "reg0",
    "reg9",
    "xreg1",
    "xxreg0",
    "tcp.src",
    "udp.dst",
    "ct_mark",
    "pkt.mark",
    "vlan.tci",
]
ADDRESSES = ["ip4.src", "ip4.dst", "eth.src", "eth.dst", "ip6.dst", "arp.tpa", "nd.target"]
NOMINAL = ["ip.proto", "ip.ttl", "eth.type", "icmp4.type", "arp.op"]
BITS = ["ct.new", "ct.est", "ct.trk", "flags.loopback", "eth.mcast", "ct_label.blocked"]
PREDICATES = ["ip4", "ip6", "tcp", "udp", "arp", "nd_ns", "icmp", "mldv1"]
BOOL_PREDICATES = ["eth.bcast", "ip4.mcast", "ip6.mcast", "vlan.present", "ip.first_frag"]
PORTS = ["a", "b", "none", "vm-1"]


def _width(name: str) -> int:
    return ST[name].width


@st.composite
def ordinal_cmp(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(ORDINAL))
    w = _width(name)
    lo = draw(st.integers(0, w - 1))
    hi = draw(st.integers(lo, min(w - 1, lo + 40)))
    field = draw(st.sampled_from([name, f"{name}[{lo}]", f"{name}[{lo}..{hi}]"]))
    n = hi - lo + 1 if "[" in field and ".." in field else 1 if "[" in field else w
    value = draw(st.integers(0, (1 << n) - 1))
    op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">="]))
    # Decimal constants must be < 2**64 (lexer rule), so wide values are hexadecimal.
    const = draw(st.sampled_from([str(value), hex(value)])) if value < 1 << 64 else hex(value)
    return f"{field} {op} {const}"


@st.composite
def address_cmp(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(ADDRESSES))
    op = draw(st.sampled_from(["==", "!="]))
    if name.startswith("eth"):
        v = draw(st.integers(0, (1 << 48) - 1)).to_bytes(6, "big")
        const = ":".join(f"{b:02x}" for b in v)
    elif name.startswith("ip6") or name.startswith("nd"):
        addr = ipaddress.IPv6Address(draw(st.integers(0, (1 << 128) - 1)))
        const = str(addr) + draw(st.sampled_from(["", "/64", "/10", "/128"]))
    else:
        addr4 = ipaddress.IPv4Address(draw(st.integers(0, (1 << 32) - 1)))
        const = str(addr4) + draw(st.sampled_from(["", "/8", "/24", "/32", "/0"]))
    if draw(st.booleans()):
        const = "{" + const + ", " + const + "}"
    return f"{name} {op} {const}"


@st.composite
def other_atom(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return f"{draw(st.sampled_from(NOMINAL))} == {draw(st.integers(0, 255))}"
    if kind == 1:
        return (
            draw(st.sampled_from(BITS + BOOL_PREDICATES))
            if draw(st.booleans())
            else ("!" + draw(st.sampled_from(BITS + BOOL_PREDICATES)))
        )
    if kind == 2:
        return draw(st.sampled_from(PREDICATES))
    if kind == 3:
        port = draw(st.sampled_from(PORTS))
        return f'{draw(st.sampled_from(["inport", "outport"]))} == "{port}"'
    if kind == 4:
        neg = draw(st.sampled_from(["", "!"]))
        return f'{neg}is_chassis_resident("{draw(st.sampled_from(PORTS))}")'
    return draw(st.sampled_from(["0", "1"]))


atoms = st.one_of(ordinal_cmp(), address_cmp(), other_atom())


def _join(parts: list[str], op: str) -> str:
    return f" {op} ".join(parts)


exprs = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: "(" + _join(xs, "&&") + ")"),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: "(" + _join(xs, "||") + ")"),
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(exprs)
def test_format_round_trips(text: str) -> None:
    e = parse_expr(text, ST)
    printed = format_expr(e)
    again = parse_expr(printed, ST)
    assert again == e, (text, printed)
    assert format_expr(again) == printed


@settings(max_examples=150, deadline=None)
@given(
    exprs,
    st.fixed_dictionaries(
        {
            "dl_type": st.sampled_from([0x800, 0x86DD, 0x806]),
            "nw_proto": st.sampled_from([6, 17, 1, 58]),
            "tp_src": st.integers(0, 65535),
            "xxreg0": st.integers(0, (1 << 128) - 1),
            "ct_state": st.integers(0, 255),
            "nw_src": st.integers(0, (1 << 32) - 1),
        }
    ),
    st.sampled_from(PORTS),
)
def test_formatted_text_evaluates_the_same(text: str, fields: dict[str, int], port: str) -> None:
    flow = Flow(fields, inport=port)
    printed = format_expr(parse_expr(text, ST))
    assert compile_match(text, ST)(flow) == compile_match(printed, ST)(flow)
