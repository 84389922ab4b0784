"""Printing expression trees.

* `format_expr(e)` — canonical, re-parseable text: `parse_expr(format_expr(e)) == e`.
  Constants keep the notation they were written in (IPs, MACs, decimal).
* `format_ovn(e)` — OVN's expr_format() text (constants of partial masks as
  hexadecimal subfields), used in messages such as "Constraints are ambiguous: ...".
"""

from __future__ import annotations

from collections.abc import Callable

from ovntwin.expr.ast import And, Bool, Cmp, Cond, Expr, Or, Relop
from ovntwin.expr.lexer import ValueFormat, format_integer, format_masked, format_string
from ovntwin.expr.symtab import Level

__all__ = ["format_expr", "format_ovn", "bit_range"]


def bit_range(mask: int) -> tuple[int, int]:
    """(start, n_bits) of the single run of 1-bits in `mask`, or (0, 0)."""
    if mask == 0:
        return 0, 0
    start = (mask & -mask).bit_length() - 1
    run = mask >> start
    if run & (run + 1):
        return 0, 0
    return start, run.bit_length()


def _hex(value: int) -> str:
    return f"0x{value:x}" if value else "0"


def _andor(e: And | Or, cmp: Callable[[Cmp], str], cond: Callable[[Cond], str]) -> str:
    op = " && " if isinstance(e, And) else " || "
    parts = []
    for sub in e.items:
        text = _format(sub, cmp, cond)
        parts.append(f"({text})" if isinstance(sub, And | Or) else text)
    return op.join(parts)


def _format(e: Expr, cmp: Callable[[Cmp], str], cond: Callable[[Cond], str]) -> str:
    if isinstance(e, Cmp):
        return cmp(e)
    if isinstance(e, Bool):
        return "1" if e.value else "0"
    if isinstance(e, Cond):
        return cond(e)
    return _andor(e, cmp, cond)


def _cond(e: Cond) -> str:
    return f"{'!' if e.negated else ''}is_chassis_resident({format_string(e.port)})"


def _bit_name(e: Cmp, ofs: int) -> str:
    """`name` / `!name[3]` form of a one-bit ==/!= comparison."""
    positive = bool(e.value >> ofs & 1) ^ (e.relop is Relop.NE)
    name = e.symbol.name if e.symbol.width == 1 else f"{e.symbol.name}[{ofs}]"
    return name if positive else f"!{name}"


def _canonical_cmp(e: Cmp) -> str:
    sym = e.symbol
    if e.string is not None:
        return f"{sym.name} {e.relop.value} {format_string(e.string)}"
    full = (1 << sym.width) - 1
    ofs, n = bit_range(e.mask)
    one_bit_test = n == 1 and e.relop in (Relop.EQ, Relop.NE)
    if one_bit_test and (sym.level != Level.NOMINAL or sym.is_predicate):
        return _bit_name(e, ofs)
    if e.mask == full:
        return f"{sym.name} {e.relop.value} {format_integer(e.value, e.fmt)}"
    plain = e.fmt in (ValueFormat.DECIMAL, ValueFormat.HEXADECIMAL)
    subfield_ok = n > 0 and sym.level == Level.ORDINAL and plain
    if not subfield_ok:
        fmt = e.fmt if e.fmt != ValueFormat.DECIMAL else ValueFormat.HEXADECIMAL
        return f"{sym.name} {e.relop.value} {format_masked(e.value, e.mask, fmt)}"
    sub = f"{sym.name}[{ofs}]" if n == 1 else f"{sym.name}[{ofs}..{ofs + n - 1}]"
    return f"{sub} {e.relop.value} {format_integer(e.value >> ofs, _shifted_format(e.fmt))}"


def _shifted_format(fmt: ValueFormat) -> ValueFormat:
    # A slice of an address is no longer an address.
    return fmt if fmt in (ValueFormat.DECIMAL, ValueFormat.HEXADECIMAL) else ValueFormat.HEXADECIMAL


def _ovn_cmp(e: Cmp) -> str:
    sym = e.symbol
    if e.string is not None:
        return f"{sym.name} {e.relop.value} {format_string(e.string)}"
    ofs, n = bit_range(e.mask)
    if n == 1 and e.relop in (Relop.EQ, Relop.NE):
        return _bit_name(e, ofs)
    name = sym.name
    if 0 < n < sym.width:
        name += f"[{ofs}]" if n == 1 else f"[{ofs}..{ofs + n - 1}]"
    if n:
        const = _hex(e.value >> ofs & ((1 << n) - 1))
    else:
        const = f"{_hex(e.value)}/{_hex(e.mask)}"
    return f"{name} {e.relop.value} {const}"


def format_expr(e: Expr) -> str:
    """Canonical re-parseable text of `e`."""
    return _format(e, _canonical_cmp, _cond)


def format_ovn(e: Expr) -> str:
    """Text as OVN's expr_format() prints it."""
    return _format(e, _ovn_cmp, _cond)
