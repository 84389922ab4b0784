from __future__ import annotations

import pytest

from ovntwin.errors import ExprSyntaxError
from ovntwin.expr import TokenKind, ValueFormat, format_token, tokenize


def kinds(text: str) -> list[TokenKind]:
    return [t.kind for t in tokenize(text)]


def test_punctuation() -> None:
    assert kinds("( ) { } [ ] == != < <= > >= ! && || .. , ; = <-> -- : -") == [
        TokenKind.LPAREN,
        TokenKind.RPAREN,
        TokenKind.LCURLY,
        TokenKind.RCURLY,
        TokenKind.LSQUARE,
        TokenKind.RSQUARE,
        TokenKind.EQ,
        TokenKind.NE,
        TokenKind.LT,
        TokenKind.LE,
        TokenKind.GT,
        TokenKind.GE,
        TokenKind.LOG_NOT,
        TokenKind.LOG_AND,
        TokenKind.LOG_OR,
        TokenKind.ELLIPSIS,
        TokenKind.COMMA,
        TokenKind.SEMICOLON,
        TokenKind.EQUALS,
        TokenKind.EXCHANGE,
        TokenKind.DECREMENT,
        TokenKind.COLON,
        TokenKind.HYPHEN,
        TokenKind.END,
    ]


@pytest.mark.parametrize(
    ("text", "value", "fmt"),
    [
        ("0", 0, ValueFormat.DECIMAL),
        ("123", 123, ValueFormat.DECIMAL),
        ("0x800", 0x800, ValueFormat.HEXADECIMAL),
        ("10.0.0.1", 0x0A000001, ValueFormat.IPV4),
        ("::1", 1, ValueFormat.IPV6),
        ("fe80::1", (0xFE80 << 112) | 1, ValueFormat.IPV6),
        ("::ffff:1.2.3.4", 0xFFFF01020304, ValueFormat.IPV6),
        ("00:00:00:00:00:0a", 10, ValueFormat.ETHERNET),
        ("fa:16:3e:00:01:01", 0xFA163E000101, ValueFormat.ETHERNET),
    ],
)
def test_integers(text: str, value: int, fmt: ValueFormat) -> None:
    (tok, end) = tokenize(text)
    assert tok.kind == TokenKind.INTEGER
    assert (tok.value, tok.format, tok.column, tok.text) == (value, fmt, 0, text)
    assert end.kind == TokenKind.END


@pytest.mark.parametrize(
    ("text", "value", "mask", "printed"),
    [
        ("10.0.0.0/8", 0x0A000000, 0xFF000000, "10.0.0.0/8"),
        ("10.1.2.3/8", 0x0A000000, 0xFF000000, "10.0.0.0/8"),
        ("fe80::/10", 0xFE80 << 112, ((1 << 10) - 1) << 118, "fe80::/10"),
        ("0/0x1234", 0, 0x1234, "0/0x1234"),
        ("0x12/0xf0", 0x10, 0xF0, "0x10/0xf0"),
        ("10.0.0.1/255.255.0.255", 0x0A000001, 0xFFFF00FF, "10.0.0.1/255.255.0.255"),
        (
            "01:00:00:00:00:00/01:00:00:00:00:00",
            1 << 40,
            1 << 40,
            "01:00:00:00:00:00/01:00:00:00:00:00",
        ),
    ],
)
def test_masked(text: str, value: int, mask: int, printed: str) -> None:
    tok = tokenize(text)[0]
    assert tok.kind == TokenKind.MASKED_INTEGER
    assert (tok.value, tok.mask) == (value, mask)
    assert format_token(tok) == printed


def test_ids_sigils_strings_and_columns() -> None:
    toks = tokenize('ip4.src $as_1 @pg.x ^tmpl "a\\"b" ct.trk')
    assert [(t.kind, t.value, t.column) for t in toks[:-1]] == [
        (TokenKind.ID, "ip4.src", 0),
        (TokenKind.MACRO, "as_1", 8),
        (TokenKind.PORT_GROUP, "pg.x", 14),
        (TokenKind.TEMPLATE, "tmpl", 20),
        (TokenKind.STRING, 'a"b', 26),
        (TokenKind.ID, "ct.trk", 33),
    ]


def test_ip_port_and_range_split() -> None:
    assert [t.text for t in tokenize("1.2.3.4:80 reg0[0..15] xyz:")] == [
        "1.2.3.4",
        ":",
        "80",
        "reg0",
        "[",
        "0",
        "..",
        "15",
        "]",
        "xyz",
        ":",
        "",
    ]


def test_comments() -> None:
    assert [t.text for t in tokenize("a /* c */ b // rest\nc")] == ["a", "b", "c", ""]


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("x == 01", "Decimal constants must not have leading zeros.", 5),
        ("x == 0x", "Hex digits expected following 0x.", 5),
        ("x == 0xg", "Invalid syntax in hexadecimal constant.", 5),
        ("x == 1.2.3", "Invalid numeric constant.", 5),
        ("x == 18446744073709551616", "Decimal constants must be less than 2**64.", 5),
        ("x == 1.2.3.4/0x12", "Value and mask have incompatible formats.", 5),
        ("a & b", "`&' is only valid as part of `&&'.", 2),
        ("a | b", "`|' is only valid as part of `||'.", 2),
        ("a / b", "`/' is only valid as part of `//' or `/*'.", 2),
        ("a . b", "`.' is only valid as part of `..' or a number.", 2),
        ('"abc', "Input ends inside quoted string.", 0),
        ("a /* b", "`/*' without matching `*/'.", 2),
        ("$1", "`$' must be followed by a valid identifier.", 0),
        ("a # b", "Invalid character `#' in input.", 2),
    ],
)
def test_errors(text: str, message: str, column: int) -> None:
    with pytest.raises(ExprSyntaxError) as info:
        tokenize(text)
    assert info.value.message == message
    assert info.value.column == column
    assert info.value.render().endswith("\n" + " " * column + "^")


def test_format_wide_values_fall_back_to_hex() -> None:
    tok = tokenize("0xffffffffffffffffff")[0]
    assert format_token(tok) == "0xffffffffffffffffff"
    assert format_token(tokenize("0x0800")[0]) == "0x800"
