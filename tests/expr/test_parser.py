from __future__ import annotations

import re
from pathlib import Path

import pytest

from ovntwin.errors import ExprSyntaxError
from ovntwin.expr import (
    And,
    Bool,
    Cmp,
    Level,
    Or,
    Relop,
    SymbolKind,
    default_symtab,
    format_expr,
    parse_expr,
)
from ovntwin.expr.annotate import Annotator

ST = default_symtab()
DATA = Path(__file__).parent / "data"


def test_subfield_constant_is_shifted() -> None:
    e = parse_expr("reg0[3..5] == 2", ST)
    assert isinstance(e, Cmp)
    assert (e.symbol.name, e.relop, e.value, e.mask) == ("reg0", Relop.EQ, 2 << 3, 7 << 3)


def test_bare_bit_and_negation() -> None:
    assert parse_expr("ct.trk", ST) == parse_expr("ct.trk == 1", ST)
    assert parse_expr("!ct.trk", ST) == parse_expr("ct.trk == 0", ST)
    assert parse_expr("!reg0", ST) == parse_expr("reg0 == 0", ST)


def test_sets_and_negated_sets() -> None:
    e = parse_expr("ip4.src == {10.0.0.1, 10.0.0.2}", ST)
    assert isinstance(e, Or) and len(e.items) == 2
    e = parse_expr("tcp.dst != {80, 443}", ST)
    assert isinstance(e, And) and all(isinstance(c, Cmp) and c.relop is Relop.NE for c in e.items)
    empty = {"empty": ["not-an-address"]}
    assert parse_expr("ip4.src == $empty", ST, address_sets=empty) == Bool(False)
    assert parse_expr("ip4.src != $empty", ST, address_sets=empty) == Bool(True)
    with pytest.raises(ExprSyntaxError, match="expecting constant"):
        parse_expr("ip4.src == {}", ST)


def test_range_and_constant_first() -> None:
    e = parse_expr("1024 <= tcp.src <= 49151", ST)
    assert isinstance(e, And)
    assert [(c.relop, c.value) for c in e.items if isinstance(c, Cmp)] == [
        (Relop.GE, 1024),
        (Relop.LE, 49151),
    ]
    assert parse_expr("80 == tcp.dst", ST) == parse_expr("tcp.dst == 80", ST)


def test_address_sets_and_port_groups() -> None:
    sets = {"as1": ["10.0.0.1", "10.0.1.0/24", "bogus"]}
    e = parse_expr("ip4.src == $as1", ST, address_sets=sets)
    assert isinstance(e, Or) and len(e.items) == 2
    groups = {"7_pg": ["p1", "p2"], "pg": ["x"]}
    e = parse_expr("inport == @pg", ST, port_groups=groups, dp_key=7)
    assert format_expr(e) == 'inport == "p1" || inport == "p2"'
    assert format_expr(parse_expr("inport == @pg", ST, port_groups=groups)) == 'inport == "x"'


