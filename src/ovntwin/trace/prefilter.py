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

Check = tuple[FieldRef, int | str, int]  # field, value, mask (-1 = exact)
_SPECIAL = set("(){}|!<>$@")


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

    def _masked(self, text: str, ref: FieldRef) -> tuple[int, int] | None:
        """`value/mask` or `addr/plen` as (value, mask); None when not plainly readable."""
        value_s, _, mask_s = text.partition("/")
        value = _constant(value_s)
        if not isinstance(value, int) or ref.symbol.is_string:
            return None
        if mask_s.isdigit() and ("." in value_s or ":" in value_s):
            plen = int(mask_s)
            if plen > ref.n_bits:
                return None
            mask = ((1 << plen) - 1) << (ref.n_bits - plen)
        else:
            m = _constant(mask_s)
            if not isinstance(m, int):
                return None
            mask = m
        return value & mask, mask

    def _extract(self, match: str) -> list[Check]:
        if "||" in match or '\\"' in match:
            return []
        out: list[Check] = []
        for term in match.split(" && "):
            left, sep, right = term.partition(" == ")
            if not sep or _SPECIAL & set(left) or _SPECIAL & set(right.replace('"', "")):
                continue
            ref = self._ref(left.strip())
            if ref is None:
                continue
            right = right.strip()
            if "/" in right:
                masked = self._masked(right, ref)
                if masked is not None and masked[0] < (1 << ref.n_bits):
                    out.append((ref, masked[0], masked[1]))
                continue
            value = _constant(right)
            if value is not None and _fits(ref, value):
                out.append((ref, value, -1))
        return out

    def passes(self, match: str, flow: Flow) -> bool:
        for ref, value, mask in self.checks(match):
            got = flow.read_ref(ref)
            if mask != -1 and isinstance(got, int):
                got &= mask
            if got != value:
                return False
        return True


def _fits(ref: FieldRef, value: int | str) -> bool:
    if ref.symbol.is_string:
        return isinstance(value, str)
    return isinstance(value, int) and value < (1 << ref.n_bits)
