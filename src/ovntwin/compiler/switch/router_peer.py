"""What a switch sees of the routers it is attached to: gateway ports and NAT entries.

A router-type switch port's peer router decides several switch flows: whether the router
has distributed gateway ports (northd's `l3dgw_ports`, found by the context), the name of
a gateway port's chassisredirect twin, and which NAT rows are usable (an `external_ip`
that is exactly one IPv4 or one IPv6 address, like northd's `nat_entry_is_valid`).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ovntwin.compiler.context import CompileContext, Datapath, Port
from ovntwin.model import rows as r


def is_gateway_port(lrp_port: Port | None) -> bool:
    """A distributed gateway port (the context gave it a chassisredirect twin)."""
    return lrp_port is not None and lrp_port.is_l3dgw


def gateway_ports(router: Datapath) -> list[Port]:
    """The router's distributed gateway ports, in NB port order."""
    return router.l3dgw_ports


def cr_json(lrp_port: Port) -> str:
    """The quoted name of a gateway port's chassisredirect port, for match text."""
    assert lrp_port.cr_port is not None
    return lrp_port.cr_port.json_name


@dataclass(frozen=True, slots=True)
class NatEntry:
    """One NAT row whose external_ip northd accepts."""

    nat: r.NAT
    external: ipaddress.IPv4Address | ipaddress.IPv6Address

    @property
    def is_v6(self) -> bool:
        return isinstance(self.external, ipaddress.IPv6Address)

    @property
    def distributed(self) -> bool:
        """A floating IP handled on the chassis of its logical port."""
        nat = self.nat
        return nat.type == "dnat_and_snat" and bool(nat.logical_port) and bool(nat.external_mac)


def router_nats(ctx: CompileContext, router: Datapath) -> list[r.NAT]:
    """Every NAT row of the router, in NB order (valid or not)."""
    assert router.lr is not None
    return list(ctx.nb.resolve(r.NAT, router.lr.nat))


def valid_nat_entries(ctx: CompileContext, router: Datapath) -> list[NatEntry]:
    """The router's NAT rows with exactly one external address, in NB order."""
    entries = []
    for nat in router_nats(ctx, router):
        external = _single_address(nat.external_ip)
        if external is not None:
            entries.append(NatEntry(nat, external))
    return entries


def _single_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The one address in `text` ("IP[/plen]"), or None when there is not exactly one."""
    words = text.split()
    if len(words) != 1:
        return None
    addr_s, _, plen_s = words[0].partition("/")
    try:
        addr = ipaddress.ip_address(addr_s)
    except ValueError:
        return None
    if plen_s and (not plen_s.isdigit() or int(plen_s) > addr.max_prefixlen):
        return None
    return addr
