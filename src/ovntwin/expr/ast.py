"""Expression trees of the match language (immutable).

A comparison holds its constant in the coordinates of the symbol it names
(as OVN's struct expr does): `reg0[3..5] == 2` is `Cmp(reg0, EQ, value=2<<3,
mask=7<<3)`.  Negations are pushed into the leaves while parsing, so there is
no NOT node.  A one-bit `!=` is stored as the equivalent `==` (canonical form).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from ovntwin.expr.lexer import ValueFormat
from ovntwin.expr.symtab import Symbol

__all__ = ["And", "Bool", "Cmp", "Cond", "Expr", "Or", "Relop", "combine"]


class Relop(Enum):
    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="

    def turned(self) -> Relop:
        """The operator after swapping the operands (`a < b` is `b > a`)."""
        return _TURN[self]

    def inverted(self) -> Relop:
        """The operator of the negated comparison."""
        return _INVERT[self]

    def test(self, cmp: int) -> bool:
        """Whether the relation holds for a 3-way comparison result."""
        return _TESTS[self](cmp)


_TURN = {
    Relop.EQ: Relop.EQ,
    Relop.NE: Relop.NE,
    Relop.LT: Relop.GT,
    Relop.LE: Relop.GE,
    Relop.GT: Relop.LT,
    Relop.GE: Relop.LE,
}
_INVERT = {
    Relop.EQ: Relop.NE,
    Relop.NE: Relop.EQ,
    Relop.LT: Relop.GE,
    Relop.LE: Relop.GT,
    Relop.GT: Relop.LE,
    Relop.GE: Relop.LT,
}
_TESTS: dict[Relop, Callable[[int], bool]] = {
    Relop.EQ: lambda c: c == 0,
    Relop.NE: lambda c: c != 0,
    Relop.LT: lambda c: c < 0,
    Relop.LE: lambda c: c <= 0,
    Relop.GT: lambda c: c > 0,
    Relop.GE: lambda c: c >= 0,
}


@dataclass(frozen=True, slots=True)
class Cmp:
    """`symbol relop constant`; for string symbols `string` is the constant."""

    symbol: Symbol
    relop: Relop
    value: int = 0
    mask: int = 0
    string: str | None = None
    # How the constant was written (printing only; not part of equality).
    fmt: ValueFormat = field(default=ValueFormat.DECIMAL, compare=False)

    def negated(self) -> Cmp:
        return canonical_cmp(
            Cmp(self.symbol, self.relop.inverted(), self.value, self.mask, self.string, self.fmt)
        )


@dataclass(frozen=True, slots=True)
class Bool:
    value: bool


@dataclass(frozen=True, slots=True)
class Cond:
    """`is_chassis_resident("port")`, possibly negated."""

    port: str
    negated: bool = False


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Expr, ...]


Expr = Cmp | Bool | Cond | And | Or


def canonical_cmp(cmp: Cmp) -> Cmp:
    """Store a one-bit `!=` as the equivalent `==` (so `x[3]` == `x[3] == 1`)."""
    mask = cmp.mask
    if cmp.relop is Relop.NE and cmp.string is None and mask and not mask & (mask - 1):
        return Cmp(cmp.symbol, Relop.EQ, cmp.value ^ mask, mask, None, cmp.fmt)
    return cmp


def combine(kind: type[And] | type[Or], a: Expr | None, b: Expr) -> Expr:
    """`a AND b` or `a OR b`, flattening nested nodes of the same kind."""
    if a is None:
        return b
    left = a.items if isinstance(a, kind) else (a,)
    right = b.items if isinstance(b, kind) else (b,)
    return kind(left + right)


def negate(expr: Expr) -> Expr:
    """De Morgan push-down of a logical NOT (OVN's expr_not)."""
    if isinstance(expr, Cmp):
        return expr.negated()
    if isinstance(expr, Bool):
        return Bool(not expr.value)
    if isinstance(expr, Cond):
        return Cond(expr.port, not expr.negated)
    if isinstance(expr, And):
        return Or(tuple(negate(e) for e in expr.items))
    return And(tuple(negate(e) for e in expr.items))
