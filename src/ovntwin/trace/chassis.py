"""Chassis-aware tracing (`ovntwin trace --chassis NAME`), beyond ovn-trace.

The logical pipelines run where ovn-controller runs them: the packet enters on the
given chassis; `is_chassis_resident()` is evaluated for that chassis (flows are
compiled once per chassis); and whenever the packet has to reach a port bound
elsewhere it crosses to that chassis — through a tunnel (the egress pipeline then runs
on the receiving chassis) or, on a switch with a localnet port, out of the localnet
port on its VLAN (the receiving chassis runs the switch's ingress pipeline again, from
the localnet port). A `cr-` outport on a chassis that is not the active gateway is a
tunnel to the active gateway, where the router's egress pipeline runs.

Every pipeline title gets a `chassis="..."` argument; crossings are titled sections
`geneve(...)` / `vlan(...)`. See docs/chassis-trace.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ovntwin.errors import TraceError
from ovntwin.expr.flow import Flow
from ovntwin.southbound.rows import DatapathBinding
from ovntwin.trace import crossing
from ovntwin.trace.actions import ast as A
from ovntwin.trace.flowfmt import mac
from ovntwin.trace.interp import REGISTERS, Tracer
from ovntwin.trace.placement import EVERYWHERE, Placement
from ovntwin.trace.sbindex import Port, SbIndex
from ovntwin.trace.tree import Node, NodeKind

IndexFactory = Callable[[Callable[[str], bool]], SbIndex]
_CT_FIELDS = ("ct_state", "ct_mark", "ct_label")


@dataclass
class ChassisTracer(Tracer):
    placement: Placement = field(default_factory=lambda: Placement({}, {}, {}))
    here: str = ""
    make_index: IndexFactory | None = None
    hops: list[dict[str, Any]] = field(default_factory=list)
    crossings: list[dict[str, Any]] = field(default_factory=list)
    _indexes: dict[str, SbIndex] = field(default_factory=dict)
    _redirect: tuple[Port, str | None] | None = None  # cr- port just replaced, its gateway
    _in_mcast: bool = False  # the next egress start is one member of a multicast group
    _toward: str | None = None  # chassis of the VIF a localnet output is meant for

    # --- chassis context -----------------------------------------------------------
    def enter(self, chassis: str) -> None:
        self.here = chassis
        if chassis not in self._indexes:
            assert self.make_index is not None
            placement = self.placement
            self._indexes[chassis] = self.make_index(lambda p: placement.resident(p, chassis))
        self.index = self._indexes[chassis]

    @contextmanager
    def on(self, chassis: str) -> Iterator[None]:
        before = self.here
        self.enter(chassis)
        try:
            yield
        finally:
            self.enter(before)

    def _annotate(self, node: Node, dp: DatapathBinding, pipeline: str) -> None:
        if node.text.endswith(")"):
            node.text = f'{node.text[:-1]}, chassis="{self.here}")'
        node.info["chassis"] = self.here
        dp_name = self.index.dp_names[dp.uuid]
        hop = {"chassis": self.here, "pipeline": pipeline, "datapath": dp_name}
        self.hops.append({**hop, "title": node.text})

    # --- hooks into the ovn-trace interpreter -----------------------------------------
    def table(
        self, dp: DatapathBinding, flow: Flow, table: int, pipeline: str, parent: Node
    ) -> None:
        starts = table == 0 and parent.kind is NodeKind.PIPELINE and "chassis" not in parent.info
        if not starts:
            super().table(dp, flow, table, pipeline, parent)
        elif pipeline == A.EGRESS:
            self._egress_start(dp, flow, parent)
        else:
            self._annotate(parent, dp, pipeline)
            super().table(dp, flow, table, pipeline, parent)

    def output(self, dp: DatapathBinding, flow: Flow, pipeline: str, parent: Node) -> None:
        saved = self._in_mcast
        self._in_mcast = pipeline == A.INGRESS and self.index.group(dp, flow.outport) is not None
        try:
            super().output(dp, flow, pipeline, parent)
        finally:
            self._in_mcast, self._redirect = saved, None

    def redirect(self, dp: DatapathBinding, port: Port, parent: Node) -> tuple[Port | None, str]:
        target, label = super().redirect(dp, port, parent)
        if target is not None:
            self._redirect = (port, self.placement.home(port.pb))
        return target, label

    def egress_output(
        self, dp: DatapathBinding, flow: Flow, port: Port | None, out_name: str, parent: Node
    ) -> None:
        if port is None or port.type != "localnet":
            super().egress_output(dp, flow, port, out_name, parent)
            return
        target, self._toward = self._toward, None
        try:
            self._leave_localnet(dp, flow, port, target, parent)
        finally:
            self._toward = target

    # --- egress: where does it run? ----------------------------------------------------
    def _egress_start(self, dp: DatapathBinding, flow: Flow, parent: Node) -> None:
        redirect, self._redirect = self._redirect, None
        in_mcast = self._in_mcast  # true for every member of a flooded group (output() resets it)
        port = self.index.port_in(dp, flow.outport)
        if redirect is not None:
            cr_port, home = redirect
            if home is None:
                self._drop(dp, parent, f'no live gateway chassis for "{cr_port.friendly}"')
                return
            if home != self.here and cr_port.pb.options.get("redirect-type") == "bridged":
                self._bridged(flow, cr_port, home, parent)
                return
            self._run_egress(dp, flow, parent, home, out_key=cr_port.pb.tunnel_key)
            return
        home = self.placement.home(port.pb) if port is not None else EVERYWHERE
        if home in (EVERYWHERE, self.here):
            self._run_egress(dp, flow, parent, self.here)
            return
        if home is None:
            assert port is not None
            self._drop(dp, parent, f'"{port.friendly}" is not bound to any chassis')
            return
        localnet = self.localnet_of(dp)
        if localnet is None:
            self._run_egress(dp, flow, parent, home)
            return
        assert port is not None
        if in_mcast:
            parent.add(
                NodeKind.OUTPUT,
                f'/* "{port.friendly}" is on {home}: the copy flooded out of localnet port '
                f'"{localnet.friendly}" reaches it, not this one */',
            )
            return
        parent.add(
            NodeKind.OUTPUT,
            f'/* "{port.friendly}" is on {home}: {self.here} sends it out of localnet port '
            f'"{localnet.friendly}" (outport = "{localnet.friendly}") */',
        )
        flow.outport = localnet.name
        parent.text = parent.text.replace(
            f'outport="{port.friendly}")', f'outport="{localnet.friendly}")'
        )
        saved, self._toward = self._toward, home
        try:
            self._run_egress(dp, flow, parent, self.here)
        finally:
            self._toward = saved

    def _run_egress(
        self, dp: DatapathBinding, flow: Flow, parent: Node, chassis: str, out_key: int = 0
    ) -> None:
        if chassis == self.here:
            self._annotate(parent, dp, A.EGRESS)
            super().table(dp, flow, 0, A.EGRESS, parent)
            return
        in_key = self.port_key(flow.inport)
        out_key = out_key or self.port_key(flow.outport)
        hop = crossing.tunnel(self.placement, self.here, chassis, dp.tunnel_key, in_key, out_key)
        self.crossings.append(hop.to_json())
        node = parent.add(NodeKind.TRANSFORMATION, hop.text, crossing=hop.to_json())
        with self.on(chassis):
            self._annotate(parent, dp, A.EGRESS)
            super().table(dp, flow, 0, A.EGRESS, node)

    def _bridged(self, flow: Flow, cr_port: Port, home: str, parent: Node) -> None:
        """redirect-type=bridged: out of the gateway switch's localnet port, not a tunnel."""
        dgp = self.index.ports.get(cr_port.pb.options.get("distributed-port", ""))
        peer = self.index.ports.get(dgp.peer) if dgp is not None and dgp.peer else None
        localnet = self.localnet_of(peer.dp) if peer is not None else None
        if peer is None or localnet is None or not cr_port.pb.mac:
            self._drop(cr_port.dp, parent, f'no localnet port to bridge "{cr_port.friendly}"')
            return
        cr_mac = _first_mac(cr_port.pb.mac[0]) or 0
        parent.add(
            NodeKind.OUTPUT,
            f'/* redirect-type=bridged: "{cr_port.friendly}" is on {home}; {self.here} sends '
            f'the frame out of localnet port "{localnet.friendly}" with eth.src = {mac(cr_mac)} */',
        )
        parent.info["chassis"] = self.here  # this egress pipeline does not run
        moved = flow.copy()
        moved.set("dl_src", cr_mac)
        moved.outport = localnet.name
        self._leave_localnet(peer.dp, moved, localnet, home, parent)

    def _drop(self, dp: DatapathBinding, parent: Node, why: str) -> None:
        parent.add(NodeKind.ERROR, f"*** on {self.here}: {why}; ovn-controller drops the packet")
        self.outcome("dropped", dp, reason=f"{why} (on {self.here})")

    def localnet_of(self, dp: DatapathBinding) -> Port | None:
        ports = (p for p in self.index.ports.values() if p.dp.uuid == dp.uuid)
        return next((p for p in sorted(ports, key=_name) if p.type == "localnet"), None)

    # --- leaving through a localnet port ----------------------------------------------------
    def _leave_localnet(
        self, dp: DatapathBinding, flow: Flow, port: Port, target: str | None, parent: Node
    ) -> None:
        parent.add(NodeKind.OUTPUT, f'/* output to "{port.friendly}", type "localnet" */')
        view = self.placement.chassis.get(self.here)
        physnet = port.pb.options.get("network_name", "")
        if view is None or physnet not in view.bridges:
            self._drop(dp, parent, f"no ovn-bridge-mappings entry for physnet {physnet!r}")
            return
        receiver = target or self._mac_home(dp, flow.get("dl_dst"))
        dst = receiver if receiver not in (None, EVERYWHERE, self.here) else "physical network"
        hop = crossing.vlan(self.index, self.placement, view, dst, port, flow.get("dl_src"))
        self.crossings.append(hop.to_json())
        node = parent.add(NodeKind.TRANSFORMATION, hop.text, crossing=hop.to_json())
        if receiver is None or receiver in (EVERYWHERE, self.here):
            parent.add(NodeKind.MODIFY, f'output("{port.friendly}")')
            self.outcome("localnet", dp, port=port.friendly, type="localnet")
            return
        there = self.placement.chassis.get(receiver)
        if there is None or physnet not in there.bridges:
            self._drop(dp, node, f"{receiver} has no ovn-bridge-mappings entry for {physnet!r}")
            return
        self._arrive(dp, flow, port, receiver, hop, node)

    def _arrive(self, dp: DatapathBinding, flow: Flow, port: Port, receiver: str,
                hop: crossing.Crossing, node: Node) -> None:  # fmt: skip
        moved = flow.copy()
        for reg in (*REGISTERS, *_CT_FIELDS):
            moved.set(reg, 0)
        moved.inport, moved.outport = port.name, ""
        wire = int(str(dict(hop.facts)["eth.src"]).replace(":", ""), 16)
        moved.set("dl_src", wire)
        restored = crossing.restored_src(self.index, self.placement, receiver, port, wire)
        if restored is not None:
            moved.set("dl_src", restored)
            node.add(
                NodeKind.OUTPUT,
                f"/* {receiver}: eth.src {mac(wire)} is a remote chassis MAC: "
                f"restored to router port MAC {mac(restored)} */",
            )
        dp_name = self.index.dp_names[dp.uuid]
        title = f'ingress(dp="{dp_name}", inport="{port.friendly}")'
        with self.on(receiver):
            self.table(dp, moved, 0, A.INGRESS, node.add(NodeKind.PIPELINE, title))

    def _mac_home(self, dp: DatapathBinding, eth: int) -> str | None:
        """The chassis a unicast frame to `eth` on this VLAN reaches (None: unknown)."""
        localnet = self.localnet_of(dp)
        routers = crossing.router_macs(self.index, localnet) if localnet is not None else []
        for rport, rmac in routers:
            if rmac == eth:
                return self.placement.mac_owner_gateway(rport)
        for port in self.index.ports.values():
            if port.dp.uuid == dp.uuid and any(_first_mac(m) == eth for m in port.pb.mac):
                return self.placement.home(port.pb)
        for name, view in self.placement.chassis.items():
            if eth in {int(m.replace(":", ""), 16) for m in view.macs.values()}:
                return name
        return None

    def report(self, start: str) -> dict[str, Any]:
        return {"start": start, "hops": self.hops, "crossings": self.crossings}


