"""lr_in_nd_ra_options / lr_in_nd_ra_response: router advertisements (ipv6_ra_configs).

Only ports plugged into a switch (no `peer` column) with a valid
ipv6_ra_configs:address_mode and at least one non-link-local IPv6 network answer
router solicitations. The priority-0 defaults are in defaults.py.

| stage    | prio | flow                                            | why                      |
|----------|------|-------------------------------------------------|--------------------------|
| options  | 50   | RS to ff02::2 on the port: put_nd_ra_opts(...)  | build the RA             |
| response | 50   | RA built (reg0[5]): send it back out the inport | answer the solicitation  |
"""

from __future__ import annotations

import re

from ovntwin.compiler.addresses import lla_from_mac
from ovntwin.compiler.context import Port
from ovntwin.compiler.router.common import ND_RA_OPTS_RESULT, RouterFlows, lrp_uuid, router_ports
from ovntwin.compiler.stages import Stage

_MODES = ("slaac", "dhcpv6_stateful", "dhcpv6_stateless")
_MIN_IPV6_MTU = 1280  # RFC 2460


def build_nd_ra(rf: RouterFlows) -> None:
    for port, _ in router_ports(rf.dp):
        _port_flows(rf, port)


def _atoi(text: str) -> int:
    found = re.match(r"\s*([+-]?\d+)", text)
    return int(found.group(1)) if found else 0


def _options(port: Port, mode: str) -> str | None:
    """The put_nd_ra_opts arguments, or None when the port has no prefix to announce."""
    assert port.lrp is not None and port.lrp_networks is not None
    cfg = port.lrp.ipv6_ra_configs
    nets = port.lrp_networks
    opts = [f'addr_mode = "{mode}"', f"slla = {nets.ea_s}"]
    mtu = _atoi(cfg.get("mtu", ""))
    if mtu >= _MIN_IPV6_MTU:
        opts.append(f"mtu = {mtu}")
    preference = cfg.get("router_preference", "MEDIUM")
    if preference != "MEDIUM":
        opts.append(f'router_preference = "{preference}"')
    if "rdnss" in cfg:
        opts.append(f"rdnss = {cfg['rdnss']}")
    if "dnssl" in cfg:
        opts.append(f'dnssl = "{cfg["dnssl"]}"')
    if "route_info" in cfg:
        opts.append(f'route_info = "{cfg["route_info"]}"')
    prefixes = [
        f"prefix = {a.network_s}/{a.plen}" for a in nets.ipv6_addrs if not a.network.is_link_local
    ]
    return ", ".join(opts + prefixes) if prefixes else None


def _port_flows(rf: RouterFlows, port: Port) -> None:
    lrp, nets = port.lrp, port.lrp_networks
    assert lrp is not None and nets is not None
    if lrp.peer or port.peer is None or not nets.ipv6_addrs:
        return
    mode = lrp.ipv6_ra_configs.get("address_mode")
    if mode not in _MODES:
        return
    opts = _options(port, mode)
    if opts is None:
        return
    rs = f"inport == {port.json_name} && ip6.dst == ff02::2"
    rf.add(
        Stage.LR_IN_ND_RA_OPTIONS,
        50,
        f"{rs} && nd_rs",
        f"{ND_RA_OPTS_RESULT} = put_nd_ra_opts({opts}); next;",
        lrp_uuid(port),
    )
    rf.add(
        Stage.LR_IN_ND_RA_RESPONSE,
        50,
        f"{rs} && nd_ra && {ND_RA_OPTS_RESULT}",
        f"eth.dst = eth.src; eth.src = {nets.ea_s}; ip6.dst = ip6.src; "
        f"ip6.src = {lla_from_mac(nets.ea_s)}; outport = inport; flags.loopback = 1; output;",
        lrp_uuid(port),
    )
