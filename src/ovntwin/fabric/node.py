"""A chassis in the simulation: ovs-vswitchd + ovn-controller on one hypervisor/gateway.

It owns its executor (the logical pipelines compiled for this chassis's view of the
placement), its conntrack, its OVN QoS meters (one token bucket per meter key) and
the OVS ingress policers of its VIFs, and its NICs. Frames from a VIF, a localnet
NIC or a tunnel run through the executor; the physical outputs go to a local VIF, out
of a NIC with a VLAN tag, or into a Geneve tunnel (outer frame on the overlay NIC).

States: `alive` False (crashed) drops everything and keeps BFD silent; `controller`
False (ovn-controller stopped) keeps the installed flows and BFD (both live in
ovs-vswitchd) but nothing is recomputed: no claim, no GARP, no QoS change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from ovntwin.fabric.bfd import BfdPacket
from ovntwin.fabric.conntrack import Conntrack
from ovntwin.fabric.packet import Frame
from ovntwin.fabric.spec import Attachment, ChassisSpec, FabricSpec
from ovntwin.fabric.tokenbucket import TokenBucket, ingress_policer, ovn_qos_meter
from ovntwin.fabric.wire import Wire

if TYPE_CHECKING:
    from ovntwin.fabric.engine import Engine

GENEVE_OVERHEAD_BYTES = 50  # outer Ethernet 14 + IPv4 20 + UDP 8 + Geneve 8 (no options)
BFD_FRAME_BYTES = 66  # Ethernet + IPv4 + UDP + 24-byte BFD Control packet


class Executor(Protocol):
    def from_vif(self, vif: str, frame: Frame, now_us: int) -> Any: ...
    def from_localnet(self, physnet: str, vlan: int | None, frame: Frame, now_us: int) -> Any: ...
    def from_tunnel(self, meta: Any, frame: Frame, now_us: int) -> Any: ...


ExecutorFactory = Callable[[str, Conntrack], Executor]


@dataclass(frozen=True, slots=True)
class Tunnelled:
    src: str  # sending chassis
    meta: Any  # TunnelMeta (datapath / inport / outport keys)
    frame: Frame


@dataclass(frozen=True, slots=True)
class BfdMessage:
    src: str
    packet: BfdPacket


def nic_mac(index: int) -> str:
    """A locally administered MAC for a chassis's underlay NIC (02:0f:00:00:00:NN)."""
    return f"02:0f:00:00:{index >> 8:02x}:{index & 255:02x}"


def underlay_macs(fabric: FabricSpec) -> dict[str, str]:
    """Overlay NIC MAC -> encap IP of every chassis (the outer headers of Geneve frames)."""
    return {nic_mac(i + 1): c.encap_ip for i, c in enumerate(fabric.chassis) if c.encap_ip}


