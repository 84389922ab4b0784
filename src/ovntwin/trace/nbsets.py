"""The match-language sets ovn-trace reads from the SB, derived from a NorthboundDB.

northd publishes NB Address_Sets, per-port-group `<pg>_ip4` / `<pg>_ip6` address
sets, and port groups (per datapath in SB; the plain name works the same for a
trace). `compile_nb` does not put them into the SouthboundDB yet, so
`with_nb_sets(sb, nb)` adds them.
"""

from __future__ import annotations

import dataclasses

from ovntwin.compiler.addresses import parse_lsp_addresses
from ovntwin.model import rows as r
from ovntwin.model.db import NorthboundDB
from ovntwin.southbound.rows import SouthboundDB


def nb_sets(nb: NorthboundDB) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(address_sets, port_groups) as the SB would hold them."""
    lsps = {p.uuid: p for p in nb.rows(r.LogicalSwitchPort)}
    sets = {a.name: tuple(a.addresses) for a in nb.rows(r.AddressSet)}
    groups: dict[str, tuple[str, ...]] = {}
    for pg in nb.rows(r.PortGroup):
        members = [lsps[u] for u in pg.ports if u in lsps]
        groups[pg.name] = tuple(sorted(p.name for p in members))
        ip4: list[str] = []
        ip6: list[str] = []
        for port in members:
            for entry in port.addresses:
                parsed = parse_lsp_addresses(entry)
                if parsed is None:
                    continue
                ip4.extend(a.addr_s for a in parsed.ipv4_addrs)
                ip6.extend(a.addr_s for a in parsed.ipv6_addrs)
        sets[f"{pg.name}_ip4"] = tuple(ip4)
        sets[f"{pg.name}_ip6"] = tuple(ip6)
    return sets, groups


def with_nb_sets(sb: SouthboundDB, nb: NorthboundDB) -> SouthboundDB:
    sets, groups = nb_sets(nb)
    return dataclasses.replace(
        sb, address_sets={**sets, **sb.address_sets}, port_groups={**groups, **sb.port_groups}
    )