def _name(port: Port) -> str:
    return port.name


def _first_mac(text: str) -> int | None:
    word = text.split()[0] if text.split() else ""
    if word.count(":") != 5:
        return None
    try:
        return int(word.replace(":", ""), 16)
    except ValueError:
        return None


def check_start(index: SbIndex, placement: Placement, chassis: str, inport: str) -> None:
    """The microflow's packet must be able to enter on `chassis` (raises TraceError)."""
    if placement.chassis and chassis not in placement.chassis:
        known = ", ".join(sorted(placement.chassis))
        raise TraceError(f'unknown chassis "{chassis}" (known: {known})')
    port = index.ports.get(inport)
    if port is None:
        return
    home = placement.home(port.pb)
    if home not in (None, EVERYWHERE, chassis):
        raise TraceError(
            f'inport "{inport}" is bound on chassis {home}, not {chassis}: '
            f"use --chassis {home} (a packet from {inport} enters the pipelines there)"
        )
    if port.type == "localnet":
        view = placement.chassis.get(chassis)
        physnet = port.pb.options.get("network_name", "")
        if view is not None and physnet not in view.bridges:
            raise TraceError(
                f'chassis {chassis} has no ovn-bridge-mappings entry for physnet "{physnet}" '
                f'of localnet port "{inport}"'
            )
