"""The NAT view of one logical router: which rules apply, where, and how.

northd only programs NAT on gateway routers (`options:chassis`) and on routers with
distributed gateway ports (DGPs).  `RouterNat.of(rf)` reads a router's NAT rows once
and answers every question the NAT builders ask:

- `rules`: rows that pass northd's validity checks, each with its family, the prefix
  length of its logical IP, its DGP and whether it is a distributed floating IP
  (dnat_and_snat with logical_port + external_mac on a router with DGPs);
- `arp_rules` / `snat_ips`: rows whose external IP parses, for the ARP/ND responders
  (every non-snat row, plus one snat row per distinct SNAT IP);
- `snat_ips` also counts the router's `dnat_force_snat_ip` / `lb_force_snat_ip`
  addresses, which change which router-owned IPs lr_in_ip_input drops.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass

from ovntwin.compiler.addresses import IPv4NetAddr, IPv6NetAddr, LportAddresses, normalize_mac
from ovntwin.compiler.context import Datapath, Port
from ovntwin.compiler.router.common import RouterFlows, member_ip, smap_bool
from ovntwin.model import rows as r
from ovntwin.model.db import NorthboundDB

BROADCAST_MAC = "ff:ff:ff:ff:ff:ff"


@dataclass(frozen=True)
class NatRule:
    """One NAT row that northd turns into flows."""

    row: r.NAT
    is_v6: bool
    cidr_bits: int  # prefix length of logical_ip
    gw_port: Port | None  # the DGP the rule is applied on (None on a gateway router)
    distributed: bool  # floating IP handled on the chassis of logical_port
    mac: str  # external_mac, normalized (broadcast when not distributed)

    @property
    def kind(self) -> str:
        return self.row.type

    @property
    def fam(self) -> str:
        return "6" if self.is_v6 else "4"

    @property
    def external_ip(self) -> str:
        return self.row.external_ip

    @property
    def logical_ip(self) -> str:
        return self.row.logical_ip

    @property
    def stateless(self) -> bool:
        return is_stateless(self.row)

    @property
    def does_snat(self) -> bool:
        return self.kind in ("snat", "dnat_and_snat")

    @property
    def does_dnat(self) -> bool:
        return self.kind in ("dnat", "dnat_and_snat")

    @property
    def port_range(self) -> str:
        """`,<range>` to append inside ct_snat(...) / ct_dnat(...), or ""."""
        return f",{self.row.external_port_range}" if self.row.external_port_range else ""

    @property
    def dgp_json(self) -> str:
        assert self.gw_port is not None
        return self.gw_port.json_name

    @property
    def resident(self) -> str:
        """The is_chassis_resident() clause gating this rule on a DGP router."""
        if self.distributed:
            return f'is_chassis_resident("{self.row.logical_port}")'
        assert self.gw_port is not None
        return f"is_chassis_resident({cr_json(self.gw_port)})"


@dataclass(frozen=True)
class ArpNat:
    """A NAT row whose external IP northd answers ARP / ND for."""

    row: r.NAT
    addr: IPv4NetAddr | IPv6NetAddr

    @property
    def is_v6(self) -> bool:
        return isinstance(self.addr, IPv6NetAddr)


@dataclass(frozen=True)
class RouterNat:
    is_gw_router: bool
    dgps: tuple[Port, ...]
    rules: tuple[NatRule, ...]
    arp_rules: tuple[ArpNat, ...]  # non-snat rows, then the first snat row per SNAT IP
    snat_ips: frozenset[str]  # normalized addresses (incl. force-SNAT addresses)
    dnat_force_snat: tuple[str, ...]  # (v4, v6) addresses present, in that order
    lb_force_snat: tuple[str, ...]
    lb_force_snat_router_ip: bool
    has_nat_rows: bool

    @property
    def active(self) -> bool:
        """NAT rules are programmed only on gateway routers and routers with DGPs."""
        return self.is_gw_router or bool(self.dgps)

    @staticmethod
    def of(rf: RouterFlows) -> RouterNat:
        return analyze(rf.ctx.nb, rf.dp)


def cr_json(port: Port) -> str:
    """Quoted name of the chassisredirect port derived from DGP `port`."""
    assert port.cr_port is not None
    return port.cr_port.json_name


def is_stateless(row: r.NAT) -> bool:
    return row.type == "dnat_and_snat" and smap_bool(row.options.get("stateless"), False)


def analyze(nb: NorthboundDB, dp: Datapath) -> RouterNat:
    assert dp.lr is not None
    rows = nb.resolve(r.NAT, dp.lr.nat)
    dgps = tuple(dp.l3dgw_ports)  # NB order; none on a gateway router
    gw = dp.is_gw_router
    rules = tuple(rule for row in rows if (rule := _check(row, dgps)) is not None)
    arp_rules, snat_ips = _arp_and_snat_ips(rows)
    dnat_force = _force_snat_ips(dp.lr.options.get("dnat_force_snat_ip"))
    lb_opt = dp.lr.options.get("lb_force_snat_ip")
    lb_router_ip = lb_opt == "router_ip" and gw
    lb_force = () if lb_router_ip else _force_snat_ips(lb_opt)
    return RouterNat(
        is_gw_router=gw,
        dgps=dgps,
        rules=rules,
        arp_rules=arp_rules,
        snat_ips=frozenset(snat_ips) | frozenset(dnat_force) | frozenset(lb_force),
        dnat_force_snat=dnat_force,
        lb_force_snat=lb_force,
        lb_force_snat_router_ip=lb_router_ip,
        has_nat_rows=bool(rows),
    )


def parse_addresses(text: str) -> list[IPv4NetAddr | IPv6NetAddr] | None:
    """Whitespace-separated IPs with optional /plen (extract_ip_addresses); None if bad."""
    out: list[IPv4NetAddr | IPv6NetAddr] = []
    for word in text.split():
        parsed = _parse_cidr(word)
        if parsed is None:
            break  # northd stops at the first word that is not an address
        out.append(parsed)
    return out or None


def _parse_cidr(word: str) -> IPv4NetAddr | IPv6NetAddr | None:
    addr_s, slash, plen_s = word.partition("/")
    try:
        addr = ipaddress.ip_address(addr_s)
    except ValueError:
        return None
    max_plen = 32 if addr.version == 4 else 128
    plen = int(plen_s) if slash and plen_s.isdigit() else max_plen
    if slash and not plen_s.isdigit() or plen > max_plen:
        return None
    if isinstance(addr, ipaddress.IPv4Address):
        return IPv4NetAddr(addr, plen)
    return IPv6NetAddr(addr, plen)


def _single_address(text: str) -> IPv4NetAddr | IPv6NetAddr | None:
    addrs = parse_addresses(text)
    return addrs[0] if addrs is not None and len(addrs) == 1 else None


def _arp_and_snat_ips(rows: list[r.NAT]) -> tuple[tuple[ArpNat, ...], list[str]]:
    non_snat: list[ArpNat] = []
    first_snat: dict[str, ArpNat] = {}
    for row in rows:
        addr = _single_address(row.external_ip)
        if addr is None:
            continue  # northd warns "Bad ip address" and skips the row
        if row.type == "snat":
            first_snat.setdefault(addr.addr_s, ArpNat(row, addr))
        else:
            non_snat.append(ArpNat(row, addr))
    return tuple(non_snat) + tuple(first_snat.values()), list(first_snat)


def _force_snat_ips(text: str | None) -> tuple[str, ...]:
    """At most one host IPv4 and one host IPv6 address (extract_ip_address)."""
    if text is None:
        return ()
    addrs = parse_addresses(text)
    if addrs is None:
        return ()
    v4 = [a for a in addrs if isinstance(a, IPv4NetAddr)]
    v6 = [a for a in addrs if isinstance(a, IPv6NetAddr)]
    if len(v4) > 1 or len(v6) > 1 or any(a.plen != 32 for a in v4):
        return ()
    if any(a.plen != 128 for a in v6):
        return ()
    return tuple(a.addr_s for a in v4 + v6)


def _host_or_net(text: str, v6: bool) -> tuple[int, bool] | None:
    """(prefix length, is host address) of `text` in the family, or None."""
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    if (net.version == 6) != v6:
        return None
    return net.prefixlen, net.prefixlen == net.max_prefixlen


def _check(row: r.NAT, dgps: tuple[Port, ...]) -> NatRule | None:
    """northd's lrouter_check_nat_entry: None when the row is not applied."""
    if row.allowed_ext_ips and row.exempted_ext_ips:
        return None
    ext = _host_or_net(row.external_ip, v6=":" in row.external_ip)
    if ext is None or not ext[1]:
        return None
    is_v6 = ":" in row.external_ip
    gw_port = _nat_dgp(row, dgps)
    if gw_port is None and (dgps or row.gateway_port):
        return None  # no DGP fits, or gateway_port names no DGP of this router
    logical = _host_or_net(row.logical_ip, is_v6)
    if logical is None or (row.type != "snat" and not logical[1]):
        return None
    distributed = False
    mac = BROADCAST_MAC
    if dgps and row.type == "dnat_and_snat" and row.logical_port and row.external_mac:
        parsed = normalize_mac(row.external_mac)
        if parsed is None:
            return None
        distributed, mac = True, parsed
    return NatRule(row, is_v6, logical[0], gw_port, distributed, mac)


