"""Microflows for ovn-trace (OVN's expr_parse_microflow / expr_find_inport).

A microflow is a match expression that pins every field it mentions to one
value.  The annotated expression is expanded into a disjunction of
conjunctions of (storage, value, mask) constraints; no conjunction left means
"Constraints are contradictory.", more than one distinct conjunction means
"Constraints are ambiguous: <annotated expression>." — the texts ovn-trace
prints after "error parsing flow: ".  Unmentioned fields are zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ovntwin.errors import ExprSyntaxError
from ovntwin.expr.annotate import Annotator
from ovntwin.expr.ast import And, Bool, Cmp, Cond, Expr, Or, Relop
from ovntwin.expr.flow import Flow
from ovntwin.expr.format import bit_range, format_ovn
from ovntwin.expr.parser import parse_expr
from ovntwin.expr.symtab import SymbolTable

__all__ = ["find_inport", "parse_microflow"]

_EMPTY: Mapping[str, Sequence[str]] = {}
_MAX_TERMS = 4096  # give up (as "ambiguous") beyond this many alternatives

# A conjunction: storage key -> (value, mask) for integers, or port name for strings.
_Term = dict[str, tuple[int, int] | str]


class _Ambiguous(Exception):
    pass


def _merge(a: _Term, b: _Term) -> _Term | None:
    """The conjunction of two terms, or None if they contradict each other."""
    out = dict(a)
    for key, want in b.items():
        have = out.get(key)
        if have is None:
            out[key] = want
        elif isinstance(have, str) or isinstance(want, str):
            if have != want:
                return None
        else:
            (v1, m1), (v2, m2) = have, want
            if (v1 ^ v2) & m1 & m2:
                return None
            out[key] = (v1 | v2, m1 | m2)
    return out


def _dedup(terms: list[_Term]) -> list[_Term]:
    seen: list[_Term] = []
    for t in terms:
        if t not in seen:
            seen.append(t)
    if len(seen) > _MAX_TERMS:
        raise _Ambiguous
    return seen


class _Expander:
    def __init__(self, symtab: SymbolTable) -> None:
        self.symtab = symtab

    def terms(self, e: Expr) -> list[_Term]:
        if isinstance(e, Bool):
            return [{}] if e.value else []
        if isinstance(e, Cond):
            # Microflows are not chassis specific: is_chassis_resident() is true.
            return [] if e.negated else [{}]
        if isinstance(e, Cmp):
            return self.cmp_terms(e)
        if isinstance(e, Or):
            return _dedup([t for sub in e.items for t in self.terms(sub)])
        acc: list[_Term] = [{}]
        for sub in e.items:
            alternatives = self.terms(sub)
            merged = [_merge(a, b) for a in acc for b in alternatives]
            acc = _dedup([m for m in merged if m is not None])
            if not acc:
                return []
        return acc

    def cmp_terms(self, e: Cmp) -> list[_Term]:
        if e.string is not None:
            if e.relop is not Relop.EQ:
                raise _Ambiguous
            port = "" if e.string == "none" else e.string
            return [{str(e.symbol.storage): port}]
        base, ofs = self.symtab.base(e.symbol)
        key, shift = str(base.storage), base.storage_ofs + ofs
        return [{key: (v << shift, m << shift)} for v, m in _simplify(e)]


def _simplify(e: Cmp) -> list[tuple[int, int]]:
    """The comparison as alternatives of masked equalities (OVN's expr_simplify)."""
    value, mask, relop = e.value, e.mask, e.relop
    if relop is Relop.EQ:
        return [(value, mask)]
    if relop is Relop.NE:
        return [(~value & (1 << i), 1 << i) for i in range(mask.bit_length()) if mask >> i & 1]
    start, n = bit_range(mask)
    end = start + n
    lt = relop in (Relop.LT, Relop.LE)
    eq = relop in (Relop.LE, Relop.GE)
    bits = [(value >> i) & 1 for i in range(start, end)]
    if all(b == (1 if lt else 0) for b in bits):
        # "x >= 0" is always true; "x > 0" is "x != 0".
        if eq:
            return [(0, 0)]
        return _simplify(Cmp(e.symbol, Relop.NE, value, mask))
    out: list[tuple[int, int]] = [(value, mask)] if eq else []
    for z in range(start, end):
        if ((value >> z) & 1) == (1 if lt else 0):
            low = ((1 << (z - start)) - 1) << start
            out.append(((value ^ (1 << z)) & ~low, mask & ~low))
    return out


def parse_microflow(
    text: str,
    symtab: SymbolTable,
    *,
    address_sets: Mapping[str, Sequence[str]] = _EMPTY,
    port_groups: Mapping[str, Sequence[str]] = _EMPTY,
    annotator: Annotator | None = None,
) -> Flow:
    """The Flow described by microflow `text`; raises ExprSyntaxError with
    ovn-trace's message (print it as "error parsing flow: " + message)."""
    parsed = parse_expr(text, symtab, address_sets=address_sets, port_groups=port_groups)
    annotated = (annotator or Annotator(symtab)).annotate(parsed)
    ambiguous = ExprSyntaxError(f"Constraints are ambiguous: {format_ovn(annotated)}.", text)
    try:
        terms = _Expander(symtab).terms(annotated)
    except _Ambiguous:
        raise ambiguous from None
    if not terms:
        raise ExprSyntaxError("Constraints are contradictory.", text)
    if len(terms) > 1:
        raise ambiguous
    flow = Flow()
    for key, constraint in terms[0].items():
        if isinstance(constraint, str):
            setattr(flow, key, constraint)
        elif constraint[0] and key not in _IGNORED_BY_OVS:
            flow.set(key, constraint[0])
    return flow


# ip.dscp / ip.ecn are 6- and 2-bit OVS fields that take no mask and sit in one byte:
# OVS's mf_set silently ignores such a partial constraint, so ovn-trace leaves them 0.
_IGNORED_BY_OVS = frozenset({"nw_tos", "nw_ecn"})


def _inports(e: Expr, out: list[str]) -> None:
    if isinstance(e, Cmp):
        if e.symbol.name == "inport" and e.string is not None and e.relop is Relop.EQ:
            if e.string not in out:
                out.append(e.string)
    elif isinstance(e, And | Or):
        for sub in e.items:
            _inports(sub, out)


def find_inport(
    text: str,
    symtab: SymbolTable,
    *,
    address_sets: Mapping[str, Sequence[str]] = _EMPTY,
    port_groups: Mapping[str, Sequence[str]] = _EMPTY,
) -> str:
    """The single inport a microflow names (ovn-trace picks the datapath from it)."""
    parsed = parse_expr(text, symtab, address_sets=address_sets, port_groups=port_groups)
    found: list[str] = []
    _inports(parsed, found)
    if not found:
        raise ExprSyntaxError("flow match expression does not match on inport", text)
    if len(found) > 1:
        raise ExprSyntaxError("flow match expression matches on multiple inports", text)
    return found[0]
