"""Datapaths, port bindings and tunnel keys (northd's join_datapaths / join_logical_ports).

Tunnel keys: datapaths get the lowest free key from 1 upward, honouring
`requested-tnl-key` (LS other_config, LR options) and keys already in use in the
southbound runtime; ports get theirs as compiler/tunnel_keys.py describes. northd
walks rows in the IDL's order, which for rows created in one transaction is UUID
order, the NB order ovntwin uses; rows added one by one on a live northd keep the
keys of their creation order, which ovntwin only knows from the runtime section
(keys are masked when comparing traces with real OVN).
"""

from __future__ import annotations

import dataclasses
import uuid as uuidlib
from collections.abc import Iterable, Mapping

from ovntwin.compiler.addresses import (
    is_dynamic_entry,
    parse_lrp_networks,
    parse_lsp_addresses,
)
from ovntwin.compiler.context import CompileContext, Datapath, Port, chassis_features
from ovntwin.compiler.gateways import (
    cr_port_name,
    gateway_router_chassis,
    has_gateway_chassis,
    is_distributed_gateway,
    make_cr_port,
    router_lsp_type_options,
)
from ovntwin.compiler.nat_addresses import nat_addresses
from ovntwin.compiler.tunnel_keys import KeyRequest, assign_port_keys
from ovntwin.model import rows as r
from ovntwin.model.db import NorthboundDB
from ovntwin.southbound.rows import DatapathBinding, PortBinding

_NS = uuidlib.UUID("6f766e74-7769-6e00-0000-000000000002")


def _sb_uuid(kind: str, key: str) -> str:
    return str(uuidlib.uuid5(_NS, f"{kind}:{key}"))


class KeyAllocator:
    """Lowest-free-key allocation; requested keys are honoured first.

    `reserved` keys (those the southbound runtime already gives some row) are never
    handed out as "lowest free", but the row requesting one of them gets it.
    """

    def __init__(self, reserved: Iterable[int] = ()) -> None:
        self.reserved = set(reserved)
        self.used: set[int] = set()

    def take(self, requested: int | None) -> int:
        if requested and requested not in self.used:
            self.used.add(requested)
            return requested
        key = 1
        while key in self.used or key in self.reserved:
            key += 1
        self.used.add(key)
        return key


