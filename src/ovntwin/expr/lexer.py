"""Tokenizer for the OVN match/action language (behaviour of OVN 23.03 lib/lex.c).

`tokenize(text)` returns the whole token list, always ending with an END token.
Lexical errors raise `ExprSyntaxError(message, text, column)` with OVN's message
texts (e.g. "Decimal constants must not have leading zeros.").

Integer tokens carry `value` (a Python int) and `format` (how they were written);
masked integers also carry `mask` (the value is already ANDed with the mask).
ID/STRING/MACRO/PORT_GROUP/TEMPLATE tokens carry the name/string in `value`.
`text` is always the exact source slice of the token.

`format_integer` / `format_masked` print constants the way OVN's lexer prints
them (used by the expression and action formatters).
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from enum import Enum

from ovntwin.errors import ExprSyntaxError

__all__ = [
    "Token",
    "TokenKind",
    "ValueFormat",
    "format_integer",
    "format_masked",
    "format_token",
    "parse_integer_text",
    "tokenize",
]


class TokenKind(Enum):
    END = "$"
    ID = "id"
    STRING = "string"
    INTEGER = "integer"
    MASKED_INTEGER = "masked integer"
    MACRO = "$name"
    PORT_GROUP = "@name"
    TEMPLATE = "^name"
    LPAREN = "("
    RPAREN = ")"
    LCURLY = "{"
    RCURLY = "}"
    LSQUARE = "["
    RSQUARE = "]"
    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    LOG_NOT = "!"
    LOG_AND = "&&"
    LOG_OR = "||"
    ELLIPSIS = ".."
    COMMA = ","
    SEMICOLON = ";"
    EQUALS = "="
    EXCHANGE = "<->"
    DECREMENT = "--"
    COLON = ":"
    HYPHEN = "-"


class ValueFormat(Enum):
    DECIMAL = "decimal"
    HEXADECIMAL = "hexadecimal"
    IPV4 = "IPv4"
    IPV6 = "IPv6"
    ETHERNET = "Ethernet"


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str
    value: int | str | None = None
    mask: int | None = None
    format: ValueFormat | None = None
    column: int = 0


# Fixed-text tokens, longest first so that "<->" wins over "<=" and "<".
_PUNCT: tuple[tuple[str, TokenKind], ...] = (
    ("<->", TokenKind.EXCHANGE),
    ("==", TokenKind.EQ),
    ("!=", TokenKind.NE),
    ("<=", TokenKind.LE),
    (">=", TokenKind.GE),
    ("&&", TokenKind.LOG_AND),
    ("||", TokenKind.LOG_OR),
    ("..", TokenKind.ELLIPSIS),
    ("--", TokenKind.DECREMENT),
    ("(", TokenKind.LPAREN),
    (")", TokenKind.RPAREN),
    ("{", TokenKind.LCURLY),
    ("}", TokenKind.RCURLY),
    ("[", TokenKind.LSQUARE),
    ("]", TokenKind.RSQUARE),
    ("=", TokenKind.EQUALS),
    ("!", TokenKind.LOG_NOT),
    ("<", TokenKind.LT),
    (">", TokenKind.GT),
    (",", TokenKind.COMMA),
    (";", TokenKind.SEMICOLON),
    ("-", TokenKind.HYPHEN),
)
_LONE_ERRORS = {
    "&": "`&' is only valid as part of `&&'.",
    "|": "`|' is only valid as part of `||'.",
    ".": "`.' is only valid as part of `..' or a number.",
}
_SIGILS = {"$": TokenKind.MACRO, "@": TokenKind.PORT_GROUP, "^": TokenKind.TEMPLATE}
_WHITESPACE = " \t\n\r\v\f"
_HEXDIGITS = "0123456789abcdefABCDEF"
_ID_RE = re.compile(r"[A-Za-z_.][A-Za-z0-9_.]*")
_MAC_RE = re.compile(r"[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}")
_MAX_BITS = 1024  # OVN's union mf_subvalue holds 128 bytes.
_FORMAT_BITS = {ValueFormat.IPV4: 32, ValueFormat.IPV6: 128, ValueFormat.ETHERNET: 48}


def _is_id1(c: str) -> bool:
    return c.isascii() and (c.isalpha() or c in "_.")


def _integer_extent(text: str, pos: int) -> int:
    """End of an integer-like run: alnum, ':' until a '.' was seen, single '.'."""
    end, saw_dot, n = pos, False, len(text)
    while end < n:
        c = text[end]
        if c.isascii() and c.isalnum():
            pass
        elif c == ":" and not saw_dot:
            pass
        elif c == "." and not text.startswith("..", end):
            saw_dot = True
        else:
            break
        end += 1
    return end


def parse_integer_text(word: str) -> tuple[int, ValueFormat]:
    """Parse one unmasked integer constant; raises ValueError(OVN message)."""
    if not word:
        raise ValueError("Integer constant expected.")
    if len(word) == 17 and _MAC_RE.fullmatch(word):
        return int(word.replace(":", ""), 16), ValueFormat.ETHERNET
    if word.isdigit():
        if word[0] == "0" and len(word) > 1:
            raise ValueError("Decimal constants must not have leading zeros.")
        value = int(word)
        if value >= 1 << 64:
            raise ValueError("Decimal constants must be less than 2**64.")
        return value, ValueFormat.DECIMAL
    if word[0] == "0" and word[1] in "xX":
        digits = word[2:]
        if not digits:
            raise ValueError(f"Hex digits expected following 0{word[1]}.")
        if any(c not in _HEXDIGITS for c in digits):
            raise ValueError("Invalid syntax in hexadecimal constant.")
        value = int(digits, 16)
        if value.bit_length() > _MAX_BITS:
            raise ValueError(f"Hexadecimal constant requires more than {_MAX_BITS} bits.")
        return value, ValueFormat.HEXADECIMAL
    if len(word) < 46:  # INET6_ADDRSTRLEN
        for family, fmt in (
            (socket.AF_INET, ValueFormat.IPV4),
            (socket.AF_INET6, ValueFormat.IPV6),
        ):
            try:
                return int.from_bytes(socket.inet_pton(family, word), "big"), fmt
            except OSError:
                continue
    raise ValueError("Invalid numeric constant.")


def _prefix_mask(bits: int, width: int) -> int:
    return ((1 << bits) - 1) << (width - bits)


def _combine_mask(
    value: int, fmt: ValueFormat, mask: int, mask_fmt: ValueFormat
) -> tuple[int, ValueFormat, int]:
    if fmt == mask_fmt:
        return value, fmt, mask
    if fmt == ValueFormat.IPV4 and mask_fmt == ValueFormat.DECIMAL and mask <= 32:
        return value, fmt, _prefix_mask(mask, 32)
    if fmt == ValueFormat.IPV6 and mask_fmt == ValueFormat.DECIMAL and mask <= 128:
        return value, fmt, _prefix_mask(mask, 128)
    if fmt == ValueFormat.DECIMAL and mask_fmt == ValueFormat.HEXADECIMAL and value == 0:
        return value, ValueFormat.HEXADECIMAL, mask  # e.g. 0/0x1234
    raise ValueError("Value and mask have incompatible formats.")


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.tokens: list[Token] = []

    def error(self, message: str, column: int) -> ExprSyntaxError:
        return ExprSyntaxError(message, self.text, column)

    def emit(self, kind: TokenKind, start: int, **kw: object) -> None:
        self.tokens.append(
            Token(kind, self.text[start : self.pos], column=start, **kw)  # type: ignore[arg-type]
        )

    def run(self) -> list[Token]:
        text = self.text
        while True:
            self.skip_blanks()
            if self.pos >= len(text):
                self.tokens.append(Token(TokenKind.END, "", column=len(text)))
                return self.tokens
            self.one_token()

    def skip_blanks(self) -> None:
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if c in _WHITESPACE:
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                newline = text.find("\n", self.pos + 2)
                if end < 0 or 0 <= newline < end:
                    raise self.error("`/*' without matching `*/'.", self.pos)
                self.pos = end + 2
            else:
                return

    def one_token(self) -> None:
        text, start = self.text, self.pos
        c = text[start]
        if c == '"':
            self.string()
        elif c.isdigit() or text.startswith("::", start):
            self.integer()
        elif c in "abcdefABCDEF" and self._hex_then_colon(start):
            self.integer()
        elif _is_id1(c) and c != ".":
            self.identifier(TokenKind.ID, start, start)
        elif c in _SIGILS:
            if start + 1 >= len(text) or not _is_id1(text[start + 1]):
                raise self.error(f"`{c}' must be followed by a valid identifier.", start)
            self.identifier(_SIGILS[c], start, start + 1)
        elif c == ":":
            self.pos += 1
            self.emit(TokenKind.COLON, start)
        elif c == "/":
            raise self.error("`/' is only valid as part of `//' or `/*'.", start)
        else:
            self.punct(start)

    def _hex_then_colon(self, start: int) -> bool:
        end = start
        while end < len(self.text) and self.text[end] in _HEXDIGITS:
            end += 1
        return end < len(self.text) and self.text[end] == ":"

    def punct(self, start: int) -> None:
        text = self.text
        for literal, kind in _PUNCT:
            if text.startswith(literal, start):
                self.pos += len(literal)
                self.emit(kind, start)
                return
        c = text[start]
        if c in _LONE_ERRORS:
            raise self.error(_LONE_ERRORS[c], start)
        if c.isprintable() and c.isascii():
            raise self.error(f"Invalid character `{c}' in input.", start)
        raise self.error(f"Invalid byte 0x{ord(c):x} in input.", start)

    def identifier(self, kind: TokenKind, start: int, name_start: int) -> None:
        m = _ID_RE.match(self.text, name_start)
        assert m is not None
        self.pos = m.end()
        self.emit(kind, start, value=m.group())

    def string(self) -> None:
        text, start = self.text, self.pos
        i = start + 1
        while True:
            if i >= len(text):
                raise self.error("Input ends inside quoted string.", start)
            c = text[i]
            if c == '"':
                break
            i += 2 if c == "\\" else 1
        self.pos = i + 1
        self.emit(TokenKind.STRING, start, value=_unescape(text[start + 1 : i], self, start))

    def integer(self) -> None:
        text, start = self.text, self.pos
        end = _integer_extent(text, start)
        try:
            value, fmt = parse_integer_text(text[start:end])
        except ValueError as exc:
            raise self.error(str(exc), start) from None
        self.pos = end
        if end < len(text) and text[end] == "/":
            mask_end = _integer_extent(text, end + 1)
            try:
                mask, mask_fmt = parse_integer_text(text[end + 1 : mask_end])
                value, fmt, mask = _combine_mask(value, fmt, mask, mask_fmt)
            except ValueError as exc:
                raise self.error(str(exc), start) from None
            self.pos = mask_end
            self.emit(TokenKind.MASKED_INTEGER, start, value=value & mask, mask=mask, format=fmt)
        else:
            self.emit(TokenKind.INTEGER, start, value=value, format=fmt)


_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _unescape(body: str, lexer: _Lexer, column: int) -> str:
    """JSON string unescaping (OVN uses json_string_unescape)."""
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1 : i + 2]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2 : i + 6]):
            out.append(chr(int(body[i + 2 : i + 6], 16)))
            i += 6
        else:
            raise lexer.error("Malformed string escape.", column)
    return "".join(out)


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens; the last one is always END."""
    return _Lexer(text).run()


