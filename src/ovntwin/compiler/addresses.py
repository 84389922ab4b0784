"""Port addresses as northd sees them (lib/ovn-util.c `lport_addresses`).

`parse_lsp_addresses("MAC IP...")` reads one Logical_Switch_Port `addresses` entry,
`parse_lrp_networks(mac, networks)` a router port (which always gains the IPv6
link-local address derived from its MAC, appended after the configured networks).
Strings are kept in the exact form northd prints them (inet_ntop).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IPv4NetAddr:
    addr: ipaddress.IPv4Address
    plen: int

    @property
    def network(self) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Network((int(self.addr), self.plen), strict=False)

    @property
    def addr_s(self) -> str:
        return str(self.addr)

    @property
    def network_s(self) -> str:
        return str(self.network.network_address)

    @property
    def bcast_s(self) -> str:
        return str(self.network.broadcast_address)


@dataclass(frozen=True, slots=True)
class IPv6NetAddr:
    addr: ipaddress.IPv6Address
    plen: int

    @property
    def network(self) -> ipaddress.IPv6Network:
        return ipaddress.IPv6Network((int(self.addr), self.plen), strict=False)

    @property
    def addr_s(self) -> str:
        return str(self.addr)

    @property
    def network_s(self) -> str:
        return str(self.network.network_address)

    @property
    def sn_addr(self) -> ipaddress.IPv6Address:
        """Solicited-node multicast address ff02::1:ffXX:XXXX (RFC 4291)."""
        low24 = int(self.addr) & 0xFFFFFF
        return ipaddress.IPv6Address(int(ipaddress.IPv6Address("ff02::1:ff00:0")) | low24)

    @property
    def sn_addr_s(self) -> str:
        return str(self.sn_addr)

    @property
    def is_lla(self) -> bool:
        return self.addr.is_link_local


@dataclass(frozen=True, slots=True)
class LportAddresses:
    ea_s: str  # MAC, lower-case xx:xx:xx:xx:xx:xx
    ipv4_addrs: tuple[IPv4NetAddr, ...] = ()
    ipv6_addrs: tuple[IPv6NetAddr, ...] = ()


def normalize_mac(text: str) -> str | None:
    parts = text.split(":")
    if len(parts) != 6:
        return None
    try:
        return ":".join(f"{int(p, 16):02x}" for p in parts if len(p) <= 2 and p)
    except ValueError:
        return None


def lla_from_mac(mac: str) -> ipaddress.IPv6Address:
    """EUI-64 link-local address (in6_generate_lla)."""
    b = [int(x, 16) for x in mac.split(":")]
    eui = [b[0] ^ 0x02, b[1], b[2], 0xFF, 0xFE, b[3], b[4], b[5]]
    return ipaddress.IPv6Address(bytes([0xFE, 0x80] + [0] * 6 + eui))


def _parse_ip(text: str) -> IPv4NetAddr | IPv6NetAddr | None:
    """An address with optional /plen; None if it is neither IPv4 nor IPv6."""
    addr_s, _, plen_s = text.partition("/")
    try:
        addr = ipaddress.ip_address(addr_s)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv4Address):
        plen = int(plen_s) if plen_s.isdigit() else 32
        return IPv4NetAddr(addr, plen) if plen <= 32 else None
    plen = int(plen_s) if plen_s.isdigit() else 128
    return IPv6NetAddr(addr, plen) if plen <= 128 else None


def parse_lsp_addresses(entry: str) -> LportAddresses | None:
    """One `addresses` entry "MAC [IP...]"; None when it does not start with a MAC."""
    words = entry.split()
    if not words:
        return None
    mac = normalize_mac(words[0])
    if mac is None:
        return None
    v4: list[IPv4NetAddr] = []
    v6: list[IPv6NetAddr] = []
    for word in words[1:]:
        ip = _parse_ip(word)
        if isinstance(ip, IPv4NetAddr):
            v4.append(ip)
        elif isinstance(ip, IPv6NetAddr):
            v6.append(ip)
    return LportAddresses(mac, tuple(v4), tuple(v6))


def parse_lrp_networks(mac: str, networks: tuple[str, ...] | list[str]) -> LportAddresses | None:
    """A router port's MAC and networks, plus its link-local address; None for a bad MAC."""
    ea = normalize_mac(mac)
    if ea is None:
        return None
    v4: list[IPv4NetAddr] = []
    v6: list[IPv6NetAddr] = []
    for net in networks:
        ip = _parse_ip(net)
        if isinstance(ip, IPv4NetAddr) and int(ip.addr) != 0:
            v4.append(ip)
        elif isinstance(ip, IPv6NetAddr):
            v6.append(ip)
    v6.append(IPv6NetAddr(lla_from_mac(ea), 64))
    return LportAddresses(ea, tuple(v4), tuple(v6))


def is_dynamic_entry(entry: str) -> bool:
    """`dynamic`, `dynamic IP4`, `dynamic [IP4] IP6` or `MAC dynamic` (IPAM-assigned)."""
    words = entry.split()
    if words[:1] == ["dynamic"]:
        return (
            all(_parse_ip(w) is not None and "/" not in w for w in words[1:3]) and len(words) <= 3
        )
    return len(words) == 2 and words[1] == "dynamic" and normalize_mac(words[0]) is not None