def _int_opt(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


def _make_datapath(nb: NorthboundDB, row: r.LogicalSwitch | r.LogicalRouter, key: int) -> Datapath:
    is_ls = isinstance(row, r.LogicalSwitch)
    ids = {"logical-switch" if is_ls else "logical-router": row.uuid, "name": row.name}
    name2 = row.external_ids.get("neutron:network_name" if is_ls else "neutron:router_name")
    if name2:
        ids["name2"] = name2
    sb = DatapathBinding(
        uuid=_sb_uuid("dp", row.uuid),
        tunnel_key=key,
        kind="switch" if is_ls else "router",
        nb_uuid=row.uuid,
        external_ids=ids,
    )
    if isinstance(row, r.LogicalSwitch):
        return Datapath("switch", sb, ls=row)
    return Datapath("router", sb, lr=row)


def _datapaths(nb: NorthboundDB) -> tuple[list[Datapath], list[Datapath]]:
    keys = KeyAllocator(nb.runtime.datapath_keys.values())
    switches, routers = [], []
    for ls in nb.rows(r.LogicalSwitch):
        req = nb.runtime.datapath_keys.get(ls.name) or _int_opt(
            ls.other_config.get("requested-tnl-key")
        )
        switches.append(_make_datapath(nb, ls, keys.take(req)))
    for lr in nb.rows(r.LogicalRouter):
        req = nb.runtime.datapath_keys.get(lr.name) or _int_opt(lr.options.get("requested-tnl-key"))
        routers.append(_make_datapath(nb, lr, keys.take(req)))
    return switches, routers


def _lsp_binding(
    nb: NorthboundDB,
    dp: Datapath,
    lsp: r.LogicalSwitchPort,
    key: int,
    gw_chassis: Mapping[str, str],
) -> PortBinding:
    rt = nb.runtime.ports.get(lsp.name)
    sb_type = lsp.type
    options = dict(lsp.options)
    if lsp.type == "router":
        sb_type, options = router_lsp_type_options(lsp, gw_chassis)
    ids = dict(lsp.external_ids)
    if "neutron:port_name" in lsp.external_ids and lsp.external_ids["neutron:port_name"]:
        ids["name"] = lsp.external_ids["neutron:port_name"]
    return PortBinding(
        uuid=_sb_uuid("pb", lsp.uuid),
        logical_port=lsp.name,
        type=sb_type,
        datapath=dp.uuid,
        tunnel_key=key,
        mac=lsp.addresses,
        options=options,
        port_security=lsp.port_security,
        parent_port=lsp.parent_name,
        tag=lsp.tag,
        chassis=rt.chassis if rt else None,
        up=rt.up if rt else None,
        external_ids=ids,
    )


def _lrp_binding(dp: Datapath, lrp: r.LogicalRouterPort, key: int, peer: str | None) -> PortBinding:
    options = {"peer": peer} if peer else {}
    assert dp.lr is not None
    gw_chassis = dp.lr.options.get("chassis")
    if peer and has_gateway_chassis(lrp):
        # (sic) named even on a gateway router, where northd makes no such port.
        options["chassis-redirect-port"] = cr_port_name(lrp.name)
    if gw_chassis is not None:
        options["l3gateway-chassis"] = gw_chassis
    return PortBinding(
        uuid=_sb_uuid("pb", lrp.uuid),
        logical_port=lrp.name,
        type="patch" if gw_chassis is None else "l3gateway",
        datapath=dp.uuid,
        tunnel_key=key,
        mac=(" ".join((lrp.mac, *lrp.networks)),),
        options=options,
        external_ids=dict(lrp.external_ids),
    )


def _key_request(nb: NorthboundDB, name: str, requested: str | None) -> KeyRequest:
    rt = nb.runtime.ports.get(name)
    return KeyRequest(name, _int_opt(requested), rt.tunnel_key if rt else None)


def _switch_ports(nb: NorthboundDB, dp: Datapath, gw_chassis: Mapping[str, str]) -> None:
    assert dp.ls is not None
    lsps = nb.resolve(r.LogicalSwitchPort, dp.ls.ports)
    keys = assign_port_keys(
        [_key_request(nb, lsp.name, lsp.options.get("requested-tnl-key")) for lsp in lsps]
    )
    for lsp in lsps:
        key = keys[lsp.name]
        port = Port(lsp.name, dp, _lsp_binding(nb, dp, lsp, key, gw_chassis), lsp=lsp)
        port.has_unknown = "unknown" in lsp.addresses
        port.lsp_addrs = [
            a for e in lsp.addresses if not is_dynamic_entry(e) and (a := parse_lsp_addresses(e))
        ]
        if lsp.dynamic_addresses and any(is_dynamic_entry(e) for e in lsp.addresses):
            if (dyn := parse_lsp_addresses(lsp.dynamic_addresses)) is not None:
                port.lsp_addrs.append(dyn)  # northd adds what IPAM assigned after the rest
        port.ps_addrs = [a for e in lsp.port_security if (a := parse_lsp_addresses(e))]
        dp.ports.append(port)


def _router_ports(nb: NorthboundDB, dp: Datapath, peer_of: dict[str, str]) -> dict[str, int]:
    """The router's NB ports; returns the keys of their chassisredirect ports by DGP name.

    northd keys a DGP's chassisredirect port right after the DGP itself.
    """
    assert dp.lr is not None
    lrps = nb.resolve(r.LogicalRouterPort, dp.lr.ports)
    requests: list[KeyRequest] = []
    dgps: set[str] = set()
    for lrp in lrps:
        requested = lrp.options.get("requested-tnl-key")
        requests.append(_key_request(nb, lrp.name, requested))
        if parse_lrp_networks(lrp.mac, lrp.networks) is not None:
            if is_distributed_gateway(dp.lr, lrp):
                dgps.add(lrp.name)
                # (sic) the cr- port repeats its DGP's request (and loses it to the DGP).
                requests.append(_key_request(nb, cr_port_name(lrp.name), requested))
    keys = assign_port_keys(requests)
    for lrp in lrps:
        peer = lrp.peer or peer_of.get(lrp.name)
        port = Port(lrp.name, dp, _lrp_binding(dp, lrp, keys[lrp.name], peer), lrp=lrp)
        port.lrp_networks = parse_lrp_networks(lrp.mac, lrp.networks)
        dp.ports.append(port)
    return {name: keys[cr_port_name(name)] for name in dgps}


def _chassisredirect_ports(dp: Datapath, nb: NorthboundDB, cr_keys: dict[str, int]) -> None:
    """A `cr-<name>` port for each distributed gateway port (peers already linked)."""
    for port in dp.ports:
        if port.lrp is None or port.name not in cr_keys:
            continue  # not a DGP (or a bad MAC: northd drops the port before gateways)
        key = cr_keys[port.name]
        cr = make_cr_port(nb, dp, port, key, _sb_uuid("pb", f"cr:{port.lrp.uuid}"))
        dp.l3dgw_ports.append(port)
        dp.cr_ports.append(cr)


def _link_peers(ports: dict[str, Port]) -> None:
    for port in ports.values():
        if port.lsp is not None and port.lsp.type == "router":
            lrp = ports.get(port.lsp.options.get("router-port", ""))
            if lrp is not None and lrp.lrp is not None:
                port.peer, lrp.peer = lrp, port
                if "router" in port.lsp.addresses and lrp.lrp_networks is not None:
                    port.lsp_addrs = [*port.lsp_addrs, lrp.lrp_networks]
        elif port.lrp is not None and port.lrp.peer:
            other = ports.get(port.lrp.peer)
            if other is not None and other.lrp is not None and other.lrp.peer == port.name:
                port.peer = other


def _attach_acls(nb: NorthboundDB, switches: list[Datapath], ports: dict[str, Port]) -> None:
    by_lsp_uuid = {p.lsp.uuid: p for p in ports.values() if p.lsp is not None}
    for dp in switches:
        assert dp.ls is not None
        dp.acls = nb.resolve(r.ACL, dp.ls.acls)
    for pg in nb.rows(r.PortGroup):
        members = {by_lsp_uuid[u].datapath.uuid for u in pg.ports if u in by_lsp_uuid}
        for dp in switches:
            if dp.uuid in members:
                dp.port_groups.append(pg)
                dp.acls.extend(nb.resolve(r.ACL, pg.acls))


def build_context(nb: NorthboundDB) -> CompileContext:
    """Join the NB into datapaths and ports with SB bindings and tunnel keys."""
    switches, routers = _datapaths(nb)
    gw_chassis = gateway_router_chassis(nb)
    for dp in switches:
        _switch_ports(nb, dp, gw_chassis)
    peer_of = {
        p.lsp.options["router-port"]: p.name
        for dp in switches
        for p in dp.ports
        if p.lsp is not None and p.lsp.type == "router" and "router-port" in p.lsp.options
    }
    cr_keys = {dp.uuid: _router_ports(nb, dp, peer_of) for dp in routers}
    ports = {p.name: p for dp in switches + routers for p in dp.ports}
    _link_peers(ports)
    for dp in routers:
        _chassisredirect_ports(dp, nb, cr_keys[dp.uuid])
        ports.update((cr.name, cr) for cr in dp.cr_ports)
    for dp in switches:
        for port in dp.router_ports:
            if announced := nat_addresses(nb, port):
                port.sb = dataclasses.replace(port.sb, nat_addresses=announced)
    _attach_acls(nb, switches, ports)
    return CompileContext(nb, switches, routers, ports, chassis_features(nb))
