"""build_nb(): the whole NB database ML2/OVN would hold for a Neutron state."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from ovntwin.model import rows as r
from ovntwin.model.db import NorthboundDB
from ovntwin.model.runtime import Chassis, PortRuntime, RuntimeState
from ovntwin.neutron.ml2ovn import network, port, qos, router, security_group
from ovntwin.neutron.ml2ovn.names import ROUTER_GATEWAY
from ovntwin.neutron.resources import NeutronState


def build_nb(
    state: NeutronState,
    chassis: Sequence[Chassis] = (),
    scheduled: Mapping[str, Sequence[tuple[str, int]]] | None = None,
) -> NorthboundDB:
    """`chassis` are the SB chassis (with ovn-cms-options / ovn-bridge-mappings) that the
    gateway scheduler chooses from; they and the ports' binding:host_id become runtime facts.
    `scheduled` (gateway port id -> [(chassis, priority)]) are gateways scheduled earlier:
    Neutron schedules a gateway once, when it is set, and keeps that list."""
    lsps = {p.id: port.logical_switch_port(state, p) for p in state.ports if port.has_lsp(p)}
    lsp_uuid = {pid: lsp.uuid for pid, lsp in lsps.items()}
    qos_rows = _qos_rows(state)
    rows: list[r.Row] = []
    for net in state.networks:
        localnets = network.localnet_ports(net)
        members = [x.uuid for x in localnets]
        members += [lsps[p.id].uuid for p in state.ports if p.network_id == net.id and p.id in lsps]
        own_qos = [q.row for q in qos_rows if q.switch == net.id]
        rows += [network.logical_switch(net, tuple(members), tuple(q.uuid for q in own_qos)),
                 *localnets, *own_qos]  # fmt: skip
    rows += lsps.values()
    for sg in state.security_groups:
        rows += security_group.port_group_rows(state, sg, lsp_uuid)
    rows += security_group.drop_group_rows(state, lsp_uuid)
    load = _kept_load(state, scheduled or {})
    for rt in sorted(state.routers, key=lambda x: x.id):
        built = router.router_rows(state, rt, chassis, load, scheduled or {})
        rows += [built.router, *built.rows]
    return NorthboundDB.build(rows, _runtime(state, chassis))


def _kept_load(
    state: NeutronState, scheduled: Mapping[str, Sequence[tuple[str, int]]]
) -> dict[tuple[str, int], int]:
    """Gateways already scheduled count towards the load before any new one is placed."""
    load: dict[tuple[str, int], int] = defaultdict(int)
    gateways = {p.id for p in state.ports if p.device_owner == ROUTER_GATEWAY}
    for port_id, chosen in scheduled.items():
        if port_id in gateways:
            for key in chosen:
                load[key] += 1
    return load


def _qos_rows(state: NeutronState) -> list[qos.QosRow]:
    out = [q for p in state.ports for q in qos.port_qos(state, p)]
    for rt in state.routers:
        out += qos.router_gateway_qos(state, rt.id, router.gateway_port(state, rt))
    for fip in state.floatingips:
        owner = next((x for x in state.routers if x.id == fip.router_id), None)
        out += qos.fip_qos(state, fip, router.gateway_port(state, owner) if owner else None)
    return out


def _runtime(state: NeutronState, chassis: Sequence[Chassis]) -> RuntimeState:
    bound = {
        p.id: PortRuntime(logical_port=p.id, chassis=p.binding_host_id, up=True)
        for p in state.ports
        if p.binding_host_id and port.has_lsp(p)
    }
    return RuntimeState(chassis=tuple(chassis), ports=bound)
