"""Small converters and syntax checks for YAML topology values."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

_MAC = re.compile(r"[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}")
# `$name` (address set) and `@name` (port group) references in a match expression.
_REFERENCE = re.compile(r"([$@])([A-Za-z_.][A-Za-z0-9_.]*)")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


def scalar_text(value: Any) -> str:
    """An OVSDB string from a YAML scalar (booleans as OVN spells them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def strmap(value: Mapping[str, Any] | None) -> Mapping[str, str]:
    return MappingProxyType({str(k): scalar_text(v) for k, v in (value or {}).items()})


def strings(value: Any) -> tuple[str, ...]:
    """A set-of-strings column: a list, or one string meaning a one-element set."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def is_mac(text: str) -> bool:
    return _MAC.fullmatch(text) is not None


def network_problem(text: str) -> str | None:
    """Why `text` is not a router port network ("IP/PREFIX"), or None if it is one."""
    if "/" not in text:
        return f"network {text!r} has no prefix length (want ADDRESS/PREFIX)"
    try:
        ipaddress.ip_interface(text)
    except ValueError:
        return f"bad network {text!r} (want ADDRESS/PREFIX)"
    return None


def nat_address_problem(text: str, allow_network: bool) -> str | None:
    """Why `text` is not a NAT address (an IP, or an IP network when allowed), or None."""
    try:
        if "/" in text and allow_network:
            ipaddress.ip_network(text, strict=False)
        else:
            ipaddress.ip_address(text)
    except ValueError:
        want = "an IP address or network" if allow_network else "an IP address"
        return f"{text!r} is not {want}"
    return None


def match_references(match: str) -> list[tuple[str, str]]:
    """(sigil, name) for every `$set` / `@group` reference outside quoted strings."""
    unquoted = _QUOTED.sub('""', match)
    return [(m.group(1), m.group(2)) for m in _REFERENCE.finditer(unquoted)]