def test_booleans_and_chassis_resident() -> None:
    assert parse_expr("1", ST) == Bool(True)
    assert parse_expr("0", ST) == Bool(False)
    assert format_expr(parse_expr('!is_chassis_resident("cr-x")', ST)) == (
        '!is_chassis_resident("cr-x")'
    )


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("foo == 1", "Syntax error at `foo' expecting field name.", 0),
        (
            "ip4.src == 1 && ip4.dst == 2 || tcp",
            "&& and || must be parenthesized when used together.",
            29,
        ),
        (
            'inport != "a"',
            "Nominal field inport may only be tested for equality (taking enclosing `!' "
            "operators into account).",
            10,
        ),
        (
            '!(inport == "a")',
            "Nominal field inport may only be tested for equality (taking enclosing `!' "
            "operators into account).",
            12,
        ),
        (
            "!ip4",
            "Nominal predicate ip4 may only be tested positively, e.g. `ip4' or `ip4 == 1' "
            "but not `!ip4' or `ip4 == 0'.",
            1,
        ),
        ("ip.ttl < 4", "Only == and != operators may be used with nominal field ip.ttl.", 9),
        ("eth.bcast < 1", "Only == and != operators may be used with Boolean field eth.bcast.", 12),
        ("tcp.dst < {1, 2}", "Only == and != operators may be used with value sets.", 10),
        (
            "ip4.src < 10.0.0.0/8",
            "Only == and != operators may be used with masked constants.  Consider using "
            "subfields instead (e.g. eth.src[0..15] > 0x1111 in place of "
            "eth.src > 00:00:00:00:11:11/00:00:00:00:ff:ff).",
            10,
        ),
        ("tcp.dst == 65536", "17-bit constant is not compatible with 16-bit field tcp.dst.", 11),
        ("ip4.src == ::1", "128-bit constant is not compatible with 32-bit field ip4.src.", 11),
        ('ip4.src == "x"', "Integer field ip4.src is not compatible with string constant.", 11),
        ("inport == 1", "String field inport is not compatible with integer constant.", 10),
        ("reg0", "Explicit `!= 0' is required for inequality test of multibit field against 0.", 0),
        (
            "!ct.trk && ip4.src",
            "Explicit `!= 0' is required for inequality test of multibit field against 0.",
            11,
        ),
        ("!ip4.src == 1", "Missing parentheses around operand of !.", 13),
        ("ip.proto[0] == 1", "Cannot select subfield of nominal field ip.proto.", 0),
        ("reg0[32] == 1", "Cannot select bits 32 to 32 of 32-bit field reg0.", 0),
        ("reg0[5..3] == 1", "Invalid bit range 5 to 3.", 0),
        ("inport[0]", "Cannot select subfield of string field inport.", 6),
        ("tcp.dst ==", "Syntax error at end of input expecting constant.", 10),
        ("tcp.dst = 80", "Syntax error at `=' expecting relational operator.", 8),
        ("(tcp", "Syntax error at end of input expecting `)'.", 4),
        ("tcp tcp", "Syntax error at `tcp' expecting end of input.", 4),
        (
            "1 < tcp.dst == 5",
            "Range expressions must have the form `x < field < y' or `x > field > y', "
            "with each `<' optionally replaced by `<=' or `>' by `>=').",
            0,
        ),
        ("ip4.src == $nope", "Syntax error at `$nope' expecting address set name.", 11),
        ("inport == @nope", "Syntax error at `@nope' expecting port group name.", 10),
        ('ip4.src == {1.2.3.4, "x"}', 'Syntax error at `"x"\' expecting integer.', 21),
        ("foo(1)", "parsing function name", 0),
        ("^tmpl == 1", "Unexpanded template.", 0),
    ],
)
def test_errors(text: str, message: str, column: int) -> None:
    with pytest.raises(ExprSyntaxError) as info:
        parse_expr(text, ST)
    assert info.value.message == message
    assert info.value.column == column
    assert info.value.render() == f"{message}\n{text}\n{' ' * column}^"


def test_parenthesis_depth_limit() -> None:
    with pytest.raises(ExprSyntaxError, match="Parentheses nested too deeply"):
        parse_expr("(" * 101 + "1" + ")" * 101, ST)
    parse_expr("(" * 100 + "1" + ")" * 100, ST)


def _expansion_level(text: str) -> Level:
    """OVN's expr_get_level of a parsed (un-annotated) expression."""

    def level(e: object) -> Level:
        if isinstance(e, Cmp):
            return Level.NOMINAL if e.symbol.level == Level.NOMINAL else Level.BOOLEAN
        if isinstance(e, And | Or):
            return min((level(s) for s in e.items), default=Level.ORDINAL)
        return Level.BOOLEAN

    return level(parse_expr(text, ST))


def test_predicate_levels_match_their_expansions() -> None:
    for sym in ST:
        if sym.kind == SymbolKind.PREDICATE:
            assert sym.expansion is not None
            assert sym.level == _expansion_level(sym.expansion), sym.name


def test_every_prerequisite_and_predicate_annotates() -> None:
    annotator = Annotator(ST)
    for sym in ST:
        bare = sym.name if sym.width == 1 or sym.is_predicate else None
        text = bare or (f'{sym.name} == "x"' if sym.is_string else f"{sym.name} == 0")
        if sym.kind == SymbolKind.OVN_FIELD:
            continue
        annotator.annotate(parse_expr(text, ST))


def _lflow_matches() -> list[str]:
    out = []
    for line in (DATA / "lflows.txt").read_text().splitlines():
        m = re.search(r"match=\((.*)\), action=\(", line)
        if m:
            out.append(m.group(1))
    return sorted(set(out))


@pytest.mark.parametrize("text", _lflow_matches())
def test_northd_matches_parse_format_and_annotate(text: str) -> None:
    sets = {"svc_monitor_mac": ["0a:00:00:00:00:fe"]}
    e = parse_expr(text, ST, address_sets=sets)
    printed = format_expr(e)
    assert parse_expr(printed, ST, address_sets=sets) == e
    Annotator(ST).annotate(e)
