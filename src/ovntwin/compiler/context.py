"""The compiler's joined view of the northbound: datapaths, ports, peers, derived facts.

This plays the role of northd's `ovn_datapath` / `ovn_port`: each NB switch/router
becomes a `Datapath` with its SB binding, each LSP/LRP a `Port` with its SB binding,
parsed addresses and peer. Builders (compiler/switch, compiler/router) read only this.
Objects here are built once per compile and not changed by builders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from ovntwin.compiler.addresses import LportAddresses
from ovntwin.model import rows as r
from ovntwin.model.db import NorthboundDB
from ovntwin.model.runtime import CHASSIS_FEATURES_23_03
from ovntwin.southbound.rows import DatapathBinding, PortBinding


@dataclass(eq=False)
class Port:
    """One logical port: an LSP or an LRP (or a derived chassisredirect port)."""

    name: str
    datapath: Datapath
    sb: PortBinding
    lsp: r.LogicalSwitchPort | None = None
    lrp: r.LogicalRouterPort | None = None
    # LSP: parsed `addresses` entries (for type=router with "router": the peer LRP's
    # networks); LRP: [its networks incl. link-local].
    lsp_addrs: list[LportAddresses] = field(default_factory=list)
    ps_addrs: list[LportAddresses] = field(default_factory=list)  # parsed port_security
    lrp_networks: LportAddresses | None = None
    peer: Port | None = None  # router-type LSP <-> LRP, or LRP <-> LRP
    has_unknown: bool = False  # "unknown" in addresses
    # Distributed gateway ports: the derived chassisredirect port `cr-<name>`;
    # on that chassisredirect port, `l3dgw_port` points back (northd's cr_port /
    # l3dgw_port). A chassisredirect port carries its DGP's `lrp` row but no networks.
    cr_port: Port | None = None
    l3dgw_port: Port | None = None

    @property
    def json_name(self) -> str:
        """The port name as a quoted string for match/action text."""
        return '"' + self.name.replace("\\", "\\\\").replace('"', '\\"') + '"'

    @property
    def lsp_type(self) -> str:
        return self.lsp.type if self.lsp is not None else ""

    @property
    def enabled(self) -> bool:
        row = self.lsp if self.lsp is not None else self.lrp
        return row is None or row.enabled is None or bool(row.enabled)

    @property
    def is_l3dgw(self) -> bool:
        """A distributed gateway port (has a chassisredirect port)."""
        return self.cr_port is not None

    @property
    def is_cr(self) -> bool:
        """A derived chassisredirect port."""
        return self.l3dgw_port is not None


@dataclass(eq=False)
class Datapath:
    kind: str  # "switch" | "router"
    sb: DatapathBinding
    ls: r.LogicalSwitch | None = None
    lr: r.LogicalRouter | None = None
    ports: list[Port] = field(default_factory=list)  # in NB order
    acls: list[r.ACL] = field(default_factory=list)  # own ACLs, then port-group ACLs
    port_groups: list[r.PortGroup] = field(default_factory=list)  # groups with ports here
    # Routers: distributed gateway ports in NB order, and their chassisredirect ports
    # (kept out of `ports`, which holds only NB ports).
    l3dgw_ports: list[Port] = field(default_factory=list)
    cr_ports: list[Port] = field(default_factory=list)

    @property
    def name(self) -> str:
        row = self.ls if self.ls is not None else self.lr
        assert row is not None
        return row.name

    @property
    def uuid(self) -> str:
        return self.sb.uuid

    def ports_of_type(self, *types: str) -> list[Port]:
        return [p for p in self.ports if p.lsp is not None and p.lsp.type in types]

    @property
    def router_ports(self) -> list[Port]:
        """LSPs of type router (with a resolved peer LRP)."""
        return [p for p in self.ports_of_type("router") if p.peer is not None]

    @property
    def localnet_ports(self) -> list[Port]:
        return self.ports_of_type("localnet")

    @property
    def is_gw_router(self) -> bool:
        """A gateway router: a logical router pinned with options:chassis."""
        return self.lr is not None and "chassis" in self.lr.options

    @property
    def has_vtep_lports(self) -> bool:
        """A switch with a port of type vtep."""
        return bool(self.ports_of_type("vtep"))


@dataclass
class CompileContext:
    nb: NorthboundDB
    switches: list[Datapath]
    routers: list[Datapath]
    ports: dict[str, Port]  # by logical port name
    features: Mapping[str, bool]

    @property
    def options(self) -> Mapping[str, str]:
        return self.nb.options

    @property
    def datapaths(self) -> list[Datapath]:
        return self.switches + self.routers

    def feature(self, flag: str) -> bool:
        return self.features.get(flag, True)

    @cached_property
    def lrps_by_peer_name(self) -> dict[str, list[Port]]:
        """Router ports grouped by the name in their `peer` column (one-sided, as northd)."""
        index: dict[str, list[Port]] = {}
        for port in self.ports.values():
            if port.lrp is not None and port.lrp.peer and not port.is_cr:
                index.setdefault(port.lrp.peer, []).append(port)
        return index


def chassis_features(nb: NorthboundDB) -> dict[str, bool]:
    """northd's AND of chassis feature flags over all chassis."""
    return {flag: nb.runtime.feature(flag) for flag in CHASSIS_FEATURES_23_03}
