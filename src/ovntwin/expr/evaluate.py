"""Evaluating matches against a Flow, as ovn-trace does.

A match text is parsed once, annotated (prerequisites ANDed per comparison,
predicates expanded — exactly OVN's semantics) and compiled into a closure
`Callable[[Flow], bool]`.  `MatchCompiler` caches both steps per text.

String comparisons follow ovn-trace's lookup_port: "" and "none" mean "no
port"; a name that `port_exists` rejects (unknown, or in another datapath)
makes the comparison false whatever the operator.  `is_chassis_resident(p)` is
decided once at compile time (ovn-trace: true for "" and for any known port).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from ovntwin.expr.annotate import Annotator
from ovntwin.expr.ast import And, Bool, Cmp, Cond, Expr, Or, Relop
from ovntwin.expr.flow import Flow
from ovntwin.expr.parser import parse_expr
from ovntwin.expr.symtab import SymbolTable

__all__ = ["Matcher", "MatchCompiler", "compile_expr", "compile_match", "evaluate"]

Matcher = Callable[[Flow], bool]
PortPredicate = Callable[[str], bool]
_EMPTY: Mapping[str, Sequence[str]] = {}


def _always(_port: str) -> bool:
    return True


def _true(_flow: Flow) -> bool:
    return True


def _false(_flow: Flow) -> bool:
    return False


def _const(value: bool) -> Matcher:
    return _true if value else _false


class _Compiler:
    def __init__(
        self, symtab: SymbolTable, is_chassis_resident: PortPredicate, port_exists: PortPredicate
    ) -> None:
        self.symtab = symtab
        self.is_chassis_resident = is_chassis_resident
        self.port_exists = port_exists

    def compile(self, e: Expr) -> Matcher | bool:
        """A closure, or a bool when the result does not depend on the flow."""
        if isinstance(e, Bool):
            return e.value
        if isinstance(e, Cond):
            return self.is_chassis_resident(e.port) ^ e.negated
        if isinstance(e, Cmp):
            return self.cmp(e)
        return self.andor(e)

    def andor(self, e: And | Or) -> Matcher | bool:
        short = isinstance(e, Or)  # the value that decides the whole node
        parts: list[Matcher] = []
        for sub in e.items:
            c = self.compile(sub)
            if isinstance(c, bool):
                if c == short:
                    return short
                continue
            parts.append(c)
        if not parts:
            return not short
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2:
            a, b = parts
            return (lambda f: a(f) or b(f)) if short else (lambda f: a(f) and b(f))
        items = tuple(parts)
        if short:
            return lambda f: any(p(f) for p in items)
        return lambda f: all(p(f) for p in items)

    def cmp(self, e: Cmp) -> Matcher | bool:
        if e.string is not None:
            return self.string_cmp(e)
        base, ofs = self.symtab.base(e.symbol)
        assert base.storage is not None
        storage, shift = base.storage, base.storage_ofs + ofs
        mask, value, relop = e.mask, e.value, e.relop
        if relop is Relop.EQ:
            if shift:
                return lambda f: (f.fields.get(storage, 0) >> shift) & mask == value
            return lambda f: f.fields.get(storage, 0) & mask == value
        if relop is Relop.NE:
            return lambda f: (f.fields.get(storage, 0) >> shift) & mask != value
        test = relop.test
        return lambda f: test(_three_way((f.fields.get(storage, 0) >> shift) & mask, value))

    def string_cmp(self, e: Cmp) -> Matcher | bool:
        assert e.string is not None
        port = "" if e.string == "none" else e.string
        if port and not self.port_exists(port):
            return False  # ovn-trace: an unknown port makes the comparison false
        attr = "inport" if e.symbol.storage == "inport" else "outport"
        if e.relop is Relop.EQ:
            if attr == "inport":
                return lambda f: f.inport == port
            return lambda f: f.outport == port
        if e.relop is Relop.NE:
            if attr == "inport":
                return lambda f: f.inport != port
            return lambda f: f.outport != port
        test = e.relop.test
        return lambda f: test(_three_way(getattr(f, attr), port))


def _three_way(a: int | str, b: int | str) -> int:
    return (a > b) - (a < b)  # type: ignore[operator]


def compile_expr(
    annotated: Expr,
    symtab: SymbolTable,
    *,
    is_chassis_resident: PortPredicate = _always,
    port_exists: PortPredicate = _always,
) -> Matcher:
    """Compile an already annotated expression into a closure."""
    c = _Compiler(symtab, is_chassis_resident, port_exists).compile(annotated)
    return _const(c) if isinstance(c, bool) else c


class MatchCompiler:
    """Parses, annotates and compiles match texts, caching per text.

    Create one per datapath (port existence and port groups are per datapath
    in ovn-trace); pass `annotator` to share the annotation cache between them.
    """

    def __init__(
        self,
        symtab: SymbolTable,
        *,
        address_sets: Mapping[str, Sequence[str]] = _EMPTY,
        port_groups: Mapping[str, Sequence[str]] = _EMPTY,
        dp_key: int = 0,
        is_chassis_resident: PortPredicate = _always,
        port_exists: PortPredicate = _always,
        annotator: Annotator | None = None,
    ) -> None:
        self.symtab = symtab
        self.address_sets = address_sets
        self.port_groups = port_groups
        self.dp_key = dp_key
        self.annotator = annotator or Annotator(symtab)
        self._compiler = _Compiler(symtab, is_chassis_resident, port_exists)
        self._annotated: dict[str, Expr] = {}
        self._compiled: dict[str, Matcher] = {}

    def annotated(self, text: str) -> Expr:
        """The parsed and annotated expression (raises ExprSyntaxError)."""
        e = self._annotated.get(text)
        if e is None:
            parsed = parse_expr(
                text,
                self.symtab,
                address_sets=self.address_sets,
                port_groups=self.port_groups,
                dp_key=self.dp_key,
            )
            e = self._annotated[text] = self.annotator.annotate(parsed)
        return e

    def compile(self, text: str) -> Matcher:
        m = self._compiled.get(text)
        if m is None:
            c = self._compiler.compile(self.annotated(text))
            m = self._compiled[text] = _const(c) if isinstance(c, bool) else c
        return m


def compile_match(
    text: str,
    symtab: SymbolTable,
    address_sets: Mapping[str, Sequence[str]] = _EMPTY,
    port_groups: Mapping[str, Sequence[str]] = _EMPTY,
    *,
    is_chassis_resident: PortPredicate = _always,
    port_exists: PortPredicate = _always,
    dp_key: int = 0,
) -> Matcher:
    """One-off compilation of a match text (use MatchCompiler to cache)."""
    return MatchCompiler(
        symtab,
        address_sets=address_sets,
        port_groups=port_groups,
        dp_key=dp_key,
        is_chassis_resident=is_chassis_resident,
        port_exists=port_exists,
    ).compile(text)


def evaluate(
    expr: Expr,
    flow: Flow,
    symtab: SymbolTable,
    *,
    is_chassis_resident: PortPredicate = _always,
    port_exists: PortPredicate = _always,
) -> bool:
    """Evaluate a parsed (not yet annotated) expression on `flow` (slow path)."""
    annotated = Annotator(symtab).annotate(expr)
    return compile_expr(
        annotated, symtab, is_chassis_resident=is_chassis_resident, port_exists=port_exists
    )(flow)
