"""Parser of match expressions (grammar and type rules of OVN 23.03 lib/expr.c).

`parse_expr(text, symtab, address_sets=..., port_groups=...)` returns the
un-annotated tree (no prerequisites, predicates not expanded) with negations
pushed into the leaves.  Errors raise ExprSyntaxError with OVN's message and
the 0-based column of the offending token.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ovntwin.errors import ExprSyntaxError
from ovntwin.expr.ast import And, Bool, Cmp, Cond, Expr, Or, Relop, canonical_cmp, combine, negate
from ovntwin.expr.lexer import Token, TokenKind, ValueFormat, syntax_error, tokenize
from ovntwin.expr.symtab import FieldRef, Level, SymbolTable

__all__ = ["Const", "parse_expr", "parse_address_set"]

_MAX_PAREN_DEPTH = 100  # OVN's MAX_PAREN_DEPTH
_RELOPS = {
    TokenKind.EQ: Relop.EQ,
    TokenKind.NE: Relop.NE,
    TokenKind.LT: Relop.LT,
    TokenKind.LE: Relop.LE,
    TokenKind.GT: Relop.GT,
    TokenKind.GE: Relop.GE,
}
_FORMAT_WIDTH = {ValueFormat.IPV4: 32, ValueFormat.IPV6: 128, ValueFormat.ETHERNET: 48}
_EMPTY: Mapping[str, Sequence[str]] = {}


@dataclass(frozen=True, slots=True)
class Const:
    """One constant of a set: an integer (maybe masked) or a string."""

    value: int | str
    mask: int | None = None
    fmt: ValueFormat = ValueFormat.DECIMAL

    def width(self) -> int:
        """Minimum field width for this constant (expr_constant_width)."""
        if self.mask is not None:
            return self.mask.bit_length()
        assert isinstance(self.value, int)
        return _FORMAT_WIDTH.get(self.fmt, self.value.bit_length())


@dataclass(slots=True)
class _ConstSet:
    values: list[Const]
    is_string: bool | None = None  # None while empty
    in_curlies: bool = False
    column: int = 0


def parse_address_set(entries: Sequence[str]) -> list[Const]:
    """Integer constants of an address set; unparseable entries are skipped (as OVN)."""
    out: list[Const] = []
    for entry in entries:
        try:
            tok = tokenize(entry)[0]
        except ExprSyntaxError:
            continue
        if tok.kind in (TokenKind.INTEGER, TokenKind.MASKED_INTEGER):
            assert isinstance(tok.value, int) and tok.format is not None
            out.append(Const(tok.value, tok.mask, tok.format))
    return out


class _Parser:
    def __init__(
        self,
        text: str,
        symtab: SymbolTable,
        address_sets: Mapping[str, Sequence[str]],
        port_groups: Mapping[str, Sequence[str]],
        dp_key: int,
    ) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0
        self.symtab = symtab
        self.address_sets = address_sets
        self.port_groups = port_groups
        self.dp_key = dp_key
        self.negated = False
        self.depth = 0

    # --- token helpers ------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def match(self, kind: TokenKind) -> bool:
        if self.tok.kind == kind:
            self.pos += 1
            return True
        return False

    def expect(self, kind: TokenKind) -> None:
        if not self.match(kind):
            raise syntax_error(self.tok, self.text, f"expecting `{kind.value}'")

    def error(self, message: str, column: int | None = None) -> ExprSyntaxError:
        return ExprSyntaxError(message, self.text, self.tok.column if column is None else column)

    # --- grammar ------------------------------------------------------------

    def parse(self) -> Expr:
        expr = self.expr()
        if self.tok.kind != TokenKind.END:
            raise syntax_error(self.tok, self.text, "expecting end of input")
        return expr

    def expr(self) -> Expr:
        expr = self.not_expr()
        op = self.tok.kind
        if op not in (TokenKind.LOG_AND, TokenKind.LOG_OR):
            return expr
        kind = And if op == TokenKind.LOG_AND else Or
        while self.match(op):
            expr = combine(kind, expr, self.not_expr())
        if self.tok.kind in (TokenKind.LOG_AND, TokenKind.LOG_OR):
            raise self.error("&& and || must be parenthesized when used together.")
        return expr

    def not_expr(self) -> Expr:
        if not self.match(TokenKind.LOG_NOT):
            return self.primary()[0]
        self.negated = not self.negated
        expr, atomic = self.primary()
        self.negated = not self.negated
        if not atomic:
            raise self.error("Missing parentheses around operand of !.")
        return negate(expr)

    def primary(self) -> tuple[Expr, bool]:
        """Returns (expression, atomic) — atomic operands may follow `!`."""
        if self.match(TokenKind.LPAREN):
            if self.depth >= _MAX_PAREN_DEPTH:
                raise self.error("Parentheses nested too deeply.")
            self.depth += 1
            expr = self.expr()
            self.depth -= 1
            self.expect(TokenKind.RPAREN)
            return expr, True
        tok = self.tok
        if tok.kind == TokenKind.TEMPLATE:
            raise self.error("Unexpanded template.")
        if tok.kind == TokenKind.ID:
            return self.field_primary()
        return self.constant_first()

    def field_primary(self) -> tuple[Expr, bool]:
        tok = self.tok
        if self.tokens[self.pos + 1].kind == TokenKind.LPAREN:
            if tok.value == "is_chassis_resident":
                self.pos += 2
                return self.chassis_resident(), True
            raise self.error("parsing function name")
        ref = self.field()
        relop = _RELOPS.get(self.tok.kind)
        if relop is None:
            if not ref.n_bits or self.tok.kind == TokenKind.EQUALS:
                raise syntax_error(self.tok, self.text, "expecting relational operator")
            if ref.n_bits > 1 and not self.negated:
                raise self.error(
                    "Explicit `!= 0' is required for inequality test of multibit field against 0.",
                    tok.column,
                )
            zero = _ConstSet([Const(0, None, ValueFormat.HEXADECIMAL)], False, column=tok.column)
            return self.make_cmp(ref, Relop.NE, zero), True
        self.advance()
        return self.make_cmp(ref, relop, self.constant_set()), False

    def constant_first(self) -> tuple[Expr, bool]:
        c1 = self.constant_set()
        if self.tok.kind not in _RELOPS and _is_boolean_literal(c1):
            return Bool(c1.values[0].value == 1), True
        r1 = self.relop()
        ref = self.field()
        if self.tok.kind not in _RELOPS:
            return self.make_cmp(ref, r1.turned(), c1), False
        r2 = self.relop()
        c2 = self.constant_set()
        lower = (Relop.LT, Relop.LE)
        upper = (Relop.GT, Relop.GE)
        if not ((r1 in lower and r2 in lower) or (r1 in upper and r2 in upper)):
            raise self.error(
                "Range expressions must have the form `x < field < y' or `x > field > y', "
                "with each `<' optionally replaced by `<=' or `>' by `>=').",
                c1.column,
            )
        e1 = self.make_cmp(ref, r1.turned(), c1)
        e2 = self.make_cmp(ref, r2, c2)
        return combine(And, e1, e2), False

    def relop(self) -> Relop:
        relop = _RELOPS.get(self.tok.kind)
        if relop is None:
            raise syntax_error(self.tok, self.text, "expecting relational operator")
        self.advance()
        return relop

    def field(self) -> FieldRef:
        ref, self.pos = self.symtab.parse_field_tokens(self.tokens, self.pos, self.text)
        return ref

    def chassis_resident(self) -> Expr:
        tok = self.tok
        if tok.kind != TokenKind.STRING:
            raise syntax_error(tok, self.text, "expecting string")
        self.advance()
        self.expect(TokenKind.RPAREN)
        assert isinstance(tok.value, str)
        return Cond(tok.value)

    # --- constants ----------------------------------------------------------

    def constant_set(self) -> _ConstSet:
        cs = _ConstSet([], column=self.tok.column)
        if self.match(TokenKind.LCURLY):
            cs.in_curlies = True
            while True:
                self.constant(cs)
                self.match(TokenKind.COMMA)
                if self.match(TokenKind.RCURLY):
                    break
        else:
            self.constant(cs)
        return cs

    def _set_type(self, cs: _ConstSet, is_string: bool) -> None:
        if cs.values and cs.is_string is not None and cs.is_string != is_string:
            want = "string" if cs.is_string else "integer"
            raise syntax_error(self.tok, self.text, f"expecting {want}")
        cs.is_string = is_string

    def constant(self, cs: _ConstSet) -> None:
        tok = self.tok
        kind = tok.kind
        if kind == TokenKind.TEMPLATE:
            raise self.error("Unexpanded template.")
        if kind == TokenKind.STRING:
            self._set_type(cs, True)
            assert isinstance(tok.value, str)
            cs.values.append(Const(tok.value))
        elif kind in (TokenKind.INTEGER, TokenKind.MASKED_INTEGER):
            self._set_type(cs, False)
            assert isinstance(tok.value, int) and tok.format is not None
            cs.values.append(Const(tok.value, tok.mask, tok.format))
        elif kind == TokenKind.MACRO:
            entries = self.address_sets.get(str(tok.value))
            if entries is None:
                raise syntax_error(tok, self.text, "expecting address set name")
            self._set_type(cs, False)
            cs.values.extend(parse_address_set(entries))
        elif kind == TokenKind.PORT_GROUP:
            name = str(tok.value)
            ports = self.port_groups.get(f"{self.dp_key}_{name}")
            if ports is None:
                ports = self.port_groups.get(name)
            if ports is None:
                raise syntax_error(tok, self.text, "expecting port group name")
            self._set_type(cs, True)
            cs.values.extend(Const(p) for p in ports)
        else:
            raise syntax_error(tok, self.text, "expecting constant")
        self.advance()

    # --- comparisons --------------------------------------------------------

    def make_cmp(self, ref: FieldRef, relop: Relop, cs: _ConstSet) -> Expr:
        sym = ref.symbol
        self.type_check(ref, cs)
        col = cs.column
        if relop not in (Relop.EQ, Relop.NE):
            if cs.in_curlies:
                raise self.error("Only == and != operators may be used with value sets.", col)
            if sym.level in (Level.NOMINAL, Level.BOOLEAN):
                raise self.error(
                    f"Only == and != operators may be used with {_level_name(sym.level)} "
                    f"field {sym.name}.",
                    col,
                )
            if not cs.values:
                raise self.error(
                    "Only == and != operators may be used to compare a field against an "
                    "empty value set.",
                    col,
                )
            if cs.values[0].mask is not None:
                raise self.error(
                    "Only == and != operators may be used with masked constants.  Consider "
                    "using subfields instead (e.g. eth.src[0..15] > 0x1111 in place of "
                    "eth.src > 00:00:00:00:11:11/00:00:00:00:ff:ff).",
                    col,
                )
        if sym.level == Level.NOMINAL:
            self.check_nominal(ref, relop, cs)
        if not cs.values:
            return Bool(relop is Relop.NE)
        expr: Expr | None = None
        kind = Or if relop is Relop.EQ else And
        for const in cs.values:
            expr = combine(kind, expr, _leaf(ref, relop, const))
        assert expr is not None
        return expr

    def type_check(self, ref: FieldRef, cs: _ConstSet) -> None:
        sym = ref.symbol
        is_string = bool(cs.is_string)
        if cs.values and is_string != sym.is_string:
            raise self.error(
                f"{'String' if sym.is_string else 'Integer'} field {sym.name} is not "
                f"compatible with {'string' if is_string else 'integer'} constant.",
                cs.column,
            )
        if sym.is_string:
            return
        for const in cs.values:
            w = const.width()
            if w > sym.width:
                raise self.error(
                    f"{w}-bit constant is not compatible with {sym.width}-bit field {sym.name}.",
                    cs.column,
                )

    def check_nominal(self, ref: FieldRef, relop: Relop, cs: _ConstSet) -> None:
        sym = ref.symbol
        if sym.is_predicate:
            for const in cs.values:
                assert isinstance(const.value, int)
                positive = bool(const.value & 1) ^ (relop is Relop.NE) ^ self.negated
                if not positive:
                    n = sym.name
                    raise self.error(
                        f"Nominal predicate {n} may only be tested positively, e.g. `{n}' or "
                        f"`{n} == 1' but not `!{n}' or `{n} == 0'.",
                        cs.column,
                    )
        elif relop is not (Relop.NE if self.negated else Relop.EQ):
            raise self.error(
                f"Nominal field {sym.name} may only be tested for equality (taking enclosing "
                "`!' operators into account).",
                cs.column,
            )


def _level_name(level: Level) -> str:
    return "Boolean" if level == Level.BOOLEAN else level.label


def _is_boolean_literal(cs: _ConstSet) -> bool:
    if len(cs.values) != 1 or cs.in_curlies or cs.is_string:
        return False
    c = cs.values[0]
    return c.fmt == ValueFormat.DECIMAL and c.mask is None and c.value in (0, 1)


def _leaf(ref: FieldRef, relop: Relop, const: Const) -> Cmp:
    """One comparison, constant shifted into the symbol's bit positions."""
    if isinstance(const.value, str):
        return Cmp(ref.symbol, relop, string=const.value)
    bits = (1 << ref.n_bits) - 1
    value = (const.value & bits) << ref.ofs
    mask = ((const.mask if const.mask is not None else bits) & bits) << ref.ofs
    return canonical_cmp(Cmp(ref.symbol, relop, value & mask, mask, None, const.fmt))


def parse_expr(
    text: str,
    symtab: SymbolTable,
    *,
    address_sets: Mapping[str, Sequence[str]] = _EMPTY,
    port_groups: Mapping[str, Sequence[str]] = _EMPTY,
    dp_key: int = 0,
) -> Expr:
    """Parse a match expression.

    `port_groups` maps names to member port names; as ovn-trace does, the
    per-datapath SB name "<dp_key>_<name>" is tried before the plain name.
    """
    return _Parser(text, symtab, address_sets, port_groups, dp_key).parse()