# --- printing constants as OVN's lexer does ------------------------------------


def _effective_format(fmt: ValueFormat, value: int, mask: int | None) -> ValueFormat:
    """A constant too wide for its written format prints as hexadecimal."""
    limit = 64 if fmt == ValueFormat.DECIMAL else _FORMAT_BITS.get(fmt)
    if limit is None:
        return fmt
    fits = value >> limit == 0 and (mask is None or mask >> limit == 0)
    return fmt if fits else ValueFormat.HEXADECIMAL


def _format_value(value: int, fmt: ValueFormat) -> str:
    if fmt == ValueFormat.DECIMAL:
        return str(value)
    if fmt == ValueFormat.IPV4:
        return socket.inet_ntop(socket.AF_INET, value.to_bytes(4, "big"))
    if fmt == ValueFormat.IPV6:
        return socket.inet_ntop(socket.AF_INET6, value.to_bytes(16, "big"))
    if fmt == ValueFormat.ETHERNET:
        raw = value.to_bytes(6, "big")
        return ":".join(f"{b:02x}" for b in raw)
    return f"0x{value:x}" if value else "0"


def _cidr_bits(mask: int, width: int) -> int | None:
    """Prefix length if `mask` is a CIDR mask of `width` bits, else None."""
    inverted = ~mask & ((1 << width) - 1)
    if inverted & (inverted + 1):
        return None
    return width - inverted.bit_length()


