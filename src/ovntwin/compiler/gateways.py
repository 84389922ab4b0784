"""Gateway facts of the join: distributed gateway ports, chassisredirect ports, gateway routers.

A router port with `gateway_chassis` rows or an `ha_chassis_group` is a distributed
gateway port (DGP) unless its router is a gateway router (options:chassis), where
northd refuses the combination and treats the port as an ordinary one. Each DGP gets
a derived chassisredirect port `cr-<name>` on the same router datapath: the instance
of the DGP on the active gateway chassis. `options:redirect-chassis` (pre-20.x
spelling) is no longer honoured by northd 23.03 and makes no DGP.

Southbound effects:

| binding                    | type            | options                                   |
|----------------------------|-----------------|-------------------------------------------|
| cr-<dgp>                   | chassisredirect | distributed-port, redirect-type?, always- |
|                            |                 | redirect? (not with a distributed FIP)    |
| <dgp>                      | patch           | peer, chassis-redirect-port               |
| LRP of a gateway router    | l3gateway       | peer?, l3gateway-chassis                  |
| router LSP peered with one | l3gateway       | peer?, l3gateway-chassis                  |
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from ovntwin.compiler.context import Datapath, Port
from ovntwin.model import rows as r
from ovntwin.model.db import NorthboundDB
from ovntwin.southbound.rows import PortBinding

CR_PREFIX = "cr-"


def cr_port_name(lrp_name: str) -> str:
    """northd's ovn_chassis_redirect_name."""
    return CR_PREFIX + lrp_name


def has_gateway_chassis(lrp: r.LogicalRouterPort) -> bool:
    """Gateway_Chassis rows or an HA_Chassis_Group on the LRP."""
    return bool(lrp.gateway_chassis) or lrp.ha_chassis_group is not None


def is_distributed_gateway(lr: r.LogicalRouter, lrp: r.LogicalRouterPort) -> bool:
    """The LRP gets a chassisredirect port (gateway routers never get one)."""
    if "chassis" in lr.options:
        return False  # northd logs "Bad configuration" and ignores the gateway chassis
    return has_gateway_chassis(lrp)


def gateway_router_chassis(nb: NorthboundDB) -> dict[str, str]:
    """LRP name -> options:chassis of its router, for ports of gateway routers."""
    pinned: dict[str, str] = {}
    for lr in nb.rows(r.LogicalRouter):
        chassis = lr.options.get("chassis")
        if chassis is None:
            continue
        for lrp in nb.resolve(r.LogicalRouterPort, lr.ports):
            pinned.setdefault(lrp.name, chassis)
    return pinned


def router_lsp_type_options(
    lsp: r.LogicalSwitchPort, gw_chassis: Mapping[str, str]
) -> tuple[str, dict[str, str]]:
    """A router-type LSP: patch, or l3gateway when its peer LRP's router is pinned."""
    options: dict[str, str] = {}
    router_port = lsp.options.get("router-port")
    if router_port is not None:
        options["peer"] = router_port
    chassis = gw_chassis.get(router_port) if router_port is not None else None
    if chassis is None:
        return "patch", options
    options["l3gateway-chassis"] = chassis
    return "l3gateway", options


def has_distributed_nat(nb: NorthboundDB, lr: r.LogicalRouter) -> bool:
    """A valid dnat_and_snat rule with logical_port and external_mac (a distributed FIP)."""
    for nat in nb.resolve(r.NAT, lr.nat):
        if nat.type != "dnat_and_snat" or not nat.logical_port or not nat.external_mac:
            continue
        if _valid_external_ip(nat.external_ip):
            return True
    return False


def _valid_external_ip(text: str) -> bool:
    """One IPv4 or IPv6 address, optionally with a prefix length."""
    try:
        ipaddress.ip_interface(text)
    except ValueError:
        return False
    return True


def make_cr_port(nb: NorthboundDB, dp: Datapath, dgp: Port, key: int, uuid: str) -> Port:
    """The chassisredirect port of DGP `dgp`, linked both ways."""
    lrp = dgp.lrp
    assert lrp is not None and dp.lr is not None
    options = {"distributed-port": lrp.name}
    always_redirect = not has_distributed_nat(nb, dp.lr) and not _peer_has_vtep(dgp)
    redirect_type = lrp.options.get("redirect-type")
    if redirect_type is not None:
        options["redirect-type"] = redirect_type
        if redirect_type == "bridged":  # (sic) case-sensitive here, unlike elsewhere
            always_redirect = False
    if always_redirect:
        options["always-redirect"] = "true"
    name = cr_port_name(lrp.name)
    rt = nb.runtime.ports.get(name)
    sb = PortBinding(
        uuid=uuid,
        logical_port=name,
        type="chassisredirect",
        datapath=dp.uuid,
        tunnel_key=key,
        mac=dgp.sb.mac,
        options=options,
        chassis=rt.chassis if rt else None,
        up=rt.up if rt else None,
    )
    cr = Port(name, dp, sb, lrp=lrp, l3dgw_port=dgp)
    dgp.cr_port = cr
    return cr


def _peer_has_vtep(dgp: Port) -> bool:
    """northd's l3dgw_port_has_associated_vtep_lports."""
    return dgp.peer is not None and dgp.peer.datapath.has_vtep_lports