def _nat_dgp(row: r.NAT, dgps: tuple[Port, ...]) -> Port | None:
    """The DGP named by gateway_port, the only DGP, or the first on external_ip's subnet."""
    if row.gateway_port:
        return next((p for p in dgps if p.lrp is not None and p.lrp.uuid == row.gateway_port), None)
    if len(dgps) == 1:
        return dgps[0]
    return next(_dgps_for_ip(dgps, row.external_ip), None)


def _dgps_for_ip(dgps: tuple[Port, ...], ip: str) -> Iterator[Port]:
    for port in dgps:
        if port.lrp_networks is not None and member_ip(port.lrp_networks, ip) is not None:
            yield port


def is_nat_gateway_port(row: r.NAT, port: Port, n_dgps: int) -> bool:
    """Whether the ARP/ND responders of `row` belong on DGP `port`."""
    if n_dgps <= 1:
        return True
    if row.gateway_port:
        return port.lrp is not None and port.lrp.uuid == row.gateway_port
    return (
        port.lrp_networks is not None and member_ip(port.lrp_networks, row.external_ip) is not None
    )


def routable_nat_addresses(nb: NorthboundDB, port: Port) -> tuple[LportAddresses, ...]:
    """NAT external IPs with options:add_route=true that DGP `port` makes routable.

    Other routers on the DGP's switch route these /32s to it: one entry per distributed
    FIP (its external MAC), then one with the DGP's MAC for the centralized ones
    (northd's get_nat_addresses(routable_only), IPv4 only; LB VIPs are not modelled).
    """
    dp, nets = port.datapath, port.lrp_networks
    if dp.lr is None or nets is None or not port.is_l3dgw:
        return ()
    n_dgps = len(dp.l3dgw_ports)
    distributed: list[LportAddresses] = []
    central: list[IPv4NetAddr] = []
    router_ips = {a.addr_s for a in nets.ipv4_addrs} | {a.addr_s for a in nets.ipv6_addrs}
    for row in nb.resolve(r.NAT, dp.lr.nat):
        if row.type == "snat" or not smap_bool(row.options.get("add_route"), False):
            continue
        addr = _parse_cidr(row.external_ip)
        if not isinstance(addr, IPv4NetAddr) or addr.plen != 32:
            continue
        if not is_nat_gateway_port(row, port, n_dgps):
            continue
        if row.type == "dnat_and_snat" and row.logical_port and row.external_mac:
            mac = normalize_mac(row.external_mac)
            if mac is not None:
                distributed.append(LportAddresses(mac, (addr,)))
        elif row.external_ip not in router_ips:
            central.append(addr)
    if central:
        distributed.append(LportAddresses(nets.ea_s, tuple(central)))
    return tuple(distributed)