class ChassisNode:
    def __init__(self, engine: Engine, spec: ChassisSpec, index: int) -> None:
        self.engine = engine
        self.spec = spec
        self.name = spec.name
        self.mac = nic_mac(index + 1)
        self.alive = True
        self.controller = True
        self.conntrack = Conntrack(spec.name)
        self.executor: Executor | None = None
        self.meters: dict[tuple[object, int, int | None], TokenBucket] = {}
        self.policers: dict[str, TokenBucket | None] = {}
        self.queues: dict[str, TokenBucket | None] = {}  # OVS HTB max-rate towards a VIF
        self.drops: dict[str, int] = {}

    def rebuild(self, factory: ExecutorFactory) -> None:
        self.executor = factory(self.name, self.conntrack)

    def crash(self) -> None:
        self.alive = False
        self.conntrack.flush()
        self.meters.clear()

    # ingress ----------------------------------------------------------------------------

    def from_vif(self, vif: str, frame: Frame) -> None:
        if not self.alive or self.executor is None:
            return
        now = int(self.engine.env.now)
        policer = self.policers.get(vif)
        if policer is not None:
            frame = self._admit(policer, now, frame)
            if frame.count == 0:
                return self._drop("ingress policing")
        self.engine.hop(frame, f"{self.name}:vif {vif}")
        self._run(self.executor.from_vif(vif, frame, now), frame)

    def on_wire(self, network: str, wire: Wire) -> None:
        if not self.alive or self.executor is None:
            return
        now = int(self.engine.env.now)
        payload = wire.payload
        if isinstance(payload, BfdMessage):
            if wire.dst == self.mac:
                self.engine.ha.receive(self.name, payload.src, payload.packet)
            return
        if isinstance(payload, Tunnelled):
            if wire.dst != self.mac:
                return  # flooded underlay frame for another VTEP
            self.engine.hop(payload.frame, f"{self.name}:geneve from {payload.src}")
            self._run(self.executor.from_tunnel(payload.meta, payload.frame, now), payload.frame)
            return
        if network not in self.spec.bridge_mappings or not isinstance(payload, Frame):
            return
        frame = replace(payload, vlan=wire.tag, count=wire.count)
        self.engine.hop(frame, f"{self.name}:localnet {network}")
        # Flooded frames end in drops on most chassis: not the flow's losses.
        self._run(self.executor.from_localnet(network, wire.tag, frame, now), frame, False)

    # execution --------------------------------------------------------------------------

    def _admit(self, bucket: TokenBucket, now: int, frame: Frame) -> Frame:
        passed = 0
        while passed < frame.count and bucket.admit(now, frame.size_bytes):
            passed += 1
        return frame if passed == frame.count else replace(frame, count=passed)

    def _drop(self, reason: str, n: int = 1) -> None:
        self.drops[reason] = self.drops.get(reason, 0) + n

    def _run(self, execution: Any, frame: Frame, account: bool = True) -> None:
        now = int(self.engine.env.now)
        count = frame.count
        for hit in execution.meters:
            key = (hit.key, hit.rate_kbps, hit.burst_kbits)
            bucket = self.meters.get(key)
            if bucket is None:
                bucket = self.meters[key] = ovn_qos_meter(hit.rate_kbps, hit.burst_kbits)
            count = self._admit(bucket, now, replace(frame, count=count)).count
        if count < frame.count:
            self._drop("meter", frame.count - count)
            self.engine.count_drop(frame, f"{self.name}: meter", frame.count - count)
        if count == 0:
            return
        if execution.drop_reason and not execution.outputs:
            self._drop(execution.drop_reason, count)
            if account:
                self.engine.count_drop(frame, f"{self.name}: {execution.drop_reason}", count)
        for out in execution.outputs:
            self._output(out, count)

    def _output(self, out: Any, count: int) -> None:
        frame: Frame = out.frame if out.frame.count == count else replace(out.frame, count=count)
        kind = type(out).__name__
        if kind == "ToVif":
            queue = self.queues.get(out.vif)
            if queue is not None:
                frame = self._admit(queue, int(self.engine.env.now), frame)
                if frame.count < count:
                    self._drop("egress queue", count - frame.count)
                    self.engine.count_drop(frame, f"{self.name}: queue", count - frame.count)
                if frame.count == 0:
                    return
            self.engine.hop(frame, f"{self.name}:to vif {out.vif}")
            self.engine.deliver_vif(out.vif, frame)
        elif kind == "ToTunnel":
            self.tunnel(out.dst_chassis, Tunnelled(self.name, out.meta, frame), frame)
        elif kind in ("ToLocalnet", "ToPhysical"):
            physnet = getattr(out, "physnet", None)
            vlan = getattr(out, "vlan", frame.vlan)
            self.engine.hop(frame, f"{self.name}:out {physnet} vlan {vlan}")
            self.send_physnet(str(physnet), replace(frame, vlan=vlan))

    # NICs -------------------------------------------------------------------------------

    def nic(self, network: str | None) -> Attachment | None:
        if network is None:
            return None
        nic = self.spec.nic_on(network)
        return None if nic is None else nic.attachment

    def send_physnet(self, physnet: str, frame: Frame) -> None:
        at = self.nic(physnet)
        if at is None or not self.alive:
            return self._drop(f"no NIC on {physnet}")
        wire = Wire(frame.eth_src, frame.eth_dst, frame.vlan, frame.size_bytes, frame, frame.count)
        self.engine.plant.send(at, wire)

    def tunnel(self, peer: str, payload: Tunnelled | BfdMessage, frame: Frame | None) -> None:
        """A Geneve frame (or BFD on the tunnel port) to `peer` over the overlay NIC."""
        engine = self.engine
        dst = engine.chassis.get(peer)
        if dst is None or not self.alive or engine.partitioned(self.name, peer):
            return
        at = self.nic(engine.overlay_net)
        if frame is not None:
            size, count = frame.size_bytes + GENEVE_OVERHEAD_BYTES, frame.count
            engine.hop(frame, f"{self.name}:geneve to {peer}")
        else:
            size, count = BFD_FRAME_BYTES + GENEVE_OVERHEAD_BYTES, 1
        wire = Wire(self.mac, dst.mac, None, size, payload, count)
        if at is None:  # no overlay NIC described: a direct link with the default delay
            delay = 2 * engine.scenario.fabric.links.default.delay_us
            engine.later(delay, lambda: dst.on_wire(engine.overlay_net or "", wire))
            return
        engine.plant.send(at, wire)

    def set_policers(self, placement: list[tuple[str, int, int]]) -> None:
        for vif, rate, burst in placement:
            self.policers[vif] = ingress_policer(rate, burst)
