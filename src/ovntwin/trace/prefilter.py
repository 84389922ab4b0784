"""A cheap, sound pre-filter for logical-flow matches.

Most flows of big tables are conjunctions of `field == constant` tests (`outport ==
"p" && reg0 == 10.0.0.5`, `eth.dst == 0a:..`). Before parsing such a flow at all, the
tracer checks those tests against the packet: if one fails, the whole match (which is
that conjunction AND prerequisites) is false, so the flow is skipped unparsed. A term
this module cannot read with certainty (predicates, masks, sets, parentheses) is simply
not checked, so a flow that passes the filter is still evaluated in full.
"""

from __future__ import annotations

import ipaddress

from ovntwin.errors import ExprSyntaxError
from ovntwin.expr.flow import Flow
from ovntwin.expr.symtab import FieldRef, SymbolTable

Check = tuple[FieldRef, int | str]
_SPECIAL = set("(){}|!<>$@/")


def _constant(text: str) -> int | str | None:
    """A plain constant (string, integer, IPv4/IPv6, MAC); None for anything else."""
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        inner = text[1:-1]
        if "\\" in inner:
            return None
        return "" if inner == "none" else inner  # "none" is the null port, stored as ""
    try:
        if text.startswith("0x"):
            return int(text, 16)
        if text.isdigit():
            return int(text)
        if text.count(":") == 5 and all(len(p) == 2 for p in text.split(":")):
            return int(text.replace(":", ""), 16)
        return int(ipaddress.ip_address(text))
    except ValueError:
        return None


class Prefilter:
    """Extracts and caches the `field == constant` tests of match strings."""

    def __init__(self, symtab: SymbolTable) -> None:
        self.symtab = symtab
        self._refs: dict[str, FieldRef | None] = {}
        self._checks: dict[str, tuple[Check, ...]] = {}

    def _ref(self, name: str) -> FieldRef | None:
        if name not in self._refs:
            try:
                ref = self.symtab.resolve(name)
            except ExprSyntaxError:
                ref = None
            usable = ref is not None and (ref.symbol.is_string or ref.n_bits > 0)
            self._refs[name] = ref if usable else None
        return self._refs[name]

    def checks(self, match: str) -> tuple[Check, ...]:
        found = self._checks.get(match)
        if found is None:
            found = self._checks[match] = tuple(self._extract(match))
        return found

    def _extract(self, match: str) -> list[Check]:
        if "||" in match or '\\"' in match:
            return []
        out: list[Check] = []
        for term in match.split(" && "):
            left, sep, right = term.partition(" == ")
            if not sep or _SPECIAL & set(left) or _SPECIAL & set(right.replace('"', "")):
                continue
            ref, value = self._ref(left.strip()), _constant(right.strip())
            if ref is not None and value is not None and _fits(ref, value):
                out.append((ref, value))
        return out

    def passes(self, match: str, flow: Flow) -> bool:
        return all(flow.read_ref(ref) == value for ref, value in self.checks(match))


def _fits(ref: FieldRef, value: int | str) -> bool:
    if ref.symbol.is_string:
        return isinstance(value, str)
    return isinstance(value, int) and value < (1 << ref.n_bits)