def format_integer(value: int, fmt: ValueFormat) -> str:
    """An unmasked integer constant, in its written format when it fits."""
    return _format_value(value, _effective_format(fmt, value, None))


def format_masked(value: int, mask: int, fmt: ValueFormat) -> str:
    """`value/mask`, with CIDR prefix lengths for IPv4/IPv6 as OVN prints them."""
    eff = _effective_format(fmt, value, mask)
    head = _format_value(value, eff)
    if eff == ValueFormat.IPV4 and (bits := _cidr_bits(mask, 32)) is not None:
        return f"{head}/{bits}"
    if fmt == ValueFormat.IPV6 and (bits := _cidr_bits(mask, 128)) is not None:
        return f"{head}/{bits}"
    return f"{head}/{_format_value(mask, eff)}"


def format_string(s: str) -> str:
    """A JSON-escaped string literal (json_string_escape)."""
    out = ['"']
    for c in s:
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif c == "\r":
            out.append("\\r")
        elif c == "\b":
            out.append("\\b")
        elif c == "\f":
            out.append("\\f")
        elif ord(c) < 0x20:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def format_token(token: Token) -> str:
    """A token re-printed canonically (lex_token_format)."""
    kind = token.kind
    if kind == TokenKind.INTEGER:
        assert isinstance(token.value, int) and token.format is not None
        return format_integer(token.value, token.format)
    if kind == TokenKind.MASKED_INTEGER:
        assert isinstance(token.value, int) and token.format and token.mask is not None
        return format_masked(token.value, token.mask, token.format)
    if kind == TokenKind.STRING:
        assert isinstance(token.value, str)
        return format_string(token.value)
    if kind == TokenKind.ID:
        return str(token.value)
    if kind in (TokenKind.MACRO, TokenKind.PORT_GROUP, TokenKind.TEMPLATE):
        return token.text[0] + str(token.value)
    return str(kind.value)


def syntax_error(token: Token, text: str, message: str | None = None) -> ExprSyntaxError:
    """OVN's "Syntax error at `TOKEN' MESSAGE." located at `token`."""
    where = " at end of input" if token.kind == TokenKind.END else f" at `{token.text}'"
    tail = f" {message}" if message else ""
    return ExprSyntaxError(f"Syntax error{where}{tail}.", text, token.column)
