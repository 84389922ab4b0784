"""Converters for port attributes: MAC addresses, fixed_ips, allowed_address_pairs."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from ovntwin.api.attributes import ip_address, to_uuid

MAC = re.compile(r"^([0-9a-f]{2})([:-]?)([0-9a-f]{2})(\2[0-9a-f]{2}){4}$")
MAX_ADDRESS_PAIRS = 10  # neutron's max_allowed_address_pair default
NEUTRON_MAC_BASE = "fa:16:3e"  # neutron's default base_mac prefix


def mac_address(value: Any) -> str:
    text = str(value).lower() if isinstance(value, str) else ""
    if not MAC.match(text):
        raise ValueError(f"'{value}' is not a valid MAC address")
    digits = text.replace(":", "").replace("-", "")
    mac = ":".join(digits[i : i + 2] for i in range(0, 12, 2))
    if int(digits[:2], 16) & 1 or mac == "00:00:00:00:00:00":
        raise ValueError(f"'{value}' is not a valid MAC address")
    return mac


def fixed_ips(value: Any) -> list[dict[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"Invalid data format for fixed IP: '{value}'")
    seen: set[str] = set()
    out: list[dict[str, str]] = []
    for item in value:
        if not isinstance(item, dict) or not item or set(item) - {"subnet_id", "ip_address"}:
            raise ValueError(f"Invalid data format for fixed IP: '{item}'")
        entry: dict[str, str] = {}
        if "subnet_id" in item:
            entry["subnet_id"] = to_uuid(item["subnet_id"])
        if "ip_address" in item:
            address = ip_address(item["ip_address"])
            if address in seen:
                raise ValueError(f"Duplicate IP address '{address}'")
            seen.add(address)
            entry["ip_address"] = address
        out.append(entry)
    return out


def _pair_ip(value: Any) -> str:
    try:
        if "/" in str(value):
            net = ipaddress.ip_interface(str(value))
            text = f"{net.ip}/{net.network.prefixlen}"
            multicast = net.ip.is_multicast
        else:
            addr = ipaddress.ip_address(str(value))
            text, multicast = str(addr), addr.is_multicast
    except ValueError:
        raise ValueError(f"'{value}' is not a valid IP address") from None
    if multicast:
        raise ValueError(f"'{value}' is a multicast address and cannot be used")
    return text


def address_pairs(value: Any) -> list[dict[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"'{value}' is not a list")
    if len(value) > MAX_ADDRESS_PAIRS:
        raise ValueError(
            f"The number of allowed address pair exceeds the maximum {MAX_ADDRESS_PAIRS}."
        )
    out: list[dict[str, str]] = []
    for pair in value:
        if not isinstance(pair, dict):
            raise ValueError(f"'{pair}' is not a dictionary")
        unknown = sorted(set(pair) - {"ip_address", "mac_address"})
        if unknown:
            raise ValueError(f"Unrecognized attribute(s) '{', '.join(unknown)}'")
        if "ip_address" not in pair:
            raise ValueError("AllowedAddressPair must contain ip_address")
        entry = {"ip_address": _pair_ip(pair["ip_address"])}
        if pair.get("mac_address") is not None:
            entry["mac_address"] = mac_address(pair["mac_address"])
        if entry in out:
            raise ValueError("Request contains duplicate address pair")
        out.append(entry)
    return out


def uuid_list(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"'{value}' is not a list")
    out = [to_uuid(v) for v in value]
    if len(set(out)) != len(out):
        raise ValueError(f"Duplicate items in the list: '{', '.join(out)}'")
    return out


def fixed_ips_match(value: Any, raw: str) -> bool:
    """`fixed_ips=ip_address=10.0.0.5` / `subnet_id=...` / `ip_address_substr=10.0` filters."""
    key, _, wanted = raw.partition("=")
    if key not in ("ip_address", "subnet_id", "ip_address_substr"):
        return False
    for entry in value or []:
        if key == "ip_address_substr":
            if wanted in entry["ip_address"]:
                return True
        elif entry.get(key) == wanted:
            return True
    return False
