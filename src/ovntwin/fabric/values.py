"""Small value readers for scenario files: durations, IPs, MACs, OVS map strings.

Every reader takes the reporter and the node's path so a bad value is reported as
`FILE:LINE: what is wrong`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ovntwin.fabric.sourced import SourcedReporter
from ovntwin.loaders.yaml_values import is_mac

Where = tuple[str | int, ...]
Item = Mapping[str, Any]

_UNIT_US = {"s": 1_000_000, "ms": 1_000, "us": 1}


def duration_us(
    item: Item, key: str, where: Where, report: SourcedReporter, default: int | None = None
) -> int | None:
    """`KEY_s`, `KEY_ms` or `KEY_us` of `item` in integer microseconds (at most one given)."""
    given = [f"{key}_{unit}" for unit in _UNIT_US if f"{key}_{unit}" in item]
    if len(given) > 1:
        report.fail((*where, given[1]), f"{given[0]} and {given[1]} both given; use one")
    if not given:
        return default
    name = given[0]
    value = item[name]
    try:
        exact = Decimal(str(value)) * _UNIT_US[name.rsplit("_", 1)[1]]
    except InvalidOperation:
        report.fail((*where, name), f"{name}: {value!r} is not a number")
    if exact != exact.to_integral_value():
        report.fail((*where, name), f"{name}: {value} is not a whole number of microseconds")
    return int(exact)


def required_duration_us(item: Item, key: str, where: Where, report: SourcedReporter) -> int:
    value = duration_us(item, key, where, report)
    if value is None:
        report.fail(where, f"{key}_s (or {key}_ms / {key}_us) is required")
    return value


def ip_address(text: str, where: Where, report: SourcedReporter, what: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        report.fail(where, f"{what}: {text!r} is not an IP address")


def interface(text: str, where: Where, report: SourcedReporter) -> ipaddress.IPv4Interface:
    """`ADDRESS/PREFIX` (IPv4 or IPv6)."""
    if "/" not in text:
        report.fail(where, f"{text!r}: want ADDRESS/PREFIX")
    try:
        return ipaddress.ip_interface(text)  # type: ignore[return-value]
    except ValueError:
        report.fail(where, f"{text!r} is not ADDRESS/PREFIX")


def network(text: str, where: Where, report: SourcedReporter) -> ipaddress.IPv4Network:
    try:
        return ipaddress.ip_network(text, strict=True)  # type: ignore[return-value]
    except ValueError:
        report.fail(where, f"{text!r} is not a network (ADDRESS/PREFIX with no host bits)")


def mac(text: Any, where: Where, report: SourcedReporter) -> str:
    value = str(text)
    if not is_mac(value):
        report.fail(where, f"{value!r} is not a MAC address")
    return value.lower()


def ovs_map(value: Any, where: Where, report: SourcedReporter) -> dict[str, str]:
    """A map given as YAML or in OVS external-id syntax `k1:v1,k2:v2` (split at the
    first colon, so `physnet1:0a:00:00:00:00:01` works)."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    out: dict[str, str] = {}
    for part in str(value).split(","):
        key, sep, val = part.strip().partition(":")
        if not sep or not key or not val:
            report.fail(where, f"{part.strip()!r}: want NAME:VALUE")
        if key in out:
            report.fail(where, f"{key!r} given twice")
        out[key] = val
    return out
