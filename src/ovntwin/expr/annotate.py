"""Annotation (OVN's expr_annotate): add prerequisites, expand predicates and
re-target subfields to their parent fields.

The result mentions only FIELD / STRING / OVN_FIELD symbols (plus Bool/Cond)
and has the same shape as OVN's annotated expression, so `format_ovn` of it
reproduces OVN's messages.  An `Annotator` caches the parsed prerequisite and
predicate expansions of one symbol table.
"""

from __future__ import annotations

from ovntwin.errors import ExprSyntaxError
from ovntwin.expr.ast import And, Bool, Cmp, Cond, Expr, Or, Relop, combine, negate
from ovntwin.expr.parser import parse_expr
from ovntwin.expr.symtab import Symbol, SymbolKind, SymbolTable

__all__ = ["Annotator", "unique_symbol"]


def unique_symbol(e: Expr) -> Symbol | None:
    """The one symbol every comparison of `e` mentions, if there is exactly one."""
    if isinstance(e, Cmp):
        return e.symbol
    if isinstance(e, Bool | Cond):
        return None
    prev: Symbol | None = None
    for sub in e.items:
        sym = unique_symbol(sub)
        if sym is None or (prev is not None and sym != prev):
            return None
        prev = sym
    return prev


class Annotator:
    """Annotates expressions over one symbol table (caches expansions)."""

    def __init__(self, symtab: SymbolTable) -> None:
        self.symtab = symtab
        self._expansions: dict[str, Expr] = {}

    def annotate(self, e: Expr) -> Expr:
        return self._annotate(e, True, frozenset())

    # --- internals ----------------------------------------------------------

    def _expansion(self, text: str, nesting: frozenset[str]) -> Expr:
        cached = self._expansions.get(text)
        if cached is not None:
            return cached
        try:
            parsed = parse_expr(text, self.symtab)
            result = self._annotate(parsed, True, nesting)
        except ExprSyntaxError as exc:
            raise ExprSyntaxError(
                f"Error parsing expression `{text}' encountered as prerequisite or "
                f"predicate of initial expression: {exc.message}"
            ) from None
        self._expansions[text] = result
        return result

    def _prereqs(self, sym: Symbol, nesting: frozenset[str]) -> Expr | None:
        return self._expansion(sym.prereqs, nesting) if sym.prereqs else None

    def _annotate(self, e: Expr, append: bool, nesting: frozenset[str]) -> Expr:
        if isinstance(e, Cmp):
            return self._annotate_cmp(e, append, nesting)
        if isinstance(e, Bool | Cond):
            return e
        expr: Expr = e
        if append:
            sym = unique_symbol(e)
            if sym is not None:
                append = False
                prereqs = self._prereqs(sym, nesting)
                if prereqs is not None:
                    expr = combine(And, expr, prereqs)
        assert isinstance(expr, And | Or)
        kind = type(expr)
        out: Expr | None = None
        for sub in expr.items:
            out = combine(kind, out, self._annotate(sub, append, nesting))
        assert out is not None
        return out if isinstance(out, kind) else kind((out,))

    def _annotate_cmp(self, e: Cmp, append: bool, nesting: frozenset[str]) -> Expr:
        sym = e.symbol
        if sym.name in nesting:
            raise ExprSyntaxError(f"Recursive expansion of symbol `{sym.name}'.")
        inner = nesting | {sym.name}
        prereqs = self._prereqs(sym, inner) if append else None
        expr: Expr = e
        if sym.kind == SymbolKind.SUBFIELD:
            parent = self.symtab[sym.parent or ""]
            shift = sym.parent_ofs
            expr = Cmp(parent, e.relop, e.value << shift, e.mask << shift, None, e.fmt)
        elif sym.kind == SymbolKind.PREDICATE:
            assert sym.expansion is not None
            pred = self._expansion(sym.expansion, inner)
            positive = bool(e.value & 1) ^ (e.relop is Relop.NE)
            expr = pred if positive else negate(pred)
        return combine(And, expr, prereqs) if prereqs is not None else expr
